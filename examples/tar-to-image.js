// SPDX-License-Identifier: GPL-2.0-only
// Unpack a tar (GNU tar, bsdtar or our own: ustar, pax, xattrs, ACLs, long
// names, sparse files) into a fresh ext4 image, with all its metadata, then
// check it with e2fsck. Usage: node examples/tar-to-image.js [in.tar]
// (without an argument it packs /usr/share/common-licenses with GNU tar).
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { pipeline } = require('stream/promises')
const { execFileSync } = require('child_process')
const lkl = require('..') // in your project: require('lkl')

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-example-'))
  try {
    let tar = process.argv[2]
    if (!tar) {
      tar = path.join(dir, 'in.tar')
      execFileSync('tar', ['--format=posix', '--xattrs', '--acls', '-C', '/usr/share', '-cf', tar, 'common-licenses'])
    }
    const image = path.join(dir, 'disk.img')
    fs.writeFileSync(image, '')
    fs.truncateSync(image, 256 * 1024 * 1024)
    execFileSync('mkfs.ext4', ['-q', '-F', image])

    const img = await lkl.open(image, { type: 'ext4' })
    await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), img.writer('/srv'))
    console.log(await img.fs.promises.readdir('/srv'))
    await img.close()
    execFileSync('e2fsck', ['-fn', image], { stdio: 'ignore' })
    console.log('e2fsck: clean')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
