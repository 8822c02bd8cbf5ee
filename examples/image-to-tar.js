// SPDX-License-Identifier: GPL-2.0-only
// Pack a directory tree of a disk image into a tar (pax, with xattrs, ACLs,
// ns times), like `tar --xattrs --acls -C /mnt -cf out.tar .` on a mounted
// image, without mounting anything. Makes its own ext4 image to start with.
// Usage: node examples/image-to-tar.js [out.tar]
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { pipeline } = require('stream/promises')
const { execFileSync } = require('child_process')
const lkl = require('..') // in your project: require('lkl')

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-example-'))
  const out = process.argv[2] || path.join(dir, 'out.tar')
  try {
    // A small ext4 image with a few files, made by the real mkfs tool.
    const src = path.join(dir, 'src')
    fs.mkdirSync(path.join(src, 'etc/app'), { recursive: true })
    fs.writeFileSync(path.join(src, 'etc/app/config.json'), '{"hello":"world"}\n')
    fs.symlinkSync('app/config.json', path.join(src, 'etc/config.json'))
    const image = path.join(dir, 'disk.img')
    fs.writeFileSync(image, '')
    fs.truncateSync(image, 64 * 1024 * 1024)
    execFileSync('mkfs.ext4', ['-q', '-F', '-d', src, image])

    // The whole tree (minus lost+found), with every owner, mode and xattr.
    const img = await lkl.open(image, { readOnly: true })
    await pipeline(
      img.walk('/'),
      lkl.transforms.exclude('lost+found'),
      lkl.tarPack(),
      fs.createWriteStream(out)
    )
    await img.close()
    console.log(execFileSync('tar', ['-tvf', out]).toString().trim())
  } finally {
    if (!process.argv[2]) fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
