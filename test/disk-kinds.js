// SPDX-License-Identifier: GPL-2.0-only
// Every kind of disk: file, memory, custom (JS callbacks), overlay; and
// open() taking a Disk. The host tools check what lkl wrote.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-disks')
const src = h.makeTree(path.join(dir, 'src'))
const sha = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

function ext4 (name) {
  const file = path.join(dir, name + '.img')
  h.makeImage('ext4', file, src)
  return file
}

// Open, check the tools' files, write one, close.
async function roundTrip (t, disk, what) {
  const img = await lkl.open(disk)
  t.equal(img.type, 'ext4', `${what}: detected ext4 through the disk`)
  t.equal(img.disk, disk, `${what}: img.disk`)
  const p = img.fs.promises
  t.ok((await p.readFile('/dir/sub/data.bin')).equals(h.TREE['dir/sub/data.bin']), `${what}: reads the tools' file`)
  const data = h.pattern(1024 * 1024 + 7, 5)
  await p.writeFile('/written.bin', data)
  const st = await img.statfs()
  t.ok(st.bsize > 0 && st.blocks > st.bfree && st.bfree >= st.bavail && st.files > st.ffree, `${what}: statfs ${JSON.stringify(st)}`)
  await img.close()
  return data
}

test('file disk: lkl.disk.file() and open(disk)', async (t) => {
  const file = ext4('file')
  const disk = lkl.disk.file(file)
  t.equal(disk.kind, 'file')
  t.equal(disk.attached, false, 'not attached before use')
  const data = await roundTrip(t, disk, 'file')
  t.equal(disk.attached, true, 'a disk the user made stays attached after its image closes')
  const again = await lkl.open(disk, { readOnly: true })
  t.ok(again.readOnly, 'opened again read-only')
  t.ok((await again.fs.promises.readFile('/written.bin')).equals(data), 'sees the earlier write')
  await disk.close()
  t.ok(again.closed && disk.closed && !disk.attached, 'disk.close() closed its image and detached')
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  t.ok(h.debugfsCat(file, '/written.bin').equals(data), 'debugfs reads what lkl wrote')
  await lkl.open(disk).then(() => t.fail('opened'), (e) => t.equal(e.code, 'ERR_LKL_DISK_CLOSED', 'a closed disk stays closed'))
  const ro = lkl.disk.file(file, { readOnly: true })
  const img = await lkl.open(ro)
  t.ok(img.readOnly, 'a read-only disk mounts read-only')
  await img.fs.promises.writeFile('/x', 'x').then(() => t.fail('wrote'), (e) => t.equal(e.code, 'EROFS', 'writes fail with EROFS'))
  await ro.close()
  t.throws(() => lkl.disk.file(42), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'file(42) throws')
  t.throws(() => lkl.disk.file(file, { readOnly: 1 }), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'readOnly: 1 throws')
})

test('memory disk over a Buffer, and of a size', async (t) => {
  const file = ext4('memory')
  const before = sha(file)
  const buf = fs.readFileSync(file)
  const disk = lkl.disk.memory(buf)
  t.equal(disk.kind, 'memory')
  t.equal(disk.buffer, buf, 'the buffer is used in place')
  const data = await roundTrip(t, disk, 'memory')
  await disk.close()
  t.equal(sha(file), before, 'the host file is untouched')
  const out = path.join(dir, 'memory-out.img')
  fs.writeFileSync(out, disk.buffer)
  t.ok(h.fsck('ext4', out).ok, 'the buffer holds a clean ext4')
  t.ok(h.debugfsCat(out, '/written.bin').equals(data), 'with what lkl wrote')

  const empty = lkl.disk.memory('8M')
  t.equal(await empty.size(), 8 * h.MB, 'memory(\'8M\'): 8 MiB')
  t.deepEqual(await empty.partitions(), [], 'no partitions')
  await lkl.open(empty).then(() => t.fail('opened'), (e) => t.equal(e.code, 'ERR_LKL_UNKNOWN_FSTYPE', 'zeroes: no filesystem'))
  await empty.close()
  t.throws(() => lkl.disk.memory(100), (e) => e.code === 'ERR_OUT_OF_RANGE', 'less than a sector throws')
  t.throws(() => lkl.disk.memory({}), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'memory({}) throws')
})

// A custom disk over a host file, with sync or async callbacks.
function hostBacked (file, async) {
  const fd = fs.openSync(file, 'r+')
  const calls = { read: 0, write: 0, flush: 0 }
  const impl = async
    ? {
        size: fs.fstatSync(fd).size,
        read: async (buf, off, len, pos) => { calls.read++; await fs.promises.readFile(__filename); fs.readSync(fd, buf, off, len, pos) },
        write: async (buf, off, len, pos) => { calls.write++; await new Promise((resolve) => setImmediate(resolve)); fs.writeSync(fd, buf, off, len, pos) },
        flush: async () => { calls.flush++; fs.fsyncSync(fd) }
      }
    : {
        size: fs.fstatSync(fd).size,
        read: (buf, off, len, pos) => { calls.read++; fs.readSync(fd, buf, off, len, pos) },
        write: (buf, off, len, pos) => { calls.write++; fs.writeSync(fd, buf, off, len, pos) },
        flush: () => { calls.flush++; fs.fsyncSync(fd) }
      }
  return { disk: lkl.disk.custom(impl), calls, done: () => fs.closeSync(fd) }
}

for (const async of [false, true]) {
  test(`custom disk (${async ? 'async' : 'sync'} callbacks)`, async (t) => {
    const file = ext4('custom-' + async)
    const { disk, calls, done } = hostBacked(file, async)
    t.equal(disk.kind, 'custom')
    const data = await roundTrip(t, disk, 'custom')
    await disk.close()
    done()
    t.ok(calls.read > 0 && calls.write > 0 && calls.flush > 0, `the callbacks ran (${JSON.stringify(calls)})`)
    t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
    t.ok(h.debugfsCat(file, '/written.bin').equals(data), 'debugfs reads what lkl wrote through JS')
  })
}

test('custom disk: concurrent operations while JS awaits the kernel', async (t) => {
  const file = ext4('custom-concurrent')
  const { disk, done } = hostBacked(file, true)
  const img = await lkl.open(disk)
  const p = img.fs.promises
  const files = Array.from({ length: 16 }, (_, i) => [`/c${i}.bin`, h.pattern(256 * 1024, 100 + i)])
  await Promise.all(files.map(([name, data]) => p.writeFile(name, data)))
  const back = await Promise.all(files.map(([name]) => p.readFile(name)))
  t.ok(back.every((b, i) => b.equals(files[i][1])), '16 parallel writes and reads, no deadlock')
  await img.close()
  await disk.close()
  done()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})

test('custom disk: discard() (mountOptions reach the kernel)', async (t) => {
  const file = ext4('custom-discard')
  const buf = fs.readFileSync(file)
  const discards = []
  const disk = lkl.disk.custom({
    size: buf.length,
    read: (b, o, l, p) => { buf.copy(b, o, p, p + l) },
    write: (b, o, l, p) => { b.copy(buf, p, o, o + l) },
    discard: (p, l) => { discards.push([p, l]); buf.fill(0, p, p + l) }
  })
  const img = await lkl.open(disk, { mountOptions: 'discard' })
  await img.fs.promises.unlink('/dir/sub/data.bin')
  await img.sync()
  await disk.close()
  t.ok(discards.length > 0 && discards.every(([p, l]) => p % 512 === 0 && l > 0), `discard() called for the freed blocks (${discards.length} ranges, ${discards.reduce((n, d) => n + d[1], 0)} bytes)`)
  const out = path.join(dir, 'custom-discard-out.img')
  fs.writeFileSync(out, buf)
  t.ok(h.fsck('ext4', out).ok, 'e2fsck clean after discards')
})

test('custom disk: failing callbacks give EIO, not a hang', async (t) => {
  const file = ext4('custom-fail')
  const fd = fs.openSync(file, 'r')
  let fail = false
  const disk = lkl.disk.custom({
    size: fs.fstatSync(fd).size,
    read: (buf, off, len, pos) => {
      if (fail) throw Object.assign(new Error('backend gone'), { code: 'EIO' })
      fs.readSync(fd, buf, off, len, pos)
    }
  })
  t.ok(disk.readOnly, 'no write(): read-only')
  const img = await lkl.open(disk)
  t.ok(img.readOnly, 'mounted read-only')
  fail = true
  await img.fs.promises.readFile('/dir/sub/data.bin').then(() => t.fail('read'), (e) => t.equal(e.code, 'EIO', `a failing read: ${e.message}`))
  t.equal(disk.lastError && disk.lastError.message, 'backend gone', 'disk.lastError has the callback\'s error')
  fail = false
  await disk.close()
  fs.closeSync(fd)
  t.throws(() => lkl.disk.custom({ size: 4096 }), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'no read() throws')
  t.throws(() => lkl.disk.custom({ size: 1.5, read () {} }), (e) => e.code === 'ERR_INVALID_ARG_TYPE', 'a fractional size throws')
  t.throws(() => lkl.disk.custom({ size: 4096, read () {}, readOnly: false }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', 'writable without write() throws')
})

test('overlay: writes stay in memory, the source is never modified', async (t) => {
  const file = ext4('overlay')
  const before = sha(file)
  const disk = lkl.disk.overlay(file)
  t.equal(disk.kind, 'overlay')
  const data = await roundTrip(t, disk, 'overlay')
  t.ok(await disk.memoryUsage() > 0, `the overlay holds the writes (${await disk.memoryUsage()} bytes)`)
  const img = await lkl.open(disk)
  t.ok((await img.fs.promises.readFile('/written.bin')).equals(data), 'reopened: the overlay kept the write')
  await img.fs.promises.unlink('/hello.txt')
  await img.close()
  await disk.close()
  t.equal(sha(file), before, 'the source file\'s hash is unchanged')
  t.ok(h.fsck('ext4', file).ok, 'and it is still clean')
  const fromDisk = lkl.disk.overlay(lkl.disk.file(file))
  const img2 = await lkl.open(fromDisk)
  t.equal(await img2.fs.promises.readFile('/hello.txt', 'utf8'), h.TREE['hello.txt'].toString(), 'overlay(fileDisk): a fresh view of the source')
  await fromDisk.close()
})

test('overlay: journal replay of a dirty ext4 never touches the file', async (t) => {
  const file = path.join(dir, 'dirty.img')
  h.makeImage('ext4', file, null)
  await killedChild(file)
  const features = h.must('dumpe2fs', ['-h', file]).stdout.toString()
  t.ok(/needs_recovery/.test(features), 'the image needs journal recovery')
  const before = sha(file)

  const ro = lkl.disk.file(file, { readOnly: true })
  await lkl.open(ro).then(() => t.fail('mounted'), (e) => t.equal(e.code, 'ERR_LKL_MOUNT_FAILED', `a read-only file disk cannot replay: ${e.message}`))
  await ro.close()

  const img = await lkl.open(file, { readOnly: true })
  t.ok(img.readOnly && img.disk.kind === 'overlay', 'open(path, { readOnly }) mounts through an overlay')
  t.ok((await img.fs.promises.readFile('/a.bin')).equals(h.pattern(3 * 1024 * 1024, 11)), 'the replayed journal is visible')
  await img.close()
  t.equal(sha(file), before, 'hash unchanged after a read-only open with replay')

  const ov = lkl.disk.overlay(file)
  const rw = await lkl.open(ov)
  await rw.fs.promises.writeFile('/after-replay.txt', 'new')
  t.equal(await rw.fs.promises.readFile('/after-replay.txt', 'utf8'), 'new', 'writes on top of the replayed journal')
  await ov.close()
  t.equal(sha(file), before, 'hash unchanged after replay + writes through an overlay')
  t.ok(/needs_recovery/.test(h.must('dumpe2fs', ['-h', file]).stdout.toString()), 'the file still needs recovery (never written)')
})

// A child writes + fsyncs, then is SIGKILLed: the image has a dirty journal.
function killedChild (file) {
  const { spawn } = require('child_process')
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/child.js'), file, 'fsync'], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('synced')) setTimeout(() => child.kill('SIGKILL'), 100)
    })
    child.on('exit', (code, signal) => signal === 'SIGKILL' ? resolve() : reject(new Error('child exited: ' + code)))
  })
}

test('raw streams: disk.createWriteStream / createReadStream', async (t) => {
  const { pipeline } = require('stream/promises')
  const file = ext4('raw-src')
  const mem = lkl.disk.memory(fs.statSync(file).size)
  await pipeline(fs.createReadStream(file), mem.createWriteStream())
  t.ok(mem.buffer.equals(fs.readFileSync(file)), 'an image written raw into a memory disk')
  const img = await lkl.open(mem)
  t.equal(img.type, 'ext4', 'and it mounts')
  await img.fs.promises.writeFile('/raw.txt', 'through the fs')
  await img.sync()
  const out = path.join(dir, 'raw-out.img')
  await pipeline(mem.createReadStream(), fs.createWriteStream(out))
  t.equal(h.debugfsCat(out, '/raw.txt').toString(), 'through the fs', 'read back raw (after sync), debugfs sees the fs write')
  const chunks = []
  for await (const c of mem.createReadStream({ start: 1024 + 56, end: 1024 + 57 })) chunks.push(c)
  t.deepEqual([...Buffer.concat(chunks)], [0x53, 0xef], 'a range: the ext4 magic')
  await mem.close()
  const ro = lkl.disk.file(file, { readOnly: true })
  t.throws(() => ro.createWriteStream(), (e) => e.code === 'ERR_LKL_READ_ONLY', 'no write stream on a read-only disk')
  await ro.close()
})

test('other filesystems on memory, custom and overlay disks', async (t) => {
  const cases = [['btrfs', 'overlay'], ['xfs', 'memory'], ['vfat', 'custom']]
  for (const [type, kind] of cases) {
    const file = path.join(dir, `other-${type}.img`)
    h.makeImage(type, file, null)
    const before = sha(file)
    let disk
    let buf = null
    if (kind === 'overlay') disk = lkl.disk.overlay(file)
    else if (kind === 'memory') disk = lkl.disk.memory(buf = fs.readFileSync(file))
    else {
      buf = fs.readFileSync(file)
      disk = lkl.disk.custom({ size: buf.length, read: (b, o, l, p) => { buf.copy(b, o, p, p + l) }, write: async (b, o, l, p) => { b.copy(buf, p, o, o + l) } })
    }
    const img = await lkl.open(disk)
    t.equal(img.type, type, `${type} on a ${kind} disk: detected`)
    const data = h.pattern(2 * h.MB + 3, 21)
    await img.fs.promises.mkdir('/sub')
    await img.fs.promises.writeFile('/sub/data.bin', data)
    t.ok((await img.fs.promises.readFile('/sub/data.bin')).equals(data), `${type} on a ${kind} disk: reads back`)
    await disk.close()
    if (buf) {
      const out = path.join(dir, `other-${type}-out.img`)
      fs.writeFileSync(out, buf)
      const r = h.fsck(type, out)
      t.ok(r.ok, `${type} on a ${kind} disk: the bytes pass the fs checker` + (r.ok ? '' : '\n' + r.output))
    }
    t.equal(sha(file), before, `${type} on a ${kind} disk: the source file is unchanged`)
  }
})

test('disk.close() racing open()s', async (t) => {
  const file = ext4('race')
  const disk = lkl.disk.file(file)
  const opening = lkl.open(disk)
  const closing = disk.close()
  const r = await opening.then((img) => img, (e) => e)
  await closing
  t.ok(r.code === 'ERR_LKL_DISK_CLOSED' || r.closed, `the open either failed (${r.code}) or its image was closed`)
  t.ok(disk.closed && !disk.attached, 'the disk detached')
  t.ok(h.fsck('ext4', file).ok, 'fsck clean')
})

test('halt() closes disks too', async (t) => {
  const file = ext4('halt')
  const disk = lkl.disk.file(file)
  const img = await lkl.open(disk)
  await img.fs.promises.writeFile('/h.txt', 'halt')
  const mem = lkl.disk.memory(fs.readFileSync(file))
  await lkl.open(mem)
  await lkl.halt()
  t.ok(disk.closed && !disk.attached && mem.closed && !mem.attached, 'every disk detached')
  t.equal(h.debugfsCat(file, '/h.txt').toString(), 'halt', 'data on the host file')
})
