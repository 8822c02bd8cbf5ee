// SPDX-License-Identifier: GPL-2.0-only
// Sparse tar packing (issue 10, part 3): a 1 GiB file holding 1 MiB of data
// in an ext4 image made by mke2fs -d packs as a GNU sparse 1.0 member into a
// tar under 2 MiB, which GNU tar and bsdtar extract with the holes kept and
// the same bytes; --no-sparse / tarPack({ sparse: false }) store it whole;
// our own unpack restores it into a fresh image (checked by e2fsck, debugfs).
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const { pipeline } = require('stream/promises')
const { Writable } = require('stream')
const lkl = require('..')
const h = require('./helpers')
const { lkl: cli } = require('./helpers/cli')

const GiB = 1024 * h.MB
const dir = h.tmpdir('lkl-tar-sparse')
const src = path.join(dir, 'src')
fs.mkdirSync(src)

// big.bin: 1 GiB, 16 pieces of 64 KiB (1 MiB of data) at unaligned offsets,
// ending in a hole. edges.bin: 8 MiB, data at both ends and one hole.
// dense.bin: 300 KiB of data, no hole (past the walk's small-file size). small.txt: read with its directory.
const PIECES = Array.from({ length: 16 }, (_, i) => [i * 64 * h.MB + i * 4096 + 123, h.pattern(64 * 1024, i + 1)])
function writeSparse (file, size, pieces) {
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, size)
  for (const [pos, data] of pieces) fs.writeSync(fd, data, 0, data.length, pos)
  fs.closeSync(fd)
}
writeSparse(path.join(src, 'big.bin'), GiB, PIECES)
writeSparse(path.join(src, 'edges.bin'), 8 * h.MB, [[0, h.pattern(5000, 21)], [8 * h.MB - 7000, h.pattern(7000, 22)]])
fs.writeFileSync(path.join(src, 'dense.bin'), h.pattern(300 * 1024, 23))
fs.writeFileSync(path.join(src, 'small.txt'), 'small\n')
const FILES = ['big.bin', 'edges.bin', 'dense.bin', 'small.txt']

const img = path.join(dir, 'sparse.ext4')
h.sparse(img, 64 * h.MB)
h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, img])

async function sha (file) {
  const hash = crypto.createHash('sha256')
  for await (const d of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(d)
  return hash.digest('hex')
}
const allocated = (file) => fs.statSync(file).blocks * 512
const same = (a, b) => h.sh('cmp', [a, b]).status === 0

test('the source image keeps the holes (mke2fs -d)', (t) => {
  const st = h.must('debugfs', ['-R', 'stat /big.bin', img]).stdout.toString()
  const blocks = Number(/Blockcount: (\d+)/.exec(st)[1])
  t.ok(blocks * 512 < 2 * h.MB, `big.bin has ${blocks * 512} bytes allocated in the image`)
  t.end()
})

const tar = path.join(dir, 'sparse.tar')

test('lkl pack: a tar under 2 MiB; GNU tar and bsdtar extract the same bytes with the holes kept', (t) => {
  const r = cli(['pack', img, tar])
  t.equal(r.status, 0, r.stderr)
  const size = fs.statSync(tar).size
  t.ok(size < 2 * h.MB, `tar of ${size} bytes`)
  const raw = fs.readFileSync(tar).toString('latin1')
  t.ok(raw.includes('GNUSparseFile.0/big.bin') && raw.includes('GNUSparseFile.0/edges.bin'), 'the files with holes are sparse members')
  t.notOk(raw.includes('GNUSparseFile.0/dense.bin') || raw.includes('GNUSparseFile.0/small.txt'), 'the others are not')
  const list = h.must('tar', ['-tvf', tar]).stdout.toString()
  t.ok(/ 1073741824 .* big\.bin\n/.test(list), 'GNU tar lists big.bin under its name with its real size')
  for (const [tool, args] of [['tar', ['-xf', tar]], ['bsdtar', ['-xf', tar]]]) {
    const out = path.join(dir, 'x-' + tool)
    fs.mkdirSync(out)
    h.must(tool, [...args, '-C', out])
    for (const f of FILES) t.ok(same(path.join(src, f), path.join(out, f)), `${tool}: ${f} identical (cmp)`)
    t.equal(fs.statSync(path.join(out, 'big.bin')).size, GiB, `${tool}: big.bin is 1 GiB`)
    const du = allocated(path.join(out, 'big.bin'))
    t.ok(du < 2 * h.MB, `${tool}: big.bin has ${du} bytes allocated (du): holes kept`)
    t.ok(allocated(path.join(out, 'edges.bin')) < h.MB, `${tool}: edges.bin keeps its hole`)
    const [a, b] = [fs.statSync(path.join(src, 'big.bin')), fs.statSync(path.join(out, 'big.bin'))]
    t.deepEqual([b.mode, Math.floor(b.mtimeMs / 1000)], [a.mode, Math.floor(a.mtimeMs / 1000)], `${tool}: big.bin's mode and mtime`)
    fs.rmSync(out, { recursive: true })
  }
  t.end()
})

test('lkl pack --no-sparse: the whole file is in the tar', (t) => {
  const full = path.join(dir, 'full.tar')
  const r = cli(['pack', '--no-sparse', img, full])
  t.equal(r.status, 0, r.stderr)
  const size = fs.statSync(full).size
  t.ok(size > GiB, `tar of ${size} bytes`)
  const list = h.must('tar', ['-tvf', full]).stdout.toString()
  t.ok(/ 1073741824 .* big\.bin\n/.test(list), 'GNU tar lists big.bin')
  fs.rmSync(full)
  t.end()
})

// Bytes of a tar made by tarPack from the image's walk.
async function packBytes (image, opts, keep) {
  let n = 0
  const parts = []
  await pipeline(image.walk('/'), lkl.tarPack(opts), new Writable({
    write (chunk, enc, cb) {
      n += chunk.length
      if (keep) parts.push(chunk)
      cb()
    }
  }))
  return keep ? Buffer.concat(parts) : n
}

test('tarPack({ sparse: false }) stores the whole file; the default a sparse member our unpack reads back', async (t) => {
  const image = await lkl.open(img, { readOnly: true })
  const dense = await packBytes(image, { sparse: false })
  t.ok(dense > GiB, `sparse: false: ${dense} bytes`)
  const bytes = await packBytes(image, {}, true)
  t.ok(bytes.length < 2 * h.MB, `default: ${bytes.length} bytes`)
  const seen = {}
  await pipeline(require('stream').Readable.from([bytes]), lkl.tarUnpack(), new Writable({
    objectMode: true,
    write (e, enc, cb) {
      if (e.type !== 'file') { cb(); return }
      let n = 0
      const hash = crypto.createHash('sha256')
      e.content.on('data', (d) => { n += d.length; hash.update(d) })
      e.content.on('end', () => { seen[e.path] = [e.size, n, hash.digest('hex')]; cb() })
    }
  }))
  for (const f of FILES) {
    const size = fs.statSync(path.join(src, f)).size
    t.deepEqual(seen[f], [size, size, await sha(path.join(src, f))], `tarUnpack: ${f}, its size, the host file's bytes (holes as zeroes)`)
  }
  t.throws(() => lkl.tarPack({ sparse: 'no' }), { code: 'ERR_INVALID_ARG_TYPE' }, 'sparse must be a boolean')
  await image.close()
})

test('img.createReadStream().dataMap(): the data ranges from the kernel, then only their bytes', async (t) => {
  const image = await lkl.open(img, { readOnly: true })
  const s = image.createReadStream('/big.bin')
  const map = await s.dataMap(GiB)
  t.equal(map.length, PIECES.length, `${map.length} ranges`)
  PIECES.forEach(([pos, data], i) => {
    const [off, len] = map[i]
    t.ok(off <= pos && off + len >= pos + data.length && len < data.length + 8192, `range ${i} [${off}, +${len}) covers the piece at ${pos}`)
  })
  const parts = []
  for await (const chunk of s) parts.push(chunk)
  const got = Buffer.concat(parts)
  t.equal(got.length, map.reduce((n, r) => n + r[1], 0), 'the stream yields the ranges\' bytes')
  const host = fs.openSync(path.join(src, 'big.bin'), 'r')
  let at = 0
  let ok = true
  for (const [off, len] of map) {
    const want = Buffer.alloc(len)
    fs.readSync(host, want, 0, len, off)
    ok = ok && want.equals(got.subarray(at, at + len))
    at += len
  }
  fs.closeSync(host)
  t.ok(ok, 'each range has the bytes of the host file at its offset')
  await image.close()
})

test('lkl unpack of the sparse tar into a fresh image: same bytes, holes kept', (t) => {
  const fresh = path.join(dir, 'fresh.ext4')
  h.sparse(fresh, 64 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', fresh])
  const r = cli(['unpack', fresh, tar])
  t.equal(r.status, 0, r.stderr)
  t.ok(h.fsck('ext4', fresh).ok, 'e2fsck clean')
  const st = h.must('debugfs', ['-R', 'stat /big.bin', fresh]).stdout.toString()
  t.ok(/Size: 1073741824\b/.test(st), 'debugfs: big.bin is 1 GiB')
  const blocks = Number(/Blockcount: (\d+)/.exec(st)[1])
  t.ok(blocks * 512 <= 4 * h.MB, `debugfs: ${blocks * 512} bytes allocated (the writer keeps holes of 64 KiB and more)`)
  for (const f of FILES) {
    const out = path.join(dir, 'dump-' + f)
    h.must('debugfs', ['-R', `dump /${f} ${out}`, fresh])
    t.ok(same(path.join(src, f), out), `debugfs dump of ${f} is identical (cmp)`)
    fs.rmSync(out)
  }
  t.end()
})

test.onFinish(() => lkl.halt())
