// SPDX-License-Identifier: GPL-2.0-only
// One image -> tar job through lkl: open read-only, walk, tarPack (xattrs,
// ACLs, numeric owners, like GNU tar's --xattrs --acls --numeric-owner),
// write the tar, close.
// Usage: node bench/jobs/lkl-pack.js TYPE IMAGE OUT.tar
'use strict'

const fs = require('fs')
const { pipeline } = require('stream/promises')
const lkl = require('../..')

async function main ([type, img, out]) {
  const im = await lkl.open(img, { type, readOnly: true })
  await pipeline(im.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream(out, { highWaterMark: 1 << 20 }))
  await im.close()
}

main(process.argv.slice(2)).catch((err) => { console.error(err); process.exit(1) })
