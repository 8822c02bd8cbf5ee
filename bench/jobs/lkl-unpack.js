// SPDX-License-Identifier: GPL-2.0-only
// One tar -> image job through lkl, as a user's script would run it: mkfs
// (the same invocation as the host side), open, tarUnpack into the writer,
// close (sync + umount: the data is on the image file when it returns).
// Usage: node bench/jobs/lkl-unpack.js TYPE IMAGE TAR SIZE
'use strict'

const fs = require('fs')
const { pipeline } = require('stream/promises')
const { makeImage } = require('../lib/mkfs')
const lkl = require('../..')

async function main ([type, img, tar, size]) {
  makeImage(type, img, Number(size))
  const im = await lkl.open(img, { type })
  await pipeline(fs.createReadStream(tar, { highWaterMark: 1 << 20 }), lkl.tarUnpack(), im.writer('/', { overwrite: true }))
  await im.close()
}

main(process.argv.slice(2)).catch((err) => { console.error(err); process.exit(1) })
