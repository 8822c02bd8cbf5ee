// SPDX-License-Identifier: GPL-2.0-only
// tarPack/tarUnpack at the format level, no image: our pack read back by
// tar-stream (an independent reader) and GNU tar; edge cases (long and
// unicode names, big ids, ns and negative times, binary xattrs, devices,
// hardlinks); the option transforms.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable, Writable } = require('stream')
const tarStream = require('tar-stream')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-tarfmt')

function content (buf) {
  return Readable.from([buf])
}

const LONG = 'd'.repeat(120) + '/' + 'é'.repeat(80) + '/file.txt'
const CAP = Buffer.from('0100000200200000000000000000000000000000', 'hex')
const ACL = Buffer.from('0200000001000600ffffffff02000400d204000004000400ffffffff10000400ffffffff20000400ffffffff', 'hex')

function entries () {
  return [
    { path: '.', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1000000000123456789n },
    { path: 'a.txt', type: 'file', mode: 0o4755, uid: 3000000, gid: 7, size: 5, mtime: -1500000000n, content: content(Buffer.from('hello')), xattrs: { 'security.capability': CAP, 'user.bin': Buffer.from([0, 10, 255, 61]), 'system.posix_acl_access': ACL } },
    { path: LONG, type: 'file', mode: 0o644, uid: 1, gid: 1, size: 3, mtime: 5n, content: content(Buffer.from('abc')) },
    { path: 'hl', type: 'hardlink', linkname: LONG, mode: 0o644, uid: 1, gid: 1, size: 0, mtime: 5n },
    { path: 'sym', type: 'symlink', linkname: 'x'.repeat(150), mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 7n },
    { path: 'dev', type: 'block', devmajor: 7, devminor: 300, mode: 0o660, uid: 0, gid: 6, size: 0, mtime: 8n },
    { path: 'fifo', type: 'fifo', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: 9n }
  ]
}

async function roundTrip (list, ...transforms) {
  const out = []
  await pipeline(Readable.from(list), lkl.tarPack(), lkl.tarUnpack(), ...transforms, new Writable({
    objectMode: true,
    write (e, enc, cb) {
      const parts = []
      if (!e.content) { out.push(e); return cb() }
      e.content.on('data', (d) => parts.push(d))
      e.content.on('end', () => { e.data = Buffer.concat(parts).toString(); delete e.content; out.push(e); cb() })
    }
  }))
  return out
}

test('tarPack -> tarUnpack keeps every field', async (t) => {
  const out = await roundTrip(entries())
  t.deepEqual(out.map((e) => e.path), ['.', 'a.txt', LONG, 'hl', 'sym', 'dev', 'fifo'], 'paths (long, unicode)')
  const a = out[1]
  t.equal(a.mode, 0o4755, 'setuid mode')
  t.equal(a.uid, 3000000, 'uid beyond ustar')
  t.equal(a.mtime, -1500000000n, 'negative sub-second mtime')
  t.equal(out[0].mtime, 1000000000123456789n, 'ns mtime')
  t.ok(a.xattrs['security.capability'].equals(CAP), 'binary capability xattr')
  t.ok(a.xattrs['user.bin'].equals(Buffer.from([0, 10, 255, 61])), 'binary xattr with = and newline-ish bytes')
  t.ok(a.xattrs['system.posix_acl_access'].equals(ACL), 'ACL xattr')
  t.equal(a.data, 'hello', 'content')
  t.equal(out[3].linkname, LONG, 'hardlink to a long name')
  t.equal(out[4].linkname, 'x'.repeat(150), 'long symlink target')
  t.deepEqual([out[5].devmajor, out[5].devminor], [7, 300], 'device numbers')
  t.equal(out[6].type, 'fifo', 'fifo')
})

test('tar-stream and GNU tar read our output', async (t) => {
  const file = path.join(dir, 'ours.tar')
  await pipeline(Readable.from(entries()), lkl.tarPack(), fs.createWriteStream(file))
  const names = []
  const ex = tarStream.extract()
  ex.on('entry', (hd, stream, next) => { names.push(hd.name); stream.resume(); stream.on('end', next) })
  await pipeline(fs.createReadStream(file), ex)
  t.deepEqual(names, ['./', 'a.txt', LONG, 'hl', 'sym', 'dev', 'fifo'], 'tar-stream')
  const gnu = h.must('tar', ['--numeric-owner', '-tvf', file]).stdout.toString()
  t.match(gnu, /-rwsr-xr-x 3000000\/7 +5 1969-12-31 23:59 a\.txt/, 'GNU tar: mode, big uid, negative time')
  t.match(gnu, /brw-rw---- 0\/6 +7,300 .* dev/, 'GNU tar: device')
  const pax = h.must('tar', ['--xattrs', '--xattrs-include=*', '--acls', '-xf', file, '-C', h.tmpdir('gx')]).status
  t.equal(pax, 0, 'GNU tar extracts (xattrs, acls)')
})

test('transforms: filter, exclude, strip, prefix, owners, clamp', async (t) => {
  const T = lkl.transforms
  let out = await roundTrip(entries(), T.exclude('dd*', /^fi/))
  t.deepEqual(out.map((e) => e.path), ['.', 'a.txt', 'hl', 'sym', 'dev'], 'exclude (glob and RegExp; below too)')
  out = await roundTrip(entries(), T.filter((e) => e.type !== 'file'), T.prefix('root/x'))
  t.deepEqual(out.map((e) => e.path), ['root/x', 'root/x/hl', 'root/x/sym', 'root/x/dev', 'root/x/fifo'], 'filter + prefix')
  t.equal(out[1].linkname, 'root/x/' + LONG, 'prefix moves hardlink targets')
  out = await roundTrip(entries(), T.strip(1))
  t.deepEqual(out.map((e) => e.path), [LONG.slice(121)], 'strip(1) drops what vanishes')
  out = await roundTrip(entries(), T.squashOwners(), T.clampMtime(6))
  t.ok(out.every((e) => e.uid === 0 && e.gid === 0), 'owners squashed')
  t.ok(out.every((e) => e.mtime <= 6000000000n), 'times clamped')
  t.equal(out[1].mtime, -1500000000n, 'earlier times untouched')
  out = await roundTrip(entries(), T.owner({ uid: new Map([[1, 100]]), gid: (g) => g + 1 }))
  t.deepEqual(out.map((e) => e.uid), [0, 3000000, 100, 100, 0, 0, 0], 'uid map')
  t.deepEqual(out.map((e) => e.gid), [1, 8, 2, 2, 1, 7, 1], 'gid function')
})

test('bad entries: size mismatch and unknown types fail the pipeline', async (t) => {
  const bad = [{ path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, mtime: 0n, content: content(Buffer.from('short')) }]
  try {
    await pipeline(Readable.from(bad), lkl.tarPack(), new Writable({ write (c, e, cb) { cb() } }))
    t.fail('no error')
  } catch (err) {
    t.equal(err.code, 'ERR_LKL_ENTRY_SIZE', 'content shorter than size: ' + err.message)
  }
})

test('tar codec errors are LklErrors naming the entry; a longer content never reaches the archive', async (t) => {
  const long = [{ path: 'd/f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 4, mtime: 0n, content: content(Buffer.from('abcdOVERFLOW')) }]
  const out = []
  try {
    await pipeline(Readable.from(long), lkl.tarPack(), new Writable({ write (c, e, cb) { out.push(c); cb() } }))
    t.fail('no error')
  } catch (err) {
    t.ok(err instanceof lkl.LklError && err.code === 'ERR_LKL_ENTRY_SIZE' && err.path === 'd/f', 'longer content: an LklError with the path: ' + err.message)
  }
  t.notOk(Buffer.concat(out).includes('OVERFLOW'), 'no byte of the too-long content was written')
  const garbage = Buffer.alloc(1024, 0x41)
  try {
    await pipeline(Readable.from([garbage]), lkl.tarUnpack(), new Writable({ objectMode: true, write (e, enc, cb) { cb() } }))
    t.fail('no error')
  } catch (err) {
    t.ok(err instanceof lkl.LklError && err.code === 'ERR_LKL_TAR_INVALID' && /at byte 0/.test(err.message), 'not a tar: an LklError: ' + err.message)
  }
})

test('imageWriter: overwrite refused by default, allowed by option', async (t) => {
  const file = path.join(dir, 'ow.img')
  h.sparse(file, 32 * h.MB)
  h.must('mkfs.ext4', ['-q', '-F', file])
  const img = await lkl.open(file, { type: 'ext4' })
  const one = (text) => [{ path: 'f.txt', type: 'file', mode: 0o600, uid: 5, gid: 6, size: text.length, mtime: 3000000000n, content: content(Buffer.from(text)) }]
  await pipeline(Readable.from(one('first')), img.writer('/w'))
  try {
    await pipeline(Readable.from(one('second')), img.writer('/w'))
    t.fail('no error')
  } catch (err) {
    t.ok(err.code === 'EEXIST' && /'f\.txt'/.test(err.message), 'EEXIST naming the entry: ' + err.message)
  }
  await pipeline(Readable.from(one('third')), img.writer('/w', { overwrite: true }))
  t.equal((await img.fs.promises.readFile('/w/f.txt')).toString(), 'third', 'replaced')
  const st = await img.fs.promises.stat('/w/f.txt', { bigint: true })
  t.deepEqual([Number(st.uid), Number(st.gid), Number(st.mode) & 0o7777, st.mtimeNs], [5, 6, 0o600, 3000000000n], 'metadata applied')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})
