// SPDX-License-Identifier: GPL-2.0-only
// node-ext2fs (libext2fs built to WASM) as the other library a user could
// pick. It is a dependency of bench/ only (`cd bench && npm install`), never
// of lkl; rows that need it are skipped when it does not resolve.
'use strict'

const fs = require('fs')
const { FileDisk } = require('./file-disk')

function available () {
  try {
    require.resolve('ext2fs', { paths: [__dirname] })
    require.resolve('tar-stream', { paths: [__dirname] })
    return true
  } catch {
    return false
  }
}

// Mounts the ext4 image, runs fn(fs.promises), unmounts (which flushes).
async function withImage (img, fn) {
  const ext2fs = require('ext2fs')
  const handle = await fs.promises.open(img, 'r+')
  try {
    return await ext2fs.withMountedDisk(new FileDisk(handle), 0, (efs) => fn(efs.promises))
  } finally {
    await handle.close()
  }
}

module.exports = { available, withImage }
