// SPDX-License-Identifier: GPL-2.0-only
// The node-lkl 1.x API (lib/compat): the old README's example run verbatim
// in its own process with require('lkl') resolving to this package, then
// startKernelSync/mount/lkl.fs/umount/haltKernelSync in this one, on real
// ext4 images made by mke2fs and checked by debugfs and e2fsck.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const lkl = require('..')
const h = require('./helpers')

const root = path.join(__dirname, '..')
const dir = h.tmpdir('lkl-compat')
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\n' + Array.from({ length: 40 }, (_, i) =>
  `user${i}:x:${1000 + i}:${1000 + i}:User ${i}:/home/user${i}:/bin/sh\n`).join('')

// The example of node-lkl's README, exactly as the old package printed it.
const EXAMPLE = `const lkl = require('lkl');
lkl.startKernelSync(10 * 1024 * 1024);
const disk = new lkl.disk.FileDisk('data.ext4');
lkl.mount(disk, { filesystem: 'ext4' }, function (err, mountpoint) {
  if (err) { console.error(err); return; }
  lkl.fs.createReadStream(mountpoint + '/etc/passwd').pipe(process.stdout);
});
`

// An ext4 image (mke2fs -d) holding /etc/passwd and a few more files.
function ext4Image (name, extra = {}) {
  const src = path.join(dir, name + '-src')
  fs.mkdirSync(path.join(src, 'etc'), { recursive: true })
  fs.writeFileSync(path.join(src, 'etc/passwd'), PASSWD)
  for (const [rel, data] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true })
    fs.writeFileSync(path.join(src, rel), data)
  }
  const file = path.join(dir, name)
  h.sparse(file, 32 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, file])
  return file
}

const sha = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const mountP = (disk, opts) => new Promise((resolve, reject) => lkl.mount(disk, opts, (err, mp) => err ? reject(err) : resolve(mp)))
const umountP = (mp) => new Promise((resolve, reject) => lkl.umount(mp, (err) => err ? reject(err) : resolve()))
const cbErr = (fn) => new Promise((resolve) => fn((err) => resolve(err)))

test('the node-lkl README example runs unchanged', (t) => {
  const work = path.join(dir, 'example')
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true })
  fs.symlinkSync(root, path.join(work, 'node_modules/lkl'))
  fs.renameSync(ext4Image('data.ext4'), path.join(work, 'data.ext4'))
  fs.writeFileSync(path.join(work, 'example.js'), EXAMPLE)
  const r = h.sh(process.execPath, ['example.js'], { cwd: work })
  t.equal(r.status, 0, 'exit status 0 ' + r.stderr)
  t.equal(r.stdout.toString(), PASSWD, 'stdout is /etc/passwd of the image')
  t.equal(r.stderr, '', 'nothing on stderr')
  t.ok(h.fsck('ext4', path.join(work, 'data.ext4')).ok, 'e2fsck: clean after the process exit')
  t.end()
})

test('startKernelSync boots before it returns; asking again is fine, other memory is not', async (t) => {
  t.equal(lkl.startKernelSync(64 * h.MB), undefined, 'returns nothing')
  const s = await lkl.stats()
  t.ok(s.memoryTotal > 32 * h.MB && s.memoryTotal <= 64 * h.MB, `the kernel has the memory asked for (${s.memoryTotal} bytes)`)
  t.doesNotThrow(() => lkl.startKernelSync(64 * h.MB), 'the same size again')
  t.doesNotThrow(() => lkl.startKernelSync(), 'no size')
  t.throws(() => lkl.startKernelSync(128 * h.MB), /ERR_LKL_ALREADY_BOOTED|already running/, 'another size')
  t.throws(() => lkl.startKernelSync('lots'), { code: 'ERR_INVALID_ARG_VALUE' }, 'not a size')
  await lkl.boot({ memory: 64 * h.MB })
  t.pass('boot() agrees with it')
})

test('mount a FileDisk: callbacks, promises and streams reach the image; umount flushes it', async (t) => {
  const file = ext4Image('rw.ext4', { 'data/big.bin': h.pattern(3 * h.MB, 3) })
  const disk = new lkl.disk.FileDisk(file)
  t.ok(disk instanceof lkl.Disk && disk.kind === 'file' && !disk.readOnly, 'a writable file disk')
  const mp = await mountP(disk, { filesystem: 'ext4' })
  t.match(mp, /^\/mnt\/[0-9a-f]{8}$/, `mountpoint ${mp}`)
  t.ok(disk.attached, 'attached while mounted')

  const text = await new Promise((resolve, reject) => lkl.fs.readFile(mp + '/etc/passwd', 'utf8', (e, d) => e ? reject(e) : resolve(d)))
  t.equal(text, PASSWD, 'fs.readFile (callback)')
  t.deepEqual((await lkl.fs.promises.readdir(mp)).sort(), ['data', 'etc', 'lost+found'], 'fs.promises.readdir of the mountpoint')
  const st = await lkl.fs.promises.stat(mp + '/data/big.bin')
  t.equal(st.size, 3 * h.MB, 'fs.promises.stat')
  t.ok(st.isFile(), 'a file')

  await new Promise((resolve, reject) => lkl.fs.mkdir(mp + '/new/deep', { recursive: true }, (e, first) => {
    if (e) return reject(e)
    t.equal(first, mp + '/new', 'mkdir recursive answers with the full path of the first directory made')
    resolve()
  }))
  await new Promise((resolve, reject) => lkl.fs.writeFile(mp + '/new/deep/hello.txt', 'hello, node-lkl\n', (e) => e ? reject(e) : resolve()))
  const payload = h.pattern(2 * h.MB + 7, 11)
  await new Promise((resolve, reject) => {
    const ws = lkl.fs.createWriteStream(mp + '/new/stream.bin')
    ws.on('error', reject).on('finish', resolve)
    ws.end(payload)
  })
  const back = await new Promise((resolve, reject) => {
    const parts = []
    lkl.fs.createReadStream(mp + '/new/stream.bin').on('data', (d) => parts.push(d)).on('error', reject).on('end', () => resolve(Buffer.concat(parts)))
  })
  t.ok(back.equals(payload), 'createWriteStream then createReadStream')
  t.equal(await lkl.fs.promises.realpath(mp + '/new/deep/../deep'), mp + '/new/deep', 'realpath answers with the full path')
  const dirents = await lkl.fs.promises.readdir(mp + '/new', { withFileTypes: true })
  t.ok(dirents.every((d) => d.parentPath === mp + '/new'), 'Dirent.parentPath is the full path')
  const tmp = await lkl.fs.promises.mkdtemp(mp + '/new/tmp-')
  t.ok(tmp.startsWith(mp + '/new/tmp-'), 'mkdtemp answers with the full path')
  await lkl.fs.promises.rename(mp + '/new/deep/hello.txt', mp + '/new/hello.txt')
  await lkl.fs.promises.symlink('hello.txt', mp + '/new/link')
  t.equal(await lkl.fs.promises.readlink(mp + '/new/link'), 'hello.txt', 'symlink keeps its target as written')

  // fd calls go to the image that has the fd.
  const fd = await new Promise((resolve, reject) => lkl.fs.open(mp + '/new/hello.txt', 'r', (e, fd) => e ? reject(e) : resolve(fd)))
  const buf = Buffer.alloc(64)
  const n = await new Promise((resolve, reject) => lkl.fs.read(fd, buf, 0, 64, 0, (e, n) => e ? reject(e) : resolve(n)))
  t.equal(buf.subarray(0, n).toString(), 'hello, node-lkl\n', 'open + read by fd')
  const fst = await new Promise((resolve, reject) => lkl.fs.fstat(fd, (e, s) => e ? reject(e) : resolve(s)))
  t.equal(fst.size, 16, 'fstat by fd')
  await new Promise((resolve, reject) => lkl.fs.close(fd, (e) => e ? reject(e) : resolve()))

  await umountP(mp)
  t.notOk(disk.attached, 'umount detached the disk')
  t.ok(h.fsck('ext4', file).ok, 'e2fsck: clean after umount')
  t.equal(h.debugfsCat(file, '/new/hello.txt').toString(), 'hello, node-lkl\n', 'debugfs reads the file written')
  t.ok(h.debugfsCat(file, '/new/stream.bin').equals(payload), 'debugfs reads the stream written')
  const err = await cbErr((cb) => lkl.fs.stat(mp + '/new/hello.txt', cb))
  t.equal(err && err.code, 'ENOENT', 'the mountpoint is gone after umount')

  const mp2 = await mountP(disk, { filesystem: 'ext4' })
  t.notEqual(mp2, mp, `the same FileDisk mounts again, at a new mountpoint (${mp2})`)
  t.equal(await lkl.fs.promises.readFile(mp2 + '/new/hello.txt', 'utf8'), 'hello, node-lkl\n', 'and has the file')
  await umountP(mp2)
})

test('readOnly: a read-only mount, and a read-only FileDisk; the file is never written', async (t) => {
  const file = ext4Image('ro.ext4')
  const before = sha(file)
  for (const [what, disk, opts] of [
    ['mount readOnly', new lkl.disk.FileDisk(file), { filesystem: 'ext4', readOnly: true }],
    ['FileDisk(path, true)', new lkl.disk.FileDisk(file, true), { filesystem: 'ext4' }]
  ]) {
    const mp = await mountP(disk, opts)
    t.equal(await lkl.fs.promises.readFile(mp + '/etc/passwd', 'utf8'), PASSWD, `${what}: reads`)
    const err = await cbErr((cb) => lkl.fs.writeFile(mp + '/x', 'no', cb))
    t.equal(err && err.code, 'EROFS', `${what}: writes fail with EROFS`)
    await umountP(mp)
  }
  t.equal(sha(file), before, 'the image file is unchanged')
})

test('partition: the filesystem of partition 2 of an MBR disk', async (t) => {
  const file = path.join(dir, 'parts.img')
  h.sparse(file, 48 * h.MB)
  h.must('sfdisk', ['-q', file], { input: 'label: dos\nstart=2048, size=40960, type=83\nstart=43008, size=40960, type=83\n' })
  for (const [n, start, text] of [[1, 2048, 'one\n'], [2, 43008, 'two\n']]) {
    const src = path.join(dir, `p${n}-src`)
    fs.mkdirSync(src)
    fs.writeFileSync(path.join(src, 'which.txt'), text)
    h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, '-E', `offset=${start * 512}`, file, '20M'])
  }
  const mp = await mountP(new lkl.disk.FileDisk(file), { filesystem: 'ext4', partition: 2 })
  t.equal(await lkl.fs.promises.readFile(mp + '/which.txt', 'utf8'), 'two\n', 'partition 2 mounted')
  await umountP(mp)
  const err = await cbErr((cb) => lkl.mount(new lkl.disk.FileDisk(file), { filesystem: 'ext4', partition: 7 }, cb))
  t.equal(err && err.code, 'ERR_LKL_NO_PARTITION', 'a missing partition: the error comes through the callback')
})

test('FileDisk(fd): the caller keeps its fd', async (t) => {
  const file = ext4Image('fd.ext4')
  const fd = fs.openSync(file, 'r+')
  const disk = new lkl.disk.FileDisk(fd)
  t.equal(disk.fd, fd, 'disk.fd')
  const mp = await mountP(disk, { filesystem: 'ext4' })
  t.equal(await lkl.fs.promises.readFile(mp + '/etc/passwd', 'utf8'), PASSWD, 'reads through the fd')
  await lkl.fs.promises.writeFile(mp + '/by-fd.txt', 'written\n')
  await umountP(mp)
  t.ok(fs.fstatSync(fd).isFile(), 'the fd is still open')
  fs.closeSync(fd)
  t.equal(h.debugfsCat(file, '/by-fd.txt').toString(), 'written\n', 'debugfs reads what was written')
  t.ok(h.fsck('ext4', file).ok, 'e2fsck: clean')
  t.throws(() => new lkl.disk.FileDisk(-1), { code: 'ERR_OUT_OF_RANGE' }, 'a negative fd')
  t.throws(() => new lkl.disk.FileDisk(file, 'yes'), { code: 'ERR_INVALID_ARG_TYPE' }, 'readOnly must be a boolean')
})

test('two mounts: paths go by mountpoint; rename across them is EXDEV, copyFile copies', async (t) => {
  const a = ext4Image('a.ext4', { 'only-a.txt': 'from a\n' })
  const b = ext4Image('b.ext4')
  const ma = await mountP(new lkl.disk.FileDisk(a), { filesystem: 'ext4' })
  const mb = await mountP(new lkl.disk.FileDisk(b), { filesystem: 'ext4' })
  t.ok(await lkl.fs.promises.access(ma + '/only-a.txt').then(() => true), 'the file is on a')
  const miss = await cbErr((cb) => lkl.fs.access(mb + '/only-a.txt', cb))
  t.equal(miss && miss.code, 'ENOENT', 'and not on b')
  const x = await cbErr((cb) => lkl.fs.rename(ma + '/only-a.txt', mb + '/moved.txt', cb))
  t.deepEqual(x && [x.code, x.syscall, x.path, x.dest], ['EXDEV', 'rename', ma + '/only-a.txt', mb + '/moved.txt'], 'rename across: EXDEV')
  await new Promise((resolve, reject) => lkl.fs.copyFile(ma + '/only-a.txt', mb + '/copied.txt', (e) => e ? reject(e) : resolve()))
  t.equal(await lkl.fs.promises.readFile(mb + '/copied.txt', 'utf8'), 'from a\n', 'copyFile across images')
  const excl = await lkl.fs.promises.copyFile(ma + '/only-a.txt', mb + '/copied.txt', lkl.fs.constants.COPYFILE_EXCL).catch((e) => e)
  t.equal(excl && excl.code, 'EEXIST', 'COPYFILE_EXCL across images')
  await umountP(ma)
  await umountP(mb)
  t.equal(h.debugfsCat(b, '/copied.txt').toString(), 'from a\n', 'debugfs reads the copy')
})

test('errors come through callbacks, promises and streams, node-shaped', async (t) => {
  const file = ext4Image('err.ext4')
  const missing = await cbErr((cb) => lkl.mount(new lkl.disk.FileDisk(path.join(dir, 'nope.img')), { filesystem: 'ext4' }, cb))
  t.equal(missing && missing.code, 'ENOENT', 'a missing image file: ENOENT')
  const wrong = await cbErr((cb) => lkl.mount(new lkl.disk.FileDisk(file), { filesystem: 'xfs' }, cb))
  t.equal(wrong && wrong.code, 'ERR_LKL_MOUNT_FAILED', 'the wrong filesystem: ERR_LKL_MOUNT_FAILED')

  const outside = await cbErr((cb) => lkl.fs.stat('/etc/passwd', cb))
  t.deepEqual(outside && [outside.code, outside.syscall, outside.path], ['ENOENT', 'stat', '/etc/passwd'], 'a path under no mountpoint: ENOENT')
  const p = await lkl.fs.promises.readdir('/mnt').catch((e) => e)
  t.deepEqual([p.code, p.syscall], ['ENOENT', 'scandir'], 'the same from the promise API')
  const se = await new Promise((resolve) => lkl.fs.createReadStream('/mnt/ffffffff/x').on('error', resolve))
  t.deepEqual([se.code, se.syscall], ['ENOENT', 'open'], 'and from a stream')
  const bad = await cbErr((cb) => lkl.fs.fstat(9999, cb))
  t.deepEqual(bad && [bad.code, bad.syscall], ['EBADF', 'fstat'], 'an fd no image has: EBADF')
  const um = await cbErr((cb) => lkl.umount('/mnt/ffffffff', cb))
  t.deepEqual(um && [um.code, um.syscall], ['EINVAL', 'umount'], 'umount of no mountpoint: EINVAL')
  let exists = await new Promise((resolve) => lkl.fs.exists('/nowhere', resolve))
  t.equal(exists, false, 'exists() outside every mountpoint')

  const mp = await mountP(new lkl.disk.FileDisk(file), { filesystem: 'ext4' })
  const e = await cbErr((cb) => lkl.fs.readFile(mp + '/etc/nope', cb))
  t.deepEqual(e && [e.code, e.syscall, e.path], ['ENOENT', 'open', mp + '/etc/nope'], 'an error inside the image shows the full path')
  t.ok(e.message.includes(`'${mp}/etc/nope'`), e.message)
  t.ok(e.stack.includes(__filename), 'its stack starts in the caller')
  const me = await lkl.fs.promises.mkdir(mp + '/etc/passwd/x', { recursive: true }).catch((err) => err)
  t.deepEqual([me.code, me.path], ['ENOTDIR', mp + '/etc/passwd/x'], 'mkdir recursive errors show the full path')
  exists = await new Promise((resolve) => lkl.fs.exists(mp + '/etc/passwd', resolve))
  t.equal(exists, true, 'exists() inside')

  t.throws(() => lkl.mount('disk.img', {}, () => {}), { code: 'ERR_INVALID_ARG_TYPE' }, 'mount() takes a Disk')
  t.throws(() => lkl.mount(new lkl.disk.FileDisk(file), {}), { code: 'ERR_INVALID_ARG_TYPE' }, 'mount() needs a callback')
  t.throws(() => lkl.mount(new lkl.disk.FileDisk(file), { readOnly: 1 }, () => {}), { code: 'ERR_INVALID_ARG_TYPE' }, 'readOnly is a boolean')
  t.throws(() => lkl.fs.stat(mp + '/etc'), { code: 'ERR_INVALID_ARG_TYPE' }, 'fs calls need a callback')
  t.throws(() => lkl.fs.stat(42, () => {}), { code: 'ERR_INVALID_ARG_TYPE' }, 'and a path')
  t.throws(() => lkl.umount(mp), { code: 'ERR_INVALID_ARG_TYPE' }, 'umount() needs a callback')

  const busy = (() => { try { lkl.haltKernelSync() } catch (err) { return err } })()
  t.equal(busy && busy.code, 'ERR_LKL_BUSY', 'haltKernelSync with a mount open: ERR_LKL_BUSY')
  t.ok(busy instanceof lkl.LklError, busy && busy.message)
  t.equal(await lkl.fs.promises.readFile(mp + '/etc/passwd', 'utf8'), PASSWD, 'and the mount still works')
  await umountP(mp)
  t.ok(h.fsck('ext4', file).ok, 'e2fsck: clean')
})

test('lkl.fs has every call of img.fs and img.fs.promises', async (t) => {
  const img = await lkl.open(ext4Image('keys.ext4'), { readOnly: true })
  for (const k of Object.keys(img.fs)) t.equal(typeof lkl.fs[k], typeof img.fs[k], `lkl.fs.${k}`)
  for (const k of Object.keys(img.fs.promises)) t.equal(typeof lkl.fs.promises[k], typeof img.fs.promises[k], `lkl.fs.promises.${k}`)
  await img.close()
})

test('haltKernelSync (last: final)', (t) => {
  t.equal(lkl.haltKernelSync(), undefined, 'halts with nothing mounted')
  t.doesNotThrow(() => lkl.haltKernelSync(), 'a second call is a no-op')
  t.throws(() => lkl.startKernelSync(64 * h.MB), { code: 'ERR_LKL_HALTED' }, 'the kernel cannot boot again')
  lkl.open(path.join(dir, 'keys.ext4')).then(() => t.fail('open after halt'), (e) => {
    t.equal(e.code, 'ERR_LKL_HALTED', 'open() after haltKernelSync')
    t.end()
  })
})
