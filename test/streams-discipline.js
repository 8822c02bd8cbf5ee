// SPDX-License-Identifier: GPL-2.0-only
// Stream discipline for every stream of the entry pipeline and the file and
// block streams: destroy before open, destroy mid-way (fds closed), errors
// in open reaching pipeline's callback, and a paused consumer that stops the
// walk and the reads (bounded memory over a 1 GB tree).
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Writable } = require('stream')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-streams')
const file = path.join(dir, 'a.img')
const BIG = h.pattern(3 * h.MB + 5, 3)
let img

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
async function rejects (t, promise, check, msg) {
  try {
    await promise
    t.fail(msg + ': no error')
  } catch (err) {
    const ok = check instanceof RegExp ? check.test(err.message) : check(err)
    t.ok(ok, msg + (ok ? '' : ': ' + err.message))
  }
}
const closed = (s) => new Promise((resolve) => s.once('close', resolve))

test('setup: an ext4 image with a tree and a 1 GB file', async (t) => {
  h.sparse(file, 2048 * h.MB)
  h.must('mkfs.ext4', ['-q', '-F', file])
  img = await lkl.open(file, { type: 'ext4' })
  const p = img.fs.promises
  await p.mkdir('/tree/a/b', { recursive: true })
  for (let i = 0; i < 300; i++) await p.writeFile(`/tree/a/f${String(i).padStart(3, '0')}`, `file ${i}\n`)
  await p.writeFile('/tree/a/b/big.bin', BIG)
  // 1 GB of real data (not a hole), written through a write stream.
  const chunk = h.pattern(8 * h.MB, 9)
  const ws = img.createWriteStream('/tree/huge.bin')
  for (let i = 0; i < 128; i++) if (!ws.write(chunk)) await new Promise((resolve) => ws.once('drain', resolve))
  ws.end()
  await closed(ws)
  t.equal((await p.stat('/tree/huge.bin')).size, 1024 * h.MB, '1 GB written')
  t.end()
})

test('file streams: ranges, flags, destroy closes the fd', async (t) => {
  const parts = []
  await pipeline(img.createReadStream('/tree/a/b/big.bin', { start: 10, end: 1000009, highWaterMark: 65536 }), new Writable({ write (c, e, cb) { parts.push(c); cb() } }))
  t.ok(Buffer.concat(parts).equals(BIG.subarray(10, 1000010)), 'start/end inclusive, like node')
  const ws = img.createWriteStream('/tree/a/b/big.bin', { flags: 'r+', start: 5 })
  ws.end(Buffer.from('XYZ'))
  await closed(ws)
  const back = await img.fs.promises.readFile('/tree/a/b/big.bin')
  t.equal(back.subarray(5, 8).toString(), 'XYZ', 'write at start, r+ keeps the rest')
  t.equal(back.length, BIG.length, 'size unchanged')
  await rejects(t, pipeline(require('stream').Readable.from([Buffer.from('x')]), img.createWriteStream('/tree/a/f000', { flags: 'wx' })), /EEXIST.*\/tree\/a\/f000/, 'wx on an existing file: EEXIST in pipeline\'s callback')
  await rejects(t, pipeline(img.createReadStream('/nope'), new Writable({ write (c, e, cb) { cb() } })), (err) => err.code === 'ENOENT' && err.path === '/nope', 'open error reaches pipeline with the path as given')

  const before = img._fds.size
  const rs = img.createReadStream('/tree/huge.bin')
  const rsClosed = closed(rs)
  rs.destroy()
  await rsClosed
  t.equal(img._fds.size, before, 'destroy before open: nothing left open')
  const rs2 = img.createReadStream('/tree/huge.bin')
  await new Promise((resolve) => rs2.once('data', resolve))
  t.equal(img._fds.size, before + 1, 'open while reading')
  const rs2Closed = closed(rs2)
  rs2.destroy()
  await rs2Closed
  t.equal(img._fds.size, before, 'destroy mid-way closes the fd')
  t.end()
})

test('copyIn/copyOut: the native fast path', async (t) => {
  const host = path.join(dir, 'host.bin')
  fs.writeFileSync(host, BIG)
  t.equal(await lkl.copyIn(host, img, '/copied.bin'), BIG.length, 'copyIn returns the bytes')
  t.ok((await img.fs.promises.readFile('/copied.bin')).equals(BIG), 'content in the image')
  const back = path.join(dir, 'back.bin')
  t.equal(await lkl.copyOut(img, '/copied.bin', back), BIG.length, 'copyOut returns the bytes')
  t.ok(fs.readFileSync(back).equals(BIG), 'content on the host')
  await rejects(t, lkl.copyOut(img, '/missing', back), /ENOENT.*'\/missing'/, 'errors name the image path')
  t.end()
})

test('imageWalk: destroy before open, destroy mid-way, error in open', async (t) => {
  const w = img.walk('/tree')
  const wClosed = closed(w)
  w.destroy()
  await wClosed
  t.pass('destroy before open closes')
  const w2 = img.walk('/tree')
  const w2Closed = closed(w2)
  let n = 0
  await new Promise((resolve) => w2.on('data', () => { if (++n === 5) { w2.destroy(); resolve() } }))
  await w2Closed
  t.ok(n >= 5, 'destroy mid-way closes')
  await rejects(t, pipeline(img.walk('/missing'), lkl.tarPack(), new Writable({ write (c, e, cb) { cb() } })), (err) => err.code === 'ENOENT' && /missing/.test(err.message), 'a missing root reaches pipeline\'s callback')
  t.end()
})

test('a paused consumer stops the walk and the reads (1 GB tree, bounded memory)', async (t) => {
  const rss0 = process.memoryUsage().rss
  const walk = img.walk('/tree')
  const pack = lkl.tarPack()
  walk.pipe(pack)
  await wait(500) // nobody reads pack
  const bufferedPack = pack._readableState.buffered
  const bufferedWalk = walk._readableState.buffered
  t.ok(bufferedPack <= 8 * h.MB, `tarPack holds a bounded amount (${bufferedPack} bytes)`)
  t.ok(bufferedWalk <= 64 + 256, `the walk stopped: at most one batch past its high-water mark (${bufferedWalk} entries queued)`)
  t.ok(process.memoryUsage().rss - rss0 < 200 * h.MB, 'memory bounded while paused')
  // Now drain everything at a slow pace and watch the peak.
  let peak = 0
  let bytes = 0
  await pipeline(pack, new Writable({
    highWaterMark: 1 << 20,
    write (c, e, cb) {
      bytes += c.length
      peak = Math.max(peak, process.memoryUsage().rss - rss0)
      setImmediate(cb)
    }
  }))
  t.ok(bytes > 1024 * h.MB, `the whole 1 GB tree went through (${bytes} bytes)`)
  t.ok(peak < 300 * h.MB, `peak RSS growth bounded (${(peak / h.MB).toFixed(0)} MiB)`)
  t.end()
})

test('tarPack and tarUnpack: destroy before open and mid-way', async (t) => {
  const p = lkl.tarPack()
  const pClosed = closed(p)
  p.destroy()
  await pClosed
  const u = lkl.tarUnpack()
  const uClosed = closed(u)
  u.destroy()
  await uClosed
  t.pass('destroy before open')
  // Mid-way: a walk -> pack -> unpack chain, destroyed after some entries.
  const walk = img.walk('/tree')
  const unpack = lkl.tarUnpack()
  const pack = lkl.tarPack()
  for (const s of [walk, pack, unpack]) s.on('error', () => {}) // premature close, expected
  walk.pipe(pack).pipe(unpack)
  const unpackClosed = closed(unpack)
  const walkClosed = closed(walk)
  let n = 0
  await new Promise((resolve) => unpack.on('data', (e) => {
    if (e.content) e.content.resume()
    if (++n === 20) { unpack.destroy(); resolve() }
  }))
  await unpackClosed
  walk.destroy()
  await walkClosed
  t.ok(n >= 20, 'destroyed mid-way')
  t.end()
})

test('tarUnpack: a paused consumer stops the input', async (t) => {
  const tar = path.join(dir, 'tree.tar')
  await pipeline(img.walk('/tree'), lkl.tarPack(), fs.createWriteStream(tar))
  const src = fs.createReadStream(tar)
  const unpack = lkl.tarUnpack()
  unpack.on('error', () => {})
  src.pipe(unpack)
  await wait(500) // nobody reads the entries nor their contents
  t.ok(src.bytesRead < 64 * h.MB, `input stopped (${src.bytesRead} bytes read of ${fs.statSync(tar).size})`)
  const unpackClosed = closed(unpack)
  src.destroy()
  unpack.destroy()
  await unpackClosed
  t.end()
})

test('imageWriter: errors reach pipeline\'s callback', async (t) => {
  const entries = [{ path: 'w', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0n }, { path: 'w/x', type: 'bogus', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0n }]
  await rejects(t, pipeline(require('stream').Readable.from(entries), img.writer('/')), /bogus/, 'bad entry type')
  const w = img.writer('/')
  const wClosed = closed(w)
  w.destroy()
  await wClosed
  t.pass('destroy before open')
  t.end()
})

test('block streams: raw bytes of the disk, consistent with the mounted fs', async (t) => {
  await img.sync()
  const parts = []
  await pipeline(img.disk.createReadStream({ start: 1024, end: 2047 }), new Writable({ write (c, e, cb) { parts.push(c); cb() } }))
  const sb = Buffer.concat(parts)
  t.equal(sb.length, 1024, 'the range')
  t.equal(sb.readUInt16LE(0x38), 0xef53, 'the ext4 superblock magic')
  const rs = img.disk.createReadStream()
  const rsClosed = closed(rs)
  rs.destroy()
  await rsClosed
  t.pass('destroy before open')
  t.end()
})

test('sparse reads skip holes (a file, and the disk\'s host file)', async (t) => {
  const fh = await img.fs.promises.open('/sparse.bin', 'w')
  await fh.write(Buffer.from('head'), 0, 4, 0)
  await fh.write(Buffer.from('tail'), 0, 4, 64 * h.MB)
  await fh.close()
  const chunks = []
  const sink = () => new Writable({ objectMode: true, write (c, e, cb) { chunks.push(c); cb() } })
  await pipeline(img.createReadStream('/sparse.bin', { sparse: true }), sink())
  const total = chunks.reduce((n, c) => n + c.data.length, 0)
  t.ok(total < h.MB, `only the data ranges were read (${total} bytes)`)
  t.equal(chunks[0].position, 0, 'first chunk at 0')
  t.equal(chunks[0].data.subarray(0, 4).toString(), 'head', 'head')
  const last = chunks[chunks.length - 1]
  t.equal(last.position + last.data.length, 64 * h.MB + 4, 'last chunk ends at the size')
  t.equal(last.data.subarray(last.data.length - 4).toString(), 'tail', 'tail')
  await img.sync()
  chunks.length = 0
  await pipeline(img.disk.createReadStream({ sparse: true }), sink())
  const bytes = chunks.reduce((n, c) => n + c.data.length, 0)
  const used = fs.statSync(file).blocks * 512
  t.ok(bytes <= used + 16 * h.MB && bytes < 1600 * h.MB, `the disk's holes were skipped (${bytes >> 20} MiB read, ${used >> 20} MiB allocated of 2048)`)
  t.ok(chunks.every((c, i) => i === 0 || c.position >= chunks[i - 1].position + chunks[i - 1].data.length), 'positions increase')
  const sb = chunks.find((c) => c.position <= 1024 && c.position + c.data.length >= 2048)
  t.equal(sb.data.readUInt16LE(1024 - sb.position + 0x38), 0xef53, 'the superblock is in the data')
})

test('block write stream: raw bytes in and back (memory disk)', async (t) => {
  const disk = lkl.disk.memory(8 * h.MB)
  const data = h.pattern(3 * h.MB + 512, 11)
  await pipeline(require('stream').Readable.from([data.subarray(0, h.MB), data.subarray(h.MB)]), disk.createWriteStream({ start: 4096 }))
  const parts = []
  await pipeline(disk.createReadStream({ start: 4096, end: 4096 + data.length - 1 }), new Writable({ write (c, e, cb) { parts.push(c); cb() } }))
  t.ok(Buffer.concat(parts).equals(data), 'read back what was written at start')
  const chunks = []
  await pipeline(disk.createReadStream({ sparse: true, highWaterMark: 65536 }), new Writable({ objectMode: true, write (c, e, cb) { chunks.push(c); cb() } }))
  t.equal(chunks.reduce((n, c) => n + c.data.length, 0), Math.ceil((data.length + 4096) / 65536) * 65536, 'sparse on a memory disk: zero chunks skipped')
  await disk.close()
})

test('hostWalk/hostWriter: destroy before open and mid-way, errors in open', async (t) => {
  const w = lkl.hostWalk('/usr/share')
  const wClosed = closed(w)
  w.destroy()
  await wClosed
  const w2 = lkl.hostWalk('/usr/share')
  const w2Closed = closed(w2)
  let n = 0
  w2.on('data', (e) => { if (e.content) e.content.destroy(); if (++n === 10) w2.destroy() })
  await w2Closed
  t.ok(n >= 10, 'walk destroyed mid-way')
  await rejects(t, pipeline(lkl.hostWalk('/nonexistent/dir'), lkl.tarPack(), new Writable({ write (c, e, cb) { cb() } })), (err) => err.code === 'ENOENT', 'missing dir reaches pipeline')
  const blocker = path.join(dir, 'a-file')
  fs.writeFileSync(blocker, 'x')
  await rejects(t, pipeline(img.walk('/tree/a'), lkl.hostWriter(path.join(blocker, 'sub'))), (err) => err.code === 'ENOTDIR' || err.code === 'EEXIST', 'writer open error reaches pipeline')
  const hw = lkl.hostWriter(path.join(dir, 'never'))
  const hwClosed = closed(hw)
  hw.destroy()
  await hwClosed
  t.pass('writer destroyed before open')
})

test('teardown', async (t) => {
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  t.end()
})
