// SPDX-License-Identifier: GPL-2.0-only
// Differential test: the same script against node:fs on a host temp dir
// and against img.fs on an ext4 image; results, Stats fields, error codes,
// syscalls, paths and messages must be the same.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const util = require('util')
const lkl = require('..')
const h = require('./helpers')

// The parts of a Stats that do not depend on the filesystem's layout.
function statFields (s, dir = false) {
  const kinds = ['isFile', 'isDirectory', 'isSymbolicLink', 'isFIFO', 'isSocket', 'isCharacterDevice', 'isBlockDevice'].filter((k) => s[k]())
  return { kinds, mode: Number(s.mode), nlink: dir ? null : Number(s.nlink), uid: Number(s.uid), gid: Number(s.gid), size: dir ? null : Number(s.size), rdev: Number(s.rdev) }
}

async function script (fsx, root) {
  const p = fsx.promises
  const P = (x) => root + x
  // mkdtemp names are random: compare their shape.
  const strip = (v) => typeof v === 'string' ? v.split(root).join('').replace(/tmp-[A-Za-z0-9]{6}/g, 'tmp-XXXXXX') : v
  const out = []
  const rec = async (name, fn) => {
    try {
      const v = await fn()
      out.push([name, 'ok', v === undefined ? null : JSON.parse(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() + 'n' : strip(x)))])
    } catch (e) {
      if (!e.code) throw e
      out.push([name, e.code, e.errno, e.syscall, strip(e.path), strip(e.dest), strip(e.message)])
    }
  }
  const cb = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (err, ...res) => err ? reject(err) : resolve(res)))

  await rec('mkdir', () => p.mkdir(P('/x')))
  await rec('mkdir exists', () => p.mkdir(P('/x')))
  await rec('mkdir no parent', () => p.mkdir(P('/x/y/z')))
  await rec('mkdir -p', async () => strip(await p.mkdir(P('/x/y/z'), { recursive: true })))
  await rec('mkdir -p again', () => p.mkdir(P('/x/y/z'), { recursive: true }))
  await rec('writeFile', () => p.writeFile(P('/x/a.txt'), 'data', { mode: 0o640 }))
  await rec('mkdir -p over a file', () => p.mkdir(P('/x/a.txt/q'), { recursive: true }))
  await rec('readFile', async () => (await p.readFile(P('/x/a.txt'))).toString())
  await rec('readFile missing', () => p.readFile(P('/x/missing')))
  await rec('readFile a dir', () => p.readFile(P('/x')))
  await rec('writeFile a dir', () => p.writeFile(P('/x'), 'q'))
  await rec('writeFile no dir', () => p.writeFile(P('/nodir/a'), 'x'))
  await rec('writeFile wx', () => p.writeFile(P('/x/a.txt'), 'x', { flag: 'wx' }))
  await rec('appendFile', async () => { await p.appendFile(P('/x/a.txt'), '+more'); return (await p.readFile(P('/x/a.txt'), 'utf8')) })
  await rec('truncate', async () => { await p.truncate(P('/x/a.txt'), 6); return (await p.readFile(P('/x/a.txt'), 'latin1')) })
  await rec('truncate grow', async () => { await p.truncate(P('/x/a.txt'), 8); return (await p.readFile(P('/x/a.txt'))).toJSON().data })
  await rec('truncate missing', () => p.truncate(P('/x/none'), 1))
  await rec('stat file', async () => statFields(await p.stat(P('/x/a.txt'))))
  await rec('stat dir', async () => statFields(await p.stat(P('/x')), true))
  await rec('stat bigint', async () => statFields(await p.stat(P('/x/a.txt'), { bigint: true })))
  await rec('stat missing', () => p.stat(P('/x/none')))
  await rec('lstat missing', () => p.lstat(P('/x/none')))
  await rec('stat through a file', () => p.stat(P('/x/a.txt/b')))
  await rec('chmod setuid', async () => { await p.chmod(P('/x/a.txt'), 0o4751); return (await p.stat(P('/x/a.txt'))).mode })
  await rec('chmod sticky dir', async () => { await p.chmod(P('/x/y'), 0o1777); return (await p.stat(P('/x/y'))).mode })
  await rec('chmod string mode', async () => { await p.chmod(P('/x/y'), '2755'); return (await p.stat(P('/x/y'))).mode })
  await rec('chmod missing', () => p.chmod(P('/x/none'), 0o600))
  await rec('chown', async () => { await p.chown(P('/x/a.txt'), 1234, 5678); const s = await p.stat(P('/x/a.txt')); return [s.uid, s.gid, s.mode] })
  await rec('chown -1 keeps', async () => { await p.chown(P('/x/a.txt'), -1, 42); const s = await p.stat(P('/x/a.txt')); return [s.uid, s.gid] })
  await rec('utimes numbers', async () => { await p.utimes(P('/x/a.txt'), 1500000000.5, 1400000000); const s = await p.stat(P('/x/a.txt'), { bigint: true }); return [s.atimeNs, s.mtimeNs, s.atimeMs, s.mtimeMs] })
  await rec('utimes Dates', async () => { await p.utimes(P('/x/a.txt'), new Date(1300000000000), new Date(1200000000000)); const s = await p.stat(P('/x/a.txt')); return [s.atimeMs, s.mtimeMs, s.atime.toISOString()] })
  await rec('utimes strings', async () => { await p.utimes(P('/x/a.txt'), '1000000000', '1100000000.25'); const s = await p.stat(P('/x/a.txt')); return [s.atimeMs, s.mtimeMs] })
  await rec('utimes missing', () => p.utimes(P('/x/none'), 1, 1))
  // node:fs goes through float seconds cut to microseconds (libuv): the
  // same numbers, strings and Dates must store the same nanoseconds.
  const TIMES = [
    [1582979696.5, 1582979696.123456], [1.0000005, 2.9999999], [1000000.1234567, 0.0000015],
    ['-1.5', '-1.0000005'], ['1100000000.123456789', '0.9999999'], [new Date(1582979696123), new Date(-1500)],
    [new Date(1), 4294967296.000001], [1e-7, 2e9 + 0.999999]
  ]
  for (const [i, [a, m]] of TIMES.entries()) {
    await rec(`utimes fractions ${i}`, async () => { await p.utimes(P('/x/a.txt'), a, m); const s = await p.stat(P('/x/a.txt'), { bigint: true }); return [s.atimeNs, s.mtimeNs] })
    await rec(`futimes fractions ${i}`, async () => {
      const f = await p.open(P('/x/a.txt'), 'r')
      try { await f.utimes(m, a); const s = await f.stat({ bigint: true }); return [s.atimeNs, s.mtimeNs] } finally { await f.close() }
    })
    await rec(`utimes callback fractions ${i}`, async () => { await cb(fsx.utimes, P('/x/a.txt'), a, a); const s = await p.stat(P('/x/a.txt'), { bigint: true }); return [s.atimeNs, s.mtimeNs] })
  }
  await rec('symlink', () => p.symlink('a.txt', P('/x/l')))
  await rec('symlink exists', () => p.symlink('a.txt', P('/x/l')))
  await rec('symlink dangling', () => p.symlink('nowhere', P('/x/dangling')))
  await rec('readlink', () => p.readlink(P('/x/l')))
  await rec('readlink buffer', async () => (await p.readlink(P('/x/l'), 'buffer')).toString('hex'))
  await rec('readlink a file', () => p.readlink(P('/x/a.txt')))
  await rec('lstat link', async () => { const s = await p.lstat(P('/x/l')); return [s.isSymbolicLink(), s.size] })
  await rec('stat through link', async () => statFields(await p.stat(P('/x/l'))))
  await rec('stat dangling', () => p.stat(P('/x/dangling')))
  await rec('lutimes', async () => { await p.lutimes(P('/x/l'), 1000000001, 1000000002); const s = await p.lstat(P('/x/l')); return [s.atimeMs, s.mtimeMs] })
  await rec('lchown', async () => { await p.lchown(P('/x/l'), 77, 88); const s = await p.lstat(P('/x/l')); return [s.uid, s.gid] })
  await rec('link', async () => { await p.link(P('/x/a.txt'), P('/x/hard')); return (await p.stat(P('/x/a.txt'))).nlink })
  await rec('link exists', () => p.link(P('/x/a.txt'), P('/x/hard')))
  await rec('link missing', () => p.link(P('/x/none'), P('/x/h2')))
  await rec('link a dir', () => p.link(P('/x/y'), P('/x/h3')))
  await rec('rename', () => p.rename(P('/x/hard'), P('/x/hard2')))
  await rec('rename missing', () => p.rename(P('/x/hard'), P('/x/c')))
  await rec('rename dir onto file', () => p.rename(P('/x/y'), P('/x/a.txt')))
  await rec('rename file onto dir', () => p.rename(P('/x/a.txt'), P('/x/y')))
  await rec('rename into itself', () => p.rename(P('/x'), P('/x/y/inside')))
  await rec('readdir', async () => (await p.readdir(P('/x'))).sort())
  await rec('readdir types', async () => (await p.readdir(P('/x'), { withFileTypes: true })).map((d) => [d.name, d.isFile(), d.isDirectory(), d.isSymbolicLink(), strip(d.parentPath)]).sort())
  await rec('readdir recursive', async () => (await p.readdir(P('/x'), { recursive: true })).sort())
  await rec('readdir recursive types', async () => (await p.readdir(P('/x'), { recursive: true, withFileTypes: true })).map((d) => [d.name, d.isDirectory(), strip(d.parentPath)]).sort())
  await rec('readdir a file', () => p.readdir(P('/x/a.txt')))
  await rec('readdir missing', () => p.readdir(P('/x/none')))
  await rec('opendir', async () => { const d = await p.opendir(P('/x/y')); const n = []; for await (const e of d) n.push(e.name); return [strip(d.path), n.sort()] })
  await rec('opendir missing', () => p.opendir(P('/x/none')))
  await rec('opendir read after close', async () => { const d = await p.opendir(P('/x')); await d.close(); return d.read() })
  await rec('copyFile', async () => { await p.copyFile(P('/x/a.txt'), P('/x/copy')); const s = await p.stat(P('/x/copy')); return [s.mode, s.size] })
  await rec('copyFile excl', () => p.copyFile(P('/x/a.txt'), P('/x/copy'), fs.constants.COPYFILE_EXCL))
  await rec('copyFile missing', () => p.copyFile(P('/x/none'), P('/x/copy2')))
  await rec('copyFile to a missing dir', () => p.copyFile(P('/x/a.txt'), P('/nodir/copy')))
  await rec('copyFile a dir', () => p.copyFile(P('/x/y'), P('/x/copy3')))
  await rec('access', () => p.access(P('/x/a.txt'), fs.constants.R_OK))
  await rec('access missing', () => p.access(P('/x/none')))
  await rec('access X_OK on 0644', async () => { await p.writeFile(P('/x/plain'), '', { mode: 0o644 }); return p.access(P('/x/plain'), fs.constants.X_OK) })
  await rec('realpath', async () => strip(await p.realpath(P('/x/l'))))
  await rec('realpath dir', async () => strip(await p.realpath(P('/x/y/z/..'))))
  await rec('realpath missing', () => p.realpath(P('/x/none')))
  await rec('mkdtemp', async () => /^\/x\/tmp-[A-Za-z0-9]{6}$/.test(strip(await p.mkdtemp(P('/x/tmp-')))))
  await rec('mkdtemp missing dir', () => p.mkdtemp(P('/nodir/tmp-')))
  await rec('rmdir non-empty', () => p.rmdir(P('/x')))
  await rec('rmdir a file', () => p.rmdir(P('/x/a.txt')))
  await rec('rmdir missing', () => p.rmdir(P('/x/none')))
  await rec('unlink a dir', () => p.unlink(P('/x/y')))
  await rec('unlink missing', () => p.unlink(P('/x/none')))
  await rec('unlink', () => p.unlink(P('/x/hard2')))
  await rec('rm a file', () => p.rm(P('/x/copy')))
  await rec('rm missing', () => p.rm(P('/x/none')))
  await rec('rm force missing', () => p.rm(P('/x/none'), { force: true }))
  await rec('rm a dir', () => p.rm(P('/x/y')))
  await rec('rm -r', async () => { await p.rm(P('/x/y'), { recursive: true }); return (await p.readdir(P('/x'))).filter((n) => !n.startsWith('tmp-')).sort() })
  await rec('open wx', async () => { const f = await p.open(P('/x/n'), 'wx'); await f.close() })
  await rec('open wx again', () => p.open(P('/x/n'), 'wx'))
  await rec('open r missing', () => p.open(P('/x/none')))
  await rec('open a dir for writing', () => p.open(P('/x'), 'w'))
  await rec('FileHandle', async () => {
    const f = await p.open(P('/x/fh'), 'w+')
    const r = []
    r.push((await f.write('hello world')).bytesWritten)
    r.push((await f.write(Buffer.from('HE'), 0, 2, 0)).bytesWritten)
    const b = Buffer.alloc(5)
    r.push((await f.read(b, 0, 5, 0)).bytesRead, b.toString())
    r.push((await f.writev([Buffer.from('ab'), Buffer.from('cd')], 1)).bytesWritten)
    const v = [Buffer.alloc(3), Buffer.alloc(3)]
    r.push((await f.readv(v, 0)).bytesRead, Buffer.concat(v).toString())
    await f.truncate(4)
    await f.chmod(0o600)
    await f.utimes(1000000000, 1000000000)
    const s = await f.stat()
    r.push(s.size, s.mode, s.mtimeMs)
    r.push(await f.readFile('utf8'))
    await f.close()
    return r
  })
  await rec('callback stat', async () => statFields((await cb(fsx.stat, P('/x/fh')))[0]))
  await rec('callback readdir', async () => (await cb(fsx.readdir, P('/x')))[0].filter((n) => !n.startsWith('tmp-')).sort())
  await rec('callback readFile missing', () => cb(fsx.readFile, P('/x/none')))
  await rec('callback mkdir -p', async () => strip((await cb(fsx.mkdir, P('/x/cb/d'), { recursive: true }))[0]))
  await rec('statfs shape', async () => Object.keys(await p.statfs(P('/'))).sort())
  await rec('constants', () => ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_EXCL', 'O_TRUNC', 'O_APPEND', 'O_DIRECTORY', 'O_NOFOLLOW', 'O_SYNC', 'S_IFMT', 'S_IFREG', 'S_IFDIR', 'S_IFLNK', 'F_OK', 'R_OK', 'W_OK', 'X_OK', 'COPYFILE_EXCL'].map((k) => fsx.constants[k]))
  return out
}

test('differential: node:fs on a host dir vs img.fs on ext4', async (t) => {
  const dir = h.tmpdir('lkl-diff')
  const host = path.join(dir, 'host')
  fs.mkdirSync(host)
  const file = path.join(dir, 'diff.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file, { type: 'ext4' })
  const old = process.umask(0o022) // the kernel's umask
  const want = await script(fs, host)
  process.umask(old)
  const got = await script(img.fs, '')
  t.equal(got.length, want.length, `${want.length} cases`)
  for (let i = 0; i < want.length; i++) t.deepEqual(got[i], want[i], want[i][0] + (want[i][1] === 'ok' ? '' : ' -> ' + want[i][1]))
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  t.comment(util.format('node %s', process.version))
})
