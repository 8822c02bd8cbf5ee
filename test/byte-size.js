// SPDX-License-Identifier: GPL-2.0-only
// One size grammar (lib/byte-size.ts) for boot({ memory }), disk.memory(),
// mkfs({ size }) and `lkl create --size`: fractions and every unit spelling
// work everywhere; bad sizes throw synchronously with Node's codes.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const { parseSize } = require('../dist/byte-size')
const h = require('./helpers')
const { lkl: cli } = require('./helpers/cli')

const K = 1024
const M = K * K
const G = K * M

test('the grammar', (t) => {
  const good = [
    [4096, 4096], ['4096', 4096], ['64K', 64 * K], ['64k', 64 * K], ['512M', 512 * M], ['512MiB', 512 * M],
    ['512mb', 512 * M], ['512Mi', 512 * M], ['8 M', 8 * M], [' 2G ', 2 * G], ['1.5G', 1.5 * G], ['2T', 2 * K * G],
    ['1.3K', 1332], ['100B', 100], [0, 0], ['0', 0]
  ]
  for (const [v, n] of good) t.equal(parseSize(v, 'size'), n, `${JSON.stringify(v)} = ${n}`)
  for (const v of ['big', '', '-1', '1P', '1.5.1G', 'G', '1e3', '0x10']) {
    t.throws(() => parseSize(v, 'size'), (e) => e.code === 'ERR_INVALID_ARG_VALUE' && /size/.test(e.message), `${JSON.stringify(v)} refused`)
  }
  t.equal(parseSize('1.5', 'size'), 2, 'a fraction of a byte rounds up')
  for (const v of [-1, 1.5, NaN, Infinity, 2 ** 53]) t.throws(() => parseSize(v, 'size'), (e) => e.code === 'ERR_INVALID_ARG_VALUE', `${v} refused`)
  for (const v of [null, {}, [], true, 10n]) t.throws(() => parseSize(v, 'size'), (e) => e.code === 'ERR_INVALID_ARG_TYPE', `${typeof v} refused`)
  t.throws(() => parseSize('0M', 'size', 1), (e) => e.code === 'ERR_INVALID_ARG_VALUE', 'below the minimum refused')
  t.end()
})

test('disk.memory() takes the same sizes as mkfs()', async (t) => {
  const d = lkl.disk.memory('1.5M')
  t.equal(await d.size(), 1.5 * M, "disk.memory('1.5M')")
  t.equal(lkl.disk.memory('64KiB').buffer.length, 64 * K, "disk.memory('64KiB')")
  t.throws(() => lkl.disk.memory('lots'), (e) => e.code === 'ERR_INVALID_ARG_VALUE', "disk.memory('lots') throws")
  await d.close()
  const dir = h.tmpdir('lkl-bytesize')
  const made = await lkl.mkfs(path.join(dir, 'a.img'), { type: 'ext4', size: '1.5M' })
  t.equal(made.size, 1.5 * M, "mkfs({ size: '1.5M' })")
  t.equal(fs.statSync(made.path).size, 1.5 * M, 'the file has that size')
  const r = cli(['create', path.join(dir, 'b.img'), '-t', 'ext4', '-s', '2.5MiB'])
  t.equal(r.status, 0, `lkl create --size 2.5MiB ${r.stderr}`)
  t.equal(fs.statSync(path.join(dir, 'b.img')).size, 2.5 * M, 'the image has that size')
  t.throws(() => lkl.boot({ memory: 'lots' }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', "boot({ memory: 'lots' }) throws")
  await lkl.halt()
})
