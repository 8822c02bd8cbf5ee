// SPDX-License-Identifier: GPL-2.0-only
// Bad input gives clear errors, never a crash or a hang; error shapes.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-errors')
const good = path.join(dir, 'good.img')
h.makeImage('ext4', good, h.makeTree(path.join(dir, 'src')))

async function rejects (t, promise, check, msg) {
  try {
    await promise
    t.fail(msg + ': did not fail')
  } catch (e) {
    for (const [k, v] of Object.entries(check)) t.equal(e[k], v, `${msg}: ${k} = ${v}`)
    t.notOk(/\/mnt\//.test(e.message + e.stack + (e.path || '')), `${msg}: no internal path in the error`)
    return e
  }
}

test('a missing image', async (t) => {
  await rejects(t, lkl.open(path.join(dir, 'missing.img')), { code: 'ENOENT', syscall: 'open', path: path.join(dir, 'missing.img') }, 'missing image')
})

test('a wrong filesystem type', async (t) => {
  const e = await rejects(t, lkl.open(good, { type: 'vfat' }), { code: 'ERR_LKL_MOUNT_FAILED' }, 'ext4 mounted as vfat')
  t.comment(e.message)
  await rejects(t, lkl.open(good, { type: 'xfs' }), { code: 'ERR_LKL_MOUNT_FAILED' }, 'ext4 mounted as xfs')
  await rejects(t, lkl.open(good, { type: 'nosuchfs' }), { code: 'ERR_LKL_UNKNOWN_FSTYPE' }, 'unknown type')
})

test('a file that is not an image', async (t) => {
  const junk = path.join(dir, 'junk.bin')
  fs.writeFileSync(junk, h.pattern(4 * h.MB, 9))
  const e = await rejects(t, lkl.open(junk), { code: 'ERR_LKL_UNKNOWN_FSTYPE' }, 'auto on junk')
  t.comment(e.message)
  await rejects(t, lkl.open(junk, { type: 'ext4' }), { code: 'ERR_LKL_MOUNT_FAILED' }, 'ext4 on junk')
  const tiny = path.join(dir, 'tiny.txt')
  fs.writeFileSync(tiny, 'not an image\n')
  await rejects(t, lkl.open(tiny), { code: 'ERR_LKL_DISK_TOO_SMALL' }, 'auto on a tiny text file')
  const r = await lkl.open(tiny, { type: 'ext4' }).then(() => null, (err) => err)
  t.ok(r && /^ERR_LKL_/.test(r.code), `ext4 on a tiny text file: ${r && r.code}`)
  await rejects(t, lkl.open(dir), { code: 'EISDIR' }, 'a directory')
})

test('the same image twice', async (t) => {
  const img = await lkl.open(good, { type: 'ext4' })
  await rejects(t, lkl.open(good, { type: 'ext4' }), { code: 'ERR_LKL_IMAGE_BUSY' }, 'second open')
  await img.close()
  const again = await lkl.open(good, { type: 'ext4' })
  t.pass('opens again after close')
  await again.close()
})

test('bad arguments throw synchronously', (t) => {
  t.throws(() => lkl.open(42), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE', 'open(42)')
  t.throws(() => lkl.open(good, { partition: -1 }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', 'partition -1')
  t.throws(() => lkl.open(good, { readOnly: 'yes' }), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'readOnly "yes"')
  t.end()
})

test('missing paths and other kernel errors are Node-shaped', async (t) => {
  const img = await lkl.open(good, { type: 'ext4' })
  const p = img.fs.promises
  const e = await rejects(t, p.readFile('/nope/file.txt'), { code: 'ENOENT', errno: -2, syscall: 'open', path: '/nope/file.txt' }, 'readFile missing')
  t.equal(e.message, "ENOENT: no such file or directory, open '/nope/file.txt'", 'message like node:fs')
  t.ok(/errors\.js/.test(e.stack.split('\n')[1]), 'stack points at the caller')
  await rejects(t, p.stat('nope'), { code: 'ENOENT', syscall: 'stat', path: 'nope' }, 'stat relative missing')
  await rejects(t, p.lstat('/nope'), { code: 'ENOENT', syscall: 'lstat' }, 'lstat missing')
  await rejects(t, p.readdir('/hello.txt'), { code: 'ENOTDIR', syscall: 'scandir', path: '/hello.txt' }, 'readdir a file')
  await rejects(t, p.readdir('/nope'), { code: 'ENOENT', syscall: 'scandir' }, 'readdir missing')
  await rejects(t, p.mkdir('/dir'), { code: 'EEXIST', syscall: 'mkdir', path: '/dir' }, 'mkdir existing')
  await rejects(t, p.rmdir('/dir'), { code: 'ENOTEMPTY', syscall: 'rmdir' }, 'rmdir non-empty')
  await rejects(t, p.unlink('/dir'), { code: 'EISDIR', syscall: 'unlink' }, 'unlink a directory')
  await rejects(t, p.rename('/nope', '/x'), { code: 'ENOENT', syscall: 'rename', path: '/nope', dest: '/x' }, 'rename missing')
  await rejects(t, p.readlink('/hello.txt'), { code: 'EINVAL', syscall: 'readlink' }, 'readlink a file')
  await rejects(t, p.readFile('/dir'), { code: 'EISDIR' }, 'readFile a directory')
  await rejects(t, p.writeFile('/hello.txt', 'x', { flag: 'wx' }), { code: 'EEXIST', syscall: 'open' }, 'exclusive create of an existing file')
  await rejects(t, p.readFile('/../../../etc/passwd'), { code: 'ENOENT', path: '/../../../etc/passwd' }, '.. cannot leave the image')
  t.throws(() => p.stat(42), (err) => err.code === 'ERR_INVALID_ARG_TYPE', 'stat(42) throws synchronously')
  t.throws(() => p.readFile('/a\u0000b'), (err) => err.code === 'ERR_INVALID_ARG_VALUE', 'null byte in path')
  t.throws(() => p.writeFile('/x', 42), (err) => err.code === 'ERR_INVALID_ARG_TYPE', 'writeFile(number)')
  t.throws(() => p.open('/x', 'bogus'), (err) => err.code === 'ERR_INVALID_ARG_VALUE', 'bad flags')
  await img.close()
  await rejects(t, p.stat('/'), { code: 'ERR_LKL_IMAGE_CLOSED' }, 'after close')
  t.equal(await img.close(), undefined, 'close twice is fine')
  // Still usable after all of that.
  const again = await lkl.open(good)
  t.equal(await again.fs.promises.readFile('/hello.txt', 'utf8'), h.TREE['hello.txt'].toString(), 'a good image still opens and reads')
  await again.close()
})
