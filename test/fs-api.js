// SPDX-License-Identifier: GPL-2.0-only
// img.fs.promises details, and a differential run against node:fs on a
// host temp dir (same calls, same results and error codes).
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-api')
const file = path.join(dir, 'api.img')
h.makeImage('ext4', file, null)
let img

test('open', async (t) => {
  img = await lkl.open(file, { type: 'ext4' })
  t.equal(img.type, 'ext4')
  t.equal(img.path, file)
})

test('stat fields and times', async (t) => {
  const p = img.fs.promises
  const before = Date.now()
  await p.writeFile('/t.txt', 'abc', { mode: 0o640 })
  const st = await p.stat('/t.txt')
  t.equal(st.size, 3)
  t.equal(st.mode & 0o777, 0o640, 'mode as given (0o640 is not touched by the umask)')
  t.equal(st.nlink, 1)
  t.ok(st.ino > 0 && st.blksize > 0 && st.dev > 0, 'ino, blksize, dev')
  t.ok(st.mtime instanceof Date && Math.abs(st.mtimeMs - before) < 5000, 'mtime is now')
  t.equal(typeof st.mtimeNs, 'bigint', 'mtimeNs is a bigint')
  t.equal(Number(st.mtimeNs / 1000000n), Math.floor(st.mtimeMs), 'ns and ms agree')
  t.ok(st.birthtimeMs > 0, 'ext4 has birth time')
  await p.utimes('/t.txt', 1000000000.5, new Date(1500000000123))
  const st2 = await p.stat('/t.txt')
  t.equal(st2.atimeNs, 1000000000500000000n, 'utimes atime with ns')
  // As node:fs stores it: through float seconds cut to microseconds.
  t.equal(st2.mtimeMs, 1500000000122.999, 'utimes mtime from a Date, as node:fs stores it')
  await p.chmod('/t.txt', 0o600)
  t.equal((await p.stat('/t.txt')).mode & 0o777, 0o600, 'chmod')
  await p.chown('/t.txt', 1234, 5678)
  const st3 = await p.stat('/t.txt')
  t.deepEqual([st3.uid, st3.gid], [1234, 5678], 'chown')
})

test('readdir withFileTypes, symlinks, links, Buffer paths', async (t) => {
  const p = img.fs.promises
  await p.mkdir('/d')
  await p.writeFile('/d/f', 'f')
  await p.mkdir('/d/sub')
  await p.symlink('f', '/d/l')
  await p.link('/d/f', '/d/hard')
  const ents = (await p.readdir('/d', { withFileTypes: true })).sort((a, b) => a.name < b.name ? -1 : 1)
  t.deepEqual(ents.map((e) => [e.name, e.isFile(), e.isDirectory(), e.isSymbolicLink()]),
    [['f', true, false, false], ['hard', true, false, false], ['l', false, false, true], ['sub', false, true, false]])
  t.equal(ents[0].parentPath, '/d', 'parentPath as given')
  t.ok((await p.lstat('/d/l')).isSymbolicLink(), 'lstat sees the link')
  t.ok((await p.stat('/d/l')).isFile(), 'stat follows it')
  t.equal((await p.stat('/d/f')).nlink, 2, 'hard link count')
  t.equal((await p.readFile(Buffer.from('/d/f'))).toString(), 'f', 'Buffer path')
  t.deepEqual(await p.readlink('/d/l', { encoding: 'buffer' }), Buffer.from('f'), 'readlink as buffer')
})

test('symlinks resolve inside the image', async (t) => {
  const p = img.fs.promises
  await p.mkdir('/etc')
  await p.writeFile('/etc/real.conf', 'inside')
  await p.symlink('/etc/real.conf', '/etc/abs.conf')
  await p.symlink('../../../../etc/real.conf', '/etc/up.conf')
  await p.symlink('/mnt', '/escape')
  await p.symlink('/', '/rootlink')
  t.equal(await p.readFile('/etc/abs.conf', 'utf8'), 'inside', 'absolute target resolves in the image')
  t.equal(await p.readFile('/etc/up.conf', 'utf8'), 'inside', '.. stops at the image root')
  t.equal((await p.stat('/etc/abs.conf')).size, 6, 'stat follows inside the image')
  await p.readdir('/escape').then(() => t.fail('/mnt of the kernel is visible'), (e) => t.equal(e.code, 'ENOENT', 'no way out to the kernel\'s root'))
  t.ok((await p.readdir('/rootlink')).includes('etc'), 'a link to / is the image root')
  await p.writeFile('/rootlink/etc/via-link', 'x')
  t.equal(await p.readFile('/etc/via-link', 'utf8'), 'x', 'writes through a link stay inside')
})

test('mkdir recursive, appendFile, truncate, rename over', async (t) => {
  const p = img.fs.promises
  t.equal(await p.mkdir('/r/s/t', { recursive: true }), '/r', 'returns the first directory created')
  t.equal(await p.mkdir('/r/s/t', { recursive: true }), undefined, 'undefined when nothing is created')
  await p.appendFile('/r/log', 'one\n')
  await p.appendFile('/r/log', 'two\n')
  t.equal(await p.readFile('/r/log', 'utf8'), 'one\ntwo\n', 'appendFile')
  await p.truncate('/r/log', 3)
  t.equal(await p.readFile('/r/log', { encoding: 'utf8' }), 'one', 'truncate')
  await p.writeFile('/r/other', 'other')
  await p.rename('/r/other', '/r/log')
  t.equal(await p.readFile('/r/log', 'utf8'), 'other', 'rename replaces')
  await p.rmdir('/r/s/t')
  t.deepEqual(await p.readdir('/r/s'), [], 'rmdir')
})

test('FileHandle', async (t) => {
  const p = img.fs.promises
  const fh = await p.open('/fh.bin', 'w+')
  t.equal(typeof fh.fd, 'number')
  t.equal((await fh.write(Buffer.from('hello world'))).bytesWritten, 11)
  t.equal((await fh.write('HELLO', 0)).bytesWritten, 5, 'string at a position')
  const buf = Buffer.alloc(11)
  const r = await fh.read(buf, 0, 11, 0)
  t.equal(r.bytesRead, 11)
  t.equal(buf.toString(), 'HELLO world')
  const r2 = await fh.read({ buffer: Buffer.alloc(5), position: 6 })
  t.equal(r2.buffer.toString(), 'world', 'read with an options object')
  await fh.truncate(5)
  t.equal((await fh.stat()).size, 5, 'truncate + stat')
  await fh.sync()
  await fh.datasync()
  await fh.close()
  await fh.close()
  await fh.read(Buffer.alloc(1), 0, 1, 0).then(() => t.fail(), (e) => t.equal(e.code, 'ERR_LKL_FILE_CLOSED', 'read after close'))
  t.equal(await p.readFile('/fh.bin', 'utf8'), 'HELLO')
  t.throws(() => fh.read(Buffer.alloc(4), 2, 4, 0), (e) => e.code === 'ERR_OUT_OF_RANGE', 'out of range read throws synchronously')
})

// The same script against node:fs (host temp dir) and the image.
async function script (p, root) {
  const out = []
  const rec = async (name, fn) => {
    try {
      const v = await fn()
      out.push([name, 'ok', v === undefined ? null : v])
    } catch (e) {
      out.push([name, e.code, e.syscall, e.path && e.path.replace(root, ''), e.dest && e.dest.replace(root, '')])
    }
  }
  const P = (x) => root + x
  await rec('mkdir', () => p.mkdir(P('/x')))
  await rec('mkdir again', () => p.mkdir(P('/x')))
  await rec('mkdir deep', () => p.mkdir(P('/x/y/z')))
  await rec('mkdir -p', async () => (await p.mkdir(P('/x/y/z'), { recursive: true })).replace(root, ''))
  await rec('write', () => p.writeFile(P('/x/a.txt'), 'data'))
  await rec('read', async () => (await p.readFile(P('/x/a.txt'))).toString())
  await rec('read missing', () => p.readFile(P('/x/missing')))
  await rec('write in missing dir', () => p.writeFile(P('/nodir/a'), 'x'))
  await rec('readdir', async () => (await p.readdir(P('/x'))).sort())
  await rec('readdir file', () => p.readdir(P('/x/a.txt')))
  await rec('stat size', async () => (await p.stat(P('/x/a.txt'))).size)
  await rec('stat kinds', async () => { const s = await p.stat(P('/x')); return [s.isDirectory(), s.isFile()] })
  await rec('lstat missing', () => p.lstat(P('/x/none')))
  await rec('rename', () => p.rename(P('/x/a.txt'), P('/x/b.txt')))
  await rec('rename missing', () => p.rename(P('/x/a.txt'), P('/x/c.txt')))
  await rec('rename dir onto file', () => p.rename(P('/x/y'), P('/x/b.txt')))
  await rec('symlink', () => p.symlink('b.txt', P('/x/l')))
  await rec('symlink exists', () => p.symlink('b.txt', P('/x/l')))
  await rec('readlink', () => p.readlink(P('/x/l')))
  await rec('readlink file', () => p.readlink(P('/x/b.txt')))
  await rec('unlink dir', () => p.unlink(P('/x/y')))
  await rec('rmdir file', () => p.rmdir(P('/x/b.txt')))
  await rec('rmdir nonempty', () => p.rmdir(P('/x/y')))
  await rec('unlink', () => p.unlink(P('/x/b.txt')))
  await rec('unlink again', () => p.unlink(P('/x/b.txt')))
  await rec('open wx', async () => { const f = await p.open(P('/x/n'), 'wx'); await f.close() })
  await rec('open wx again', () => p.open(P('/x/n'), 'wx'))
  await rec('open r missing', () => p.open(P('/x/none'), 'r'))
  await rec('append', async () => { await p.appendFile(P('/x/n'), 'a'); await p.appendFile(P('/x/n'), 'b'); return (await p.readFile(P('/x/n'))).toString() })
  return out
}

test('differential: node:fs vs img.fs.promises', async (t) => {
  const host = h.tmpdir('lkl-diff')
  const want = await script(fs.promises, host)
  const got = await script(img.fs.promises, '')
  for (let i = 0; i < want.length; i++) t.deepEqual(got[i], want[i], want[i][0])
})

test('close', async (t) => {
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})
