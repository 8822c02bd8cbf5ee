// SPDX-License-Identifier: GPL-2.0-only
// The filesystem's own checker, read-only, on an image a job left: the
// bench's guard that a fast unpack also wrote a sound filesystem.
'use strict'

const fs = require('fs')
const { spawnSync } = require('child_process')

const FSCK = { ext4: ['e2fsck', '-fn'], btrfs: ['btrfs', 'check', '--readonly'], xfs: ['xfs_repair', '-n'] }

function fsck (type, img) {
  if (!fs.existsSync(img)) return 'no image'
  const [cmd, ...args] = FSCK[type]
  const r = spawnSync(cmd, [...args, img], { stdio: 'ignore' })
  return r.status === 0 ? 'clean' : `NOT clean (${cmd} exit ${r.status})`
}

module.exports = { fsck }
