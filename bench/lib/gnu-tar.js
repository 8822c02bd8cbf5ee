// SPDX-License-Identifier: GPL-2.0-only
// The GNU tar options both sides of a row use, so that they carry the same
// attributes lkl's tarPack/tarUnpack carry: xattrs, POSIX ACLs, numeric
// owners, pax format.
'use strict'

const CREATE = ['--xattrs', '--xattrs-include=*', '--acls', '--format=posix', '--numeric-owner']
const EXTRACT = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '-p']

module.exports = { CREATE, EXTRACT }
