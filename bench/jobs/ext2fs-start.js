// SPDX-License-Identifier: GPL-2.0-only
// node-ext2fs start-up, the same job as lkl-start.js: require, mount,
// read one file, unmount.
// Usage: node bench/jobs/ext2fs-start.js IMAGE FILE
'use strict'

const { withImage } = require('../lib/ext2fs')

withImage(process.argv[2], (p) => p.readFile(process.argv[3]))
  .catch((err) => { console.error(err); process.exit(1) })
