// SPDX-License-Identifier: GPL-2.0-only
// Errors that tell the user what happened (issue 9, part 7): a failed mount
// carries the kernel's own lines (xfs bad magic, duplicate xfs UUID,
// duplicate btrfs device), kernelLog() gives recent kernel lines, the CLI's
// --log prints them, messages stay bounded with a 1 MB path, a truncated
// .gz names the entry being read, readFile of a 1 TiB sparse file is EFBIG.
// (A real EUCLEAN's name and text: test/corrupt-names.js.)
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const lkl = require('..')
const h = require('./helpers')
const { failure } = h
const { lkl: cli } = require('./helpers/cli')

const dir = h.tmpdir('lkl-errors-report')
const ext4 = path.join(dir, 'e.img')
h.sparse(ext4, 64 * h.MB)
// 4 KiB blocks: ext4 files may then be 16 TiB (a 1 TiB sparse file below).
h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', h.makeTree(path.join(dir, 'src')), ext4])

// A copy of an image (sparse), the second of a pair with one UUID.
function copy (from, name) {
  const to = path.join(dir, name)
  h.must('cp', ['--sparse=always', from, to])
  return to
}

test('a failed mount carries the kernel\'s warning lines', async (t) => {
  const xfs = path.join(dir, 'x.img')
  h.makeImage('xfs', xfs)
  const bad = copy(xfs, 'xbad.img')
  const fd = fs.openSync(bad, 'r+')
  fs.writeSync(fd, Buffer.from('XXXX'), 0, 4, 0) // the superblock magic, XFSB
  fs.closeSync(fd)
  const e = await failure(lkl.open(bad, { type: 'xfs' }))
  t.equal(e && e.code, 'ERR_LKL_MOUNT_FAILED', 'bad magic: ERR_LKL_MOUNT_FAILED')
  t.ok(e && /Invalid superblock magic number/.test(e.message), `the message has the kernel's words: ${e && e.message}`)
  t.ok(e && Array.isArray(e.kernelLog) && e.kernelLog.some((l) => /^XFS \(lkl\d+\): Invalid superblock magic number$/.test(l)), 'err.kernelLog has the line (a warning: not on the quiet console)')

  const first = await lkl.open(xfs)
  const dup = await failure(lkl.open(copy(xfs, 'x2.img')))
  t.equal(dup && dup.code, 'ERR_LKL_MOUNT_FAILED', 'a second xfs with the same UUID')
  t.ok(dup && /duplicate UUID .* can't mount/.test(dup.message), `xfs: ${dup && dup.message}`)
  t.notOk(dup && dup.message.includes('…'), 'a short line stays whole')
  await first.close()

  const btrfs = path.join(dir, 'b.img')
  h.makeImage('btrfs', btrfs)
  const b1 = await lkl.open(btrfs)
  const b2 = await failure(lkl.open(copy(btrfs, 'b2.img')))
  t.equal(b2 && b2.code, 'ERR_LKL_MOUNT_FAILED', 'a second btrfs with the same fsid')
  t.ok(b2 && /BTRFS warning: duplicate device/.test(b2.message), `btrfs: ${b2 && b2.message}`)
  t.equal(b2 && b2.errno, -17, 'errno EEXIST')
  await b1.close()
})

test('kernelLog(): recent kernel lines, every level, bounded', async (t) => {
  const img = await lkl.open(ext4)
  await img.close()
  const log = await lkl.kernelLog()
  t.ok(/EXT4-fs \(lkl\d+\): mounted filesystem/.test(log), 'an info line of the mount (the console is quiet: not there)')
  t.ok(log.length <= 16384 && log.endsWith('\n'), `at most 16 KiB of whole lines by default (${log.length} bytes)`)
  const small = await lkl.kernelLog(200)
  t.ok(small.length <= 200 && small.length > 0 && log.endsWith(small), 'kernelLog(200): the newest whole lines')
  t.throws(() => lkl.kernelLog(-1), (e) => e.code === 'ERR_OUT_OF_RANGE', 'a negative size throws')
})

test('lkl --log prints the kernel lines of the run', (t) => {
  const r = cli(['ls', ext4, '--log'])
  t.equal(r.status, 0, 'ls --log')
  t.ok(/^kernel: EXT4-fs \(lkl0\): mounted filesystem/m.test(r.stderr), 'the mount\'s line on stderr')
  t.ok(/^kernel: EXT4-fs \(lkl0\): unmounting filesystem/m.test(r.stderr), 'and the unmount\'s (printed at the end)')
  t.notOk(/Linux version/.test(r.stderr), 'not the boot lines')
  const bad = cli(['ls', path.join(dir, 'xbad.img'), '--type', 'xfs', '--log'])
  t.equal(bad.status, 1, 'a failed mount with --log')
  t.ok(/^kernel: XFS \(lkl0\): Invalid superblock magic number$/m.test(bad.stderr), 'its kernel lines too')
  t.ok(/^lkl ls: Could not mount .* Invalid superblock magic number$/m.test(bad.stderr), 'then the error')
  t.notOk(/^kernel:/m.test(cli(['ls', ext4]).stderr), 'nothing without --log')
  t.end()
})

test('a 1 MB path is elided in messages, kept whole in err.path', async (t) => {
  const long = '/' + 'a'.repeat(1 << 20)
  const img = await lkl.open(ext4)
  const e = await failure(img.fs.promises.stat(long))
  t.equal(e && e.code, 'ENAMETOOLONG', 'stat of a 1 MB path: ENAMETOOLONG')
  t.ok(e && e.message.length < 300 && e.message.includes('…'), `message bounded (${e && e.message.length} chars)`)
  t.ok(e && e.message.startsWith("ENAMETOOLONG: name too long, stat '/aaaa") && e.message.endsWith("aaa'"), 'its start and end are kept')
  t.equal(e && e.path, long, 'err.path is the whole path')
  await img.close()

  const entry = { path: '../' + 'b'.repeat(1 << 20), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0n }
  const u = await failure(pipeline(Readable.from([entry], { objectMode: true }), lkl.hostWriter(path.join(dir, 'out'))))
  t.equal(u && u.code, 'ERR_LKL_UNSAFE_PATH', 'an unsafe 1 MB entry path')
  t.ok(u && u.message.length < 400, `LklError message bounded (${u && u.message.length} chars)`)

  // The CLI: a tar whose one member has a 1 MB name (pax), into an image.
  const tar = path.join(dir, 'long.tar')
  const member = { ...entry, path: 'c/'.repeat(1 << 19) + 'f' }
  await pipeline(Readable.from([member], { objectMode: true }), lkl.tarPack(), fs.createWriteStream(tar))
  const r = cli(['unpack', ext4, tar])
  t.equal(r.status, 1, 'lkl unpack of a 1 MB member name fails')
  t.ok(r.stderr.length < 600 && r.stderr.includes('…'), `one bounded line: ${r.stderr.trim()}`)
})

test('a truncated .gz names the entry being read', (t) => {
  const src = path.join(dir, 'gz')
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(src, 'a.txt'), 'first\n')
  fs.writeFileSync(path.join(src, 'sub', 'big.bin'), h.pattern(4 * h.MB, 3)) // incompressible
  const tgz = path.join(dir, 't.tgz')
  h.must('tar', ['-C', src, '-czf', tgz, 'a.txt', 'sub'])
  const cut = path.join(dir, 'cut.tgz')
  fs.writeFileSync(cut, fs.readFileSync(tgz).subarray(0, 2 * h.MB))
  const r = cli(['unpack', ext4 + ':/gz', cut])
  t.equal(r.status, 1, 'unpack of a truncated .tgz fails')
  t.equal(r.stderr.trim(), `lkl unpack: ${ext4}: The gzip input ends early (truncated file), in the entry 'sub/big.bin'`, 'the message names the entry')
  const piped = h.sh('sh', ['-c', `head -c 100000 '${tgz}' | "${process.execPath}" "${require('./helpers/cli').MAIN}" unpack '${ext4}:/gz2'`])
  t.ok(piped.stderr.includes("The gzip input ends early (truncated file), in the entry 'sub/big.bin'"), `from stdin too: ${piped.stderr.trim()}`)
  t.end()
})

test('readFile of a file larger than a Buffer: EFBIG, not ERR_OUT_OF_RANGE', async (t) => {
  const img = await lkl.open(ext4)
  const p = img.fs.promises
  await p.writeFile('/huge', '')
  await p.truncate('/huge', 2 ** 40) // 1 TiB, sparse (ext4's limit with 4 KiB blocks is 16 TiB)
  t.equal((await p.stat('/huge')).size, 2 ** 40, 'a 1 TiB sparse file')
  const e = await failure(p.readFile('/huge'))
  t.equal(e && e.code, 'EFBIG', `readFile: ${e && e.message}`)
  t.equal(e && e.message, "EFBIG: file too large, read '/huge'", 'message')
  t.equal(e && e.errno, -27, 'errno')
  const fh = await p.open('/huge')
  const f = await failure(fh.readFile())
  t.equal(f && f.code, 'EFBIG', 'FileHandle.readFile too')
  await fh.close()
  await p.unlink('/huge')
  await img.close()
  t.ok(h.fsck('ext4', ext4).ok, 'e2fsck -fn: clean')
})
