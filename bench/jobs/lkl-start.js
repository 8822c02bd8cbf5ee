// SPDX-License-Identifier: GPL-2.0-only
// Start-up as a short script sees it: require, boot (open boots lazily),
// mount read-only, read one file, close.
// Usage: node bench/jobs/lkl-start.js IMAGE FILE
'use strict'

const lkl = require('../..')

async function main ([img, file]) {
  const im = await lkl.open(img, { type: 'ext4', readOnly: true })
  await im.fs.promises.readFile(file)
  await im.close()
}

main(process.argv.slice(2)).catch((err) => { console.error(err); process.exit(1) })
