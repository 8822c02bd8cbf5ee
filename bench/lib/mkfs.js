// SPDX-License-Identifier: GPL-2.0-only
// One mkfs invocation per filesystem type, used by every side of a row
// (host shell jobs and the lkl and node-ext2fs child processes), so the
// images they fill start identical.
'use strict'

const fs = require('fs')
const { execFileSync } = require('child_process')

const MKFS = {
  ext4: ['mkfs.ext4', '-q', '-F'],
  btrfs: ['mkfs.btrfs', '-q', '-f'],
  xfs: ['mkfs.xfs', '-q', '-f']
}

function mkfsArgv (type) {
  const argv = MKFS[type]
  if (!argv) throw new Error(`no mkfs for ${type} (have ${Object.keys(MKFS).join(', ')})`)
  return argv
}

// A fresh sparse file of `size` bytes with an empty filesystem on it.
function makeImage (type, file, size) {
  fs.rmSync(file, { force: true })
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, size)
  const [cmd, ...args] = mkfsArgv(type)
  execFileSync(cmd, [...args, file], { stdio: ['ignore', 'ignore', 'inherit'] })
}

module.exports = { mkfsArgv, makeImage, TYPES: Object.keys(MKFS) }
