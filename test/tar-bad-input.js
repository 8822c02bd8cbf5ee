// SPDX-License-Identifier: GPL-2.0-only
// Bad input: truncated and corrupt tars fail with an error naming the entry
// and leave the image fsck-clean; '../' and absolute paths (and hardlink
// targets) are refused; symlinks cannot be used to escape a host
// destination; a full image fails with ENOSPC naming the file. Plus GNU tar
// features: long names, sparse members (pax and old GNU), ACL text.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const tarStream = require('tar-stream')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-tarbad')
const DATA = h.pattern(300 * 1024 + 7, 5)

async function rejects (t, promise, check, msg) {
  try {
    await promise
    t.fail(msg + ': no error')
  } catch (err) {
    const ok = check(err)
    t.ok(ok, msg + (ok ? '' : ': ' + err.code + ' ' + err.message))
  }
}

function ext4 (name, mb = 64) {
  const file = path.join(dir, name)
  h.sparse(file, mb * h.MB)
  h.must('mkfs.ext4', ['-q', '-F', file])
  return file
}

// A tar made by tar-stream (an independent writer) from [header, data].
async function craft (entries) {
  const pack = tarStream.pack()
  const parts = []
  pack.on('data', (c) => parts.push(c))
  for (const [header, data] of entries) await new Promise((resolve, reject) => pack.entry(header, data, (err) => err ? reject(err) : resolve()))
  pack.finalize()
  await new Promise((resolve) => pack.on('end', resolve))
  return Buffer.concat(parts)
}

const src = path.join(dir, 'src')
let good

test('setup: a small tree packed by GNU tar', (t) => {
  fs.mkdirSync(path.join(src, 'd'), { recursive: true })
  fs.writeFileSync(path.join(src, 'd/first.txt'), 'first\n')
  fs.writeFileSync(path.join(src, 'd/big.bin'), DATA)
  fs.writeFileSync(path.join(src, 'd/last.txt'), 'last\n')
  good = path.join(dir, 'good.tar')
  h.must('tar', ['--format=posix', '-C', src, '-cf', good, 'd/first.txt', 'd/big.bin', 'd/last.txt'])
  t.pass('made')
  t.end()
})

test('a truncated tar names the entry; the image stays clean', async (t) => {
  const file = ext4('trunc.img')
  const buf = fs.readFileSync(good)
  const at = buf.indexOf(Buffer.from('d/big.bin')) + 100 * 1024 // inside big.bin's data
  const img = await lkl.open(file, { type: 'ext4' })
  await rejects(t, pipeline(Readable.from([buf.subarray(0, at)]), lkl.tarUnpack(), img.writer('/')),
    (err) => /Unexpected end/.test(err.message) && /d\/big\.bin/.test(err.message), 'error names d/big.bin')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})

test('a corrupt header names the entry before it', async (t) => {
  const buf = Buffer.from(fs.readFileSync(good))
  let hdr = buf.indexOf(Buffer.from('d/last.txt')) // in a pax or ustar header
  hdr -= hdr % 512
  buf[hdr + 120] ^= 0x55
  const unpack = lkl.tarUnpack()
  const seen = []
  await rejects(t, pipeline(Readable.from([buf]), unpack, new (require('stream').Writable)({
    objectMode: true,
    write (e, enc, cb) { seen.push(e.path); if (e.content) e.content.resume(); cb() }
  })), (err) => err.code === 'ERR_LKL_TAR_INVALID' && /d\/big\.bin/.test(err.message), 'error: invalid header after d/big.bin')
  t.ok(seen.every((p) => p === 'd/first.txt' || p === 'd/big.bin'), 'nothing after the corrupt header came through')
})

test('../ and absolute paths are refused (image and host)', async (t) => {
  const file = ext4('escape.img')
  const img = await lkl.open(file, { type: 'ext4' })
  const cases = [
    [{ name: '../evil.txt' }, 'x'],
    [{ name: 'a/../../evil.txt' }, 'x'],
    [{ name: '/etc/evil.txt' }, 'x']
  ]
  for (const c of cases) {
    const tar = await craft([c])
    await rejects(t, pipeline(Readable.from([tar]), lkl.tarUnpack(), img.writer('/sub')),
      (err) => err.code === 'ERR_LKL_UNSAFE_PATH' && err.message.includes(c[0].name), `image: '${c[0].name}' refused`)
    await rejects(t, pipeline(Readable.from([tar]), lkl.tarUnpack(), lkl.hostWriter(path.join(dir, 'host-esc'))),
      (err) => err.code === 'ERR_LKL_UNSAFE_PATH', `host: '${c[0].name}' refused`)
  }
  const link = await craft([[{ name: 'ok.txt' }, 'x'], [{ name: 'hl', type: 'link', linkname: '../../etc/passwd' }]])
  await rejects(t, pipeline(Readable.from([link]), lkl.tarUnpack(), img.writer('/sub')),
    (err) => err.code === 'ERR_LKL_UNSAFE_PATH', 'a hardlink target outside is refused')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  t.notOk(fs.existsSync(path.join(dir, 'evil.txt')), 'nothing escaped on the host')
})

test('hostWriter: no writing through a symlink', async (t) => {
  const outside = path.join(dir, 'outside')
  fs.mkdirSync(outside)
  const tar = await craft([[{ name: 'link', type: 'symlink', linkname: outside }], [{ name: 'link/pwned.txt' }, 'x']])
  await rejects(t, pipeline(Readable.from([tar]), lkl.tarUnpack(), lkl.hostWriter(path.join(dir, 'host-sym'))),
    (err) => err.code === 'ERR_LKL_UNSAFE_PATH' && /symlink/.test(err.message), 'refused')
  t.deepEqual(fs.readdirSync(outside), [], 'nothing written outside')
})

test('a full image fails with ENOSPC naming the file; still clean', async (t) => {
  const file = ext4('full.img', 8)
  const img = await lkl.open(file, { type: 'ext4' })
  const big = h.pattern(16 * h.MB, 2)
  const tar = await craft([[{ name: 'small.txt' }, 'x'], [{ name: 'dir/too-big.bin' }, big]])
  await rejects(t, pipeline(Readable.from([tar]), lkl.tarUnpack(), img.writer('/')),
    (err) => err.code === 'ENOSPC' && err.message.includes('dir/too-big.bin'), 'ENOSPC names dir/too-big.bin')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})

test('GNU tar: long names, sparse files (pax 1.0), ACL text -> binary xattrs', async (t) => {
  const s = path.join(dir, 'gnu')
  const long = 'l'.repeat(150) + '/' + 'm'.repeat(150) + '/' + 'ñ'.repeat(100)
  fs.mkdirSync(path.join(s, long), { recursive: true })
  fs.writeFileSync(path.join(s, long, 'f.txt'), 'deep\n')
  const sp = path.join(s, 'sparse.bin')
  const fd = fs.openSync(sp, 'w')
  fs.writeSync(fd, DATA, 0, DATA.length, 5 * h.MB)
  fs.writeSync(fd, Buffer.from('tail'), 0, 4, 40 * h.MB)
  fs.closeSync(fd)
  fs.writeFileSync(path.join(s, 'acl.txt'), 'acl\n')
  h.must('setfacl', ['-m', 'u:4321:r-x', path.join(s, 'acl.txt')])
  const tar = path.join(dir, 'gnu.tar')
  h.must('tar', ['--format=posix', '--sparse', '--acls', '-C', s, '-cf', tar, '.'])
  t.ok(fs.statSync(tar).size < 2 * h.MB, 'GNU tar stored the sparse file sparsely')
  const file = ext4('gnu.img', 128)
  const img = await lkl.open(file, { type: 'ext4' })
  await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), img.writer('/'))
  const p = img.fs.promises
  t.equal((await p.readFile('/' + long + '/f.txt')).toString(), 'deep\n', 'long unicode path')
  const back = await p.readFile('/sparse.bin')
  const want = fs.readFileSync(sp)
  t.equal(back.length, want.length, 'sparse: real size')
  t.ok(back.equals(want), 'sparse: content')
  const st = await p.stat('/sparse.bin')
  t.ok(st.blocks * 512 < 4 * h.MB, `sparse: holes stayed holes (${st.blocks * 512} bytes allocated)`)
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  const acl = h.must('debugfs', ['-R', 'ea_list /acl.txt', file]).stdout.toString()
  t.ok(/system\.posix_acl_access/.test(acl), 'the ACL is stored as the kernel\'s xattr')
})

test('GNU tar: old-GNU sparse members (-S, default format), with extension blocks', async (t) => {
  const s = path.join(dir, 'gnu-old')
  fs.mkdirSync(s)
  // Two holes (fits the header's 4 slots) and 30 islands (needs extension blocks).
  const few = path.join(s, 'few.bin')
  let fd = fs.openSync(few, 'w')
  fs.writeSync(fd, DATA, 0, DATA.length, 3 * h.MB)
  fs.writeSync(fd, Buffer.from('end'), 0, 3, 20 * h.MB)
  fs.closeSync(fd)
  const many = path.join(s, 'many.bin')
  fd = fs.openSync(many, 'w')
  for (let i = 0; i < 30; i++) fs.writeSync(fd, Buffer.alloc(4096, i + 1), 0, 4096, i * 256 * 1024)
  fs.ftruncateSync(fd, 9 * h.MB)
  fs.closeSync(fd)
  const tar = path.join(dir, 'gnu-old.tar')
  h.must('tar', ['--format=gnu', '-S', '-C', s, '-cf', tar, '.'])
  const types = h.must('tar', ['--format=gnu', '-tvf', tar]).stdout.toString()
  t.ok(fs.statSync(tar).size < 2 * h.MB, 'GNU tar stored both files sparsely')
  t.ok(/many\.bin/.test(types), 'the tar lists the files')
  const file = ext4('gnu-old.img', 64)
  const img = await lkl.open(file, { type: 'ext4' })
  await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), img.writer('/'))
  const p = img.fs.promises
  for (const name of ['few.bin', 'many.bin']) {
    const want = fs.readFileSync(path.join(s, name))
    const back = await p.readFile('/' + name)
    t.equal(back.length, want.length, `${name}: real size`)
    t.ok(back.equals(want), `${name}: content`)
    const st = await p.stat('/' + name)
    t.ok(st.blocks * 512 < 2 * h.MB, `${name}: holes stayed holes (${st.blocks * 512} bytes allocated)`)
  }
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})
