// SPDX-License-Identifier: GPL-2.0-only
// img.fs.createReadStream / createWriteStream (Node streams, node:fs style):
// destroy before open, destroy mid-way, error in open, a paused consumer,
// errors reaching pipeline's callback; no fd is left open.
'use strict'
const test = require('tape')
const path = require('path')
const { pipeline, Writable } = require('stream')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-fs-streams')
const file = path.join(dir, 's.img')
h.makeImage('ext4', file, null)
const DATA = h.pattern(1024 * 1024 + 11, 4)
let img, fs

const openFds = () => img._fds.size
const closed = (s) => new Promise((resolve) => s.once('close', resolve))

test('setup', async (t) => {
  img = await lkl.open(file, { type: 'ext4' })
  fs = img.fs
  await fs.promises.writeFile('/data', DATA)
  t.equal(openFds(), 0)
})

test('destroy before open', async (t) => {
  const rs = fs.createReadStream('/data')
  rs.destroy()
  await closed(rs)
  const ws = fs.createWriteStream('/w0')
  ws.destroy()
  await closed(ws)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(openFds(), 0, 'no fd left open')
})

test('destroy mid-way', async (t) => {
  const rs = fs.createReadStream('/data', { highWaterMark: 4096 })
  let got = 0
  rs.on('data', (c) => { got += c.length; if (got >= 8192) rs.destroy() })
  await closed(rs)
  t.ok(got >= 8192 && got < DATA.length, `read ${got} bytes, then stopped`)
  const ws = fs.createWriteStream('/w1')
  ws.write(DATA.subarray(0, 1000))
  ws.destroy()
  await closed(ws)
  t.equal(openFds(), 0, 'no fd left open')
})

test('error in open', async (t) => {
  const e1 = await new Promise((resolve) => fs.createReadStream('/no/such').on('error', resolve))
  t.deepEqual([e1.code, e1.syscall, e1.path], ['ENOENT', 'open', '/no/such'])
  const e2 = await new Promise((resolve) => fs.createWriteStream('/no/such/file').on('error', resolve))
  t.deepEqual([e2.code, e2.syscall], ['ENOENT', 'open'])
  const e3 = await new Promise((resolve) => fs.createWriteStream('/data', { flags: 'wx' }).on('error', resolve))
  t.equal(e3.code, 'EEXIST', 'flags wx')
  t.equal(openFds(), 0)
})

test('a paused consumer: reads do not run ahead', async (t) => {
  const rs = fs.createReadStream('/data', { highWaterMark: 16384 })
  await new Promise((resolve) => rs.once('readable', resolve))
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(rs.bytesRead <= 2 * 16384, `only ${rs.bytesRead} bytes read while nobody consumes`)
  rs.destroy()
  await closed(rs)
})

test('errors reach pipeline\'s callback; a full pipeline works', async (t) => {
  const err = await new Promise((resolve) => pipeline(fs.createReadStream('/missing'), new Writable({ write (c, e, cb) { cb() } }), resolve))
  t.equal(err && err.code, 'ENOENT', 'open error')
  const err2 = await new Promise((resolve) => pipeline(fs.createReadStream('/data'), fs.createWriteStream('/dir-missing/x'), resolve))
  t.equal(err2 && err2.code, 'ENOENT', 'write side open error')
  const ok = await new Promise((resolve) => pipeline(fs.createReadStream('/data'), fs.createWriteStream('/copy'), resolve))
  t.equal(ok, undefined, 'image -> image pipeline')
  t.ok((await fs.promises.readFile('/copy')).equals(DATA), 'copied byte-exact')
  t.equal(openFds(), 0)
})

test('ranges, start on write, and the image closing under a stream', async (t) => {
  const ws = fs.createWriteStream('/copy', { flags: 'r+', start: 5 })
  ws.end('HELLO')
  await closed(ws)
  t.equal((await fs.promises.readFile('/copy')).subarray(0, 10).toString('hex'), Buffer.concat([DATA.subarray(0, 5), Buffer.from('HELLO')]).toString('hex'), 'write at start')
  const chunks = []
  for await (const c of fs.createReadStream('/copy', { start: 3, end: 9, encoding: 'latin1' })) chunks.push(c)
  t.equal(chunks.join(''), Buffer.concat([DATA.subarray(3, 5), Buffer.from('HELLO')]).toString('latin1'), 'start/end inclusive, encoding')
  t.throws(() => fs.createReadStream('/copy', { start: 5, end: 2 }), (e) => e.code === 'ERR_OUT_OF_RANGE', 'start > end throws')
  const rs = fs.createReadStream('/data', { highWaterMark: 1024 })
  await new Promise((resolve) => rs.once('readable', resolve))
  await img.close()
  const e = await new Promise((resolve) => { rs.on('error', resolve); rs.on('close', () => resolve(null)); rs.resume() })
  t.ok(e === null || /ERR_LKL_/.test(e.code), 'a stream on a closing image ends or fails cleanly: ' + (e && e.code))
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})
