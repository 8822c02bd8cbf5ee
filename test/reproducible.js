// SPDX-License-Identifier: GPL-2.0-only
// boot({ frozenClock }): the same writes into the same fresh image, in two
// processes, give byte-identical images (ext4), and the checker is clean.
'use strict'

const test = require('tape')
const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const { tmpdir, sh, must } = require('./helpers')

const child = path.join(__dirname, 'fixtures', 'reproducible-child.js')
const UUID = '11111111-2222-3333-4444-555555555555'

function build (dir, name) {
  const image = path.join(dir, name)
  must('truncate', ['-s', '64M', image])
  must('mkfs.ext4', ['-q', '-F', '-U', UUID, '-E', `hash_seed=${UUID}`, image],
    { env: { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin', E2FSPROGS_FAKE_TIME: '1700000000' } })
  const r = sh(process.execPath, [child, image, 'ext4'])
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`)
  return image
}

function sha256 (file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

test('frozen clock: two builds of the same ext4 image are byte-identical', (t) => {
  const dir = tmpdir('lkl-repro')
  const a = build(dir, 'a.img')
  const b = build(dir, 'b.img')
  t.equal(sha256(a), sha256(b), 'same sha256')
  t.equal(sh('e2fsck', ['-fn', a]).status, 0, 'e2fsck clean')
  const stat = must('debugfs', ['-R', 'stat /d3/f4', a]).stdout.toString()
  t.ok(/mtime: 0x6553f100/.test(stat), 'file times are the frozen time (2023-11-14T22:13:20Z)')
  t.end()
})
