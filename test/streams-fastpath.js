// SPDX-License-Identifier: GPL-2.0-only
// Piping a host file into an image file and back with plain streams
// (.pipe and stream.pipeline): the bytes arrive intact, ranges included,
// and the image stream leaves the host stream at the other end alone (it
// reads or writes everything itself). The native copy is explicit:
// lkl.copyIn/copyOut (test/streams-discipline.js).
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-fastpath')
const image = path.join(dir, 'disk.img')
const hostFile = path.join(dir, 'host.bin')
const data = h.pattern(9 * h.MB + 123, 7)
fs.writeFileSync(hostFile, data)
h.sparse(image, 64 * h.MB)
h.must('mkfs.ext4', ['-q', '-F', image])

function finished (s) {
  return new Promise((resolve, reject) => { s.on('finish', resolve); s.on('error', reject) })
}

test('host file -> image file: .pipe() and pipeline()', async (t) => {
  const img = await lkl.open(image)
  const src1 = fs.createReadStream(hostFile)
  const dst1 = img.createWriteStream('/piped.bin')
  src1.pipe(dst1)
  await finished(dst1)
  t.equal(src1.bytesRead, data.length, '.pipe(): the host stream did its own reading, untouched')
  t.equal(dst1.bytesWritten, data.length, '.pipe(): all bytes written')
  t.ok(data.equals(await img.fs.promises.readFile('/piped.bin')), '.pipe(): content intact')

  const src2 = fs.createReadStream(hostFile)
  const dst2 = img.createWriteStream('/pipeline.bin')
  await pipeline(src2, dst2)
  t.equal(src2.bytesRead, data.length, 'pipeline(): the host stream did its own reading, untouched')
  t.ok(data.equals(await img.fs.promises.readFile('/pipeline.bin')), 'pipeline(): content intact')

  await pipeline(fs.createReadStream(hostFile, { start: 100, end: 1099 }), img.createWriteStream('/range.bin'))
  t.ok(data.subarray(100, 1100).equals(await img.fs.promises.readFile('/range.bin')), 'a range of the host file')

  // A character device works the same.
  const zeros = fs.createReadStream('/dev/zero', { end: 65535 })
  await pipeline(zeros, img.createWriteStream('/zeros.bin'))
  t.ok(zeros.bytesRead > 0, '/dev/zero went through JS')
  t.ok(Buffer.alloc(65536).equals(await img.fs.promises.readFile('/zeros.bin')), 'and arrived')
  await img.close()
  t.equal(h.debugfsCat(image, '/pipeline.bin').length, data.length, 'debugfs sees the whole file')
})

test('image file -> host file: .pipe() and pipeline()', async (t) => {
  const img = await lkl.open(image)
  const out1 = path.join(dir, 'out1.bin')
  const src1 = img.createReadStream('/piped.bin')
  let chunks = 0
  src1.on('data', () => chunks++)
  const dst1 = fs.createWriteStream(out1)
  src1.pipe(dst1)
  await finished(dst1)
  t.equal(chunks, Math.ceil(data.length / h.MB), '.pipe(): ordinary 1 MiB chunks through JS')
  t.ok(data.equals(fs.readFileSync(out1)), '.pipe(): content intact')
  t.equal(dst1.bytesWritten, data.length, 'the host stream wrote every byte itself')

  const out2 = path.join(dir, 'out2.bin')
  await pipeline(img.createReadStream('/pipeline.bin', { start: 5, end: 4 * h.MB }), fs.createWriteStream(out2))
  t.ok(data.subarray(5, 4 * h.MB + 1).equals(fs.readFileSync(out2)), 'pipeline(): a range, intact')
  await img.close()
})
