// SPDX-License-Identifier: GPL-2.0-only
// The examples in examples/ run standalone and succeed (each makes its own
// temp image with mkfs).
'use strict'

const test = require('tape')
const path = require('path')
const { spawnSync } = require('child_process')

const examples = {
  'image-to-tar.js': /etc\/app\/config\.json/,
  'tar-to-image.js': /e2fsck: clean/,
  'host-file-into-image.js': /copied back identical: true/
}

for (const [name, expect] of Object.entries(examples)) {
  test(`examples/${name}`, (t) => {
    const env = { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin' }
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'examples', name)], { env, timeout: 120000 })
    t.equal(r.status, 0, 'exits 0' + (r.status ? ': ' + r.stderr : ''))
    t.match(r.stdout.toString(), expect, 'prints what it did')
    t.end()
  })
}
