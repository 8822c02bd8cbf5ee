// SPDX-License-Identifier: GPL-2.0-only
// img.close() while img.writer() is writing a big file: close waits for the
// file (its fd is one pending operation of the image), the file is complete
// with its metadata and the image is clean; the writer's next entry fails
// with ERR_LKL_IMAGE_CLOSED. A big file whose content is read from the same
// image cannot deadlock the close: the content fails, the writer fails, the
// close completes.
'use strict'

const test = require('tape')
const path = require('path')
const { Readable } = require('stream')
const { pipeline } = require('stream/promises')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-life-writer')
const MB = h.MB
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// 1 MiB chunks of `data`, one every few ms; `started` resolves once the
// writer has taken the first one, `ended` tells whether all were taken.
function slowContent (data) {
  let started
  const state = { started: new Promise((resolve) => { started = resolve }), ended: false }
  async function * chunks () {
    for (let at = 0; at < data.length; at += MB) {
      yield data.subarray(at, at + MB)
      started()
      await wait(15)
    }
    state.ended = true
  }
  state.stream = Readable.from(chunks(), { objectMode: false, highWaterMark: MB })
  return state
}

test('close() during a big-file write waits for the file, then the writer fails cleanly', async (t) => {
  const file = path.join(dir, 'big.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file, { type: 'ext4' })
  const data = h.pattern(12 * MB + 4097, 7)
  const content = slowContent(data)
  const mtime = 1700000000123456789n
  const entries = [
    { path: 'big.bin', type: 'file', mode: 0o640, uid: 1000, gid: 100, size: data.length, mtime, content: content.stream },
    { path: 'after.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 5, mtime, content: Readable.from([Buffer.from('after')]) }
  ]
  const writing = pipeline(Readable.from(entries), img.writer('/')).then(() => null, (err) => err)
  await content.started
  let closedAt = null
  const closing = img.close().then(() => { closedAt = content.ended })
  await wait(30)
  t.equal(closedAt, null, 'close() is still waiting while the big file is written')
  await closing
  t.equal(closedAt, true, 'close() resolved only after the whole content was taken')
  const err = await writing
  t.equal(err && err.code, 'ERR_LKL_IMAGE_CLOSED', 'the writer\'s next entry fails with ERR_LKL_IMAGE_CLOSED' + (err && err.code !== 'ERR_LKL_IMAGE_CLOSED' ? ': ' + err.message : ''))
  const f = h.fsck('ext4', file)
  t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
  t.ok(h.debugfsCat(file, '/big.bin').equals(data), 'debugfs: the big file is complete')

  const again = await lkl.open(file, { type: 'ext4', readOnly: true })
  const st = await again.fs.promises.stat('/big.bin', { bigint: true })
  t.equal(Number(st.mode & 0o7777n), 0o640, 'its mode was applied')
  t.equal([Number(st.uid), Number(st.gid)].join(':'), '1000:100', 'its owner was applied')
  t.equal(st.mtimeNs, mtime, 'its mtime was applied (ns)')
  await again.fs.promises.stat('/after.txt').then(() => t.fail('after.txt exists'), (e) => t.equal(e.code, 'ENOENT', 'the entry after close() was not written'))
  await again.close()
})

test('close() during a big-file copy from the same image: no deadlock, the writer fails, the image is clean', async (t) => {
  const file = path.join(dir, 'self.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file, { type: 'ext4' })
  const data = h.pattern(16 * MB, 9)
  await img.fs.promises.writeFile('/src.bin', data)
  let started
  const first = new Promise((resolve) => { started = resolve })
  async function * slowCopy () {
    for await (const chunk of img.createReadStream('/src.bin', { highWaterMark: 64 * 1024 })) {
      yield chunk
      started()
      await wait(2)
    }
  }
  const entry = { path: 'copy.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0n, content: Readable.from(slowCopy(), { objectMode: false }) }
  const writing = pipeline(Readable.from([entry]), img.writer('/')).then(() => null, (err) => err)
  await first
  const closing = img.close()
  const done = await Promise.race([closing.then(() => 'closed'), wait(20000).then(() => 'timeout')])
  t.equal(done, 'closed', 'close() completes')
  const err = await writing
  t.equal(err && err.code, 'ERR_LKL_IMAGE_CLOSED', 'the writer fails: its content could not be read any more' + (err && err.code !== 'ERR_LKL_IMAGE_CLOSED' ? ': ' + err.message : ''))
  const f = h.fsck('ext4', file)
  t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
  t.ok(h.debugfsCat(file, '/src.bin').equals(data), 'the source is intact')
})
