// SPDX-License-Identifier: GPL-2.0-only
// Put a host file into a disk image and get it back, two ways: streams
// (pipeline(fs.createReadStream, img.createWriteStream)) and the native
// copy fast path (lkl.copyIn / lkl.copyOut: one call, copied in C).
// Usage: node examples/host-file-into-image.js [file] (default: node itself)
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { pipeline } = require('stream/promises')
const { execFileSync } = require('child_process')
const lkl = require('..') // in your project: require('lkl')

async function main () {
  const file = process.argv[2] || process.execPath
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-example-'))
  try {
    const image = path.join(dir, 'disk.img')
    fs.writeFileSync(image, '')
    fs.truncateSync(image, 512 * 1024 * 1024)
    execFileSync('mkfs.ext4', ['-q', '-F', image])
    const img = await lkl.open(image, { type: 'ext4' })

    let t = Date.now()
    await pipeline(fs.createReadStream(file), img.createWriteStream('/via-streams', { mode: 0o755 }))
    console.log(`streams: ${Date.now() - t} ms`)

    t = Date.now()
    const n = await lkl.copyIn(file, img, '/via-copy')
    console.log(`copyIn: ${n} bytes in ${Date.now() - t} ms`)

    const back = path.join(dir, 'back')
    await lkl.copyOut(img, '/via-copy', back)
    const same = fs.readFileSync(back).equals(fs.readFileSync(file))
    const st = await img.fs.promises.stat('/via-streams')
    console.log(`in the image: ${st.size} bytes; copied back identical: ${same}`)
    await img.close()
    if (!same) process.exit(1)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
