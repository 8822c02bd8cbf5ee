// SPDX-License-Identifier: GPL-2.0-only
// The smoke test of an installed package (scripts/test-package.sh copies it
// into a project that installed the tarball, and runs it there, also inside
// chroots). On an ext4 image made by `mke2fs -d`: read a file, write one,
// walk the tree to a tar with the streams, close. The caller checks the
// image with e2fsck -fn and lists the tar with the host's tar.
//
//   node package-smoke.js IMAGE OUT.tar EXPECTED-CONTENT-OF-/hello.txt
'use strict'

const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const lkl = require('lkl')

async function main () {
  const [image, tarPath, expected] = process.argv.slice(2)
  const img = await lkl.open(image, { type: 'ext4' })
  const got = await img.fs.promises.readFile('/hello.txt', 'utf8')
  if (got !== expected) throw new Error(`read /hello.txt: got ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`)
  await img.fs.promises.writeFile('/written.txt', `written on ${process.arch}\n`)
  await pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream(tarPath))
  await img.close()
  const pkg = path.dirname(require.resolve('lkl/package.json'))
  const addon = require(require.resolve('node-gyp-build', { paths: [pkg] })).resolve(pkg)
  console.log(`smoke ok: ${process.arch}, node ${process.version}, ${path.relative(pkg, addon)}`)
}

main().catch((err) => { console.error(err); process.exit(1) })
