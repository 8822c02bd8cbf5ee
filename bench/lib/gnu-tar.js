// SPDX-License-Identifier: GPL-2.0-only
// The GNU tar options both sides of a row use, so that they carry the same
// attributes lkl's tarPack/tarUnpack carry: xattrs, POSIX ACLs, numeric
// owners, pax format.
'use strict'

const fs = require('fs')
const { execFileSync } = require('child_process')
const CREATE = ['--xattrs', '--xattrs-include=*', '--acls', '--format=posix', '--numeric-owner']
const EXTRACT = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '-p']

// How many members a tar lists ('none' when the file is not there).
function entries (tar) {
  if (!fs.existsSync(tar)) return 'none'
  return execFileSync('tar', ['-tf', tar], { maxBuffer: 1 << 28 }).toString().split('\n').filter(Boolean).length
}

module.exports = { CREATE, EXTRACT, entries }
