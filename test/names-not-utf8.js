// SPDX-License-Identifier: GPL-2.0-only
// File names that are not valid UTF-8 (issue 10, part 5): a host tree with
// Latin-1 names (and other byte sequences UTF-8 forbids) goes into real
// images (mke2fs -d, GNU tar, hostWalk) and comes back out (debugfs rdump,
// GNU tar and bsdtar extracting our tar, hostWriter) byte for byte. In JS
// such a name holds surrogate escapes (U+DC80..U+DCFF, native/name_codec.h),
// and passing that string back reaches the same entry.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const lkl = require('..')
const h = require('./helpers')
const { nameFromBytes, nameToBytes } = lkl

const dir = h.tmpdir('lkl-names')
const L = (s) => Buffer.from(s, 'latin1')
const J = (...parts) => Buffer.concat(parts.flatMap((p, i) => i ? [Buffer.from('/'), p] : [p]))

// Names as bytes: Latin-1, a cut UTF-8 sequence, an encoded surrogate
// (invalid UTF-8 whose escapes must not merge into a real character), a
// real U+FFFD, and valid UTF-8 beside them.
const FILE = L('caf\xe9.txt')
const DIR = L('d\xe9j\xe0 vu')
const INNER = Buffer.from([0xff, 0xfe, 0x41])
const CUT = Buffer.from([0x61, 0xc3])
const SURR = Buffer.from([0x73, 0xed, 0xa0, 0x80])
const FFFD = Buffer.from('x\uFFFDy')
const UTF8 = Buffer.from('café ☃ 😀')
const LINK = L('lnk\xe9')
const HARD = L('hard\xe9')

function makeSource (root) {
  fs.mkdirSync(root)
  const put = (rel, data) => fs.writeFileSync(J(Buffer.from(root), rel), data)
  put(FILE, 'latin1 file\n')
  fs.mkdirSync(J(Buffer.from(root), DIR))
  put(J(DIR, INNER), 'inner\n')
  put(CUT, 'cut\n')
  put(SURR, 'surrogate\n')
  put(FFFD, 'replacement char\n')
  put(UTF8, 'utf8\n')
  fs.symlinkSync(J(DIR, INNER), J(Buffer.from(root), LINK))
  fs.linkSync(J(Buffer.from(root), FILE), J(Buffer.from(root), HARD))
}

// The tree below root as [relpath bytes (latin1 string, to compare), what it is].
function treeBytes (root) {
  const out = []
  const walk = (abs, rel) => {
    for (const n of fs.readdirSync(abs, { encoding: 'buffer' })) {
      if (rel.length === 0 && n.toString() === 'lost+found') continue
      const a = J(abs, n)
      const r = rel.length ? J(rel, n) : n
      const st = fs.lstatSync(a)
      if (st.isDirectory()) { out.push([r.toString('latin1'), 'dir']); walk(a, r) } else if (st.isSymbolicLink()) out.push([r.toString('latin1'), 'link ' + fs.readlinkSync(a, { encoding: 'buffer' }).toString('latin1')])
      else out.push([r.toString('latin1'), 'file ' + fs.readFileSync(a).toString('latin1')])
    }
  }
  walk(Buffer.from(root), Buffer.alloc(0))
  return out.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
}

function rdump (img, name) {
  const out = path.join(dir, name)
  fs.mkdirSync(out)
  h.must('debugfs', ['-R', `rdump / ${out}`, img])
  return out
}

const src = path.join(dir, 'src')
makeSource(src)
const expected = treeBytes(src)

test('the codec: bytes -> string -> bytes is exact, UTF-8 is unchanged', (t) => {
  t.equal(nameFromBytes(FILE), 'caf\uDCE9.txt', 'a Latin-1 byte becomes its escape')
  t.ok(nameToBytes('caf\uDCE9.txt').equals(FILE), 'and back')
  t.equal(nameFromBytes(UTF8), 'café ☃ 😀', 'valid UTF-8 decodes as node does')
  t.equal(nameFromBytes(FFFD), 'x\uFFFDy', 'a real U+FFFD stays one')
  t.ok(nameToBytes('x\uFFFDy').equals(FFFD))
  t.equal(nameFromBytes(SURR), 's\uDCED\uDCA0\uDC80', 'an encoded surrogate is three escapes, not a character')
  t.equal(nameFromBytes(CUT), 'a\uDCC3', 'a cut sequence escapes its bytes')
  t.ok(nameToBytes('\uD83D').equals(Buffer.from('\uFFFD')), 'a lone surrogate that is no escape becomes U+FFFD, as node:fs does')
  let bad = 0
  for (let i = 0; i < 3000; i++) {
    const b = h.pattern(1 + (i % 40), i + 1)
    if (!nameToBytes(nameFromBytes(b)).equals(b)) bad++
  }
  t.equal(bad, 0, '3000 random byte strings round-trip exactly')
  t.end()
})

test('an image made by mke2fs -d: the fs shim lists, reads and follows the names', async (t) => {
  const file = path.join(dir, 'mke2fs.img')
  h.makeImage('ext4', file, src)
  const img = await lkl.open(file, { readOnly: true })
  try {
    const p = img.fs.promises
    const asBuffers = (await p.readdir('/', 'buffer')).filter((n) => n.toString() !== 'lost+found').map((b) => b.toString('latin1')).sort()
    const host = fs.readdirSync(src, { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort()
    t.deepEqual(asBuffers, host, "readdir(..., 'buffer') gives the exact bytes")
    const names = await p.readdir('/')
    t.ok(names.includes('caf\uDCE9.txt'), 'readdir gives the escaped string')
    t.ok(names.includes('café ☃ 😀'), 'and valid UTF-8 as is')
    t.equal(await p.readFile('/caf\uDCE9.txt', 'utf8'), 'latin1 file\n', 'the escaped name opens the file')
    t.equal(await p.readFile(J(Buffer.alloc(0), DIR, INNER), 'utf8'), 'inner\n', 'so do its bytes')
    t.equal((await p.stat('/s\uDCED\uDCA0\uDC80')).size, 10, 'stat by escapes')
    const target = await p.readlink('/lnk\uDCE9')
    t.ok(nameToBytes(target).equals(J(DIR, INNER)), 'readlink escapes the target')
    t.ok((await p.readlink('/lnk\uDCE9', 'buffer')).equals(J(DIR, INNER)), "readlink(..., 'buffer') gives its bytes")
    t.equal(await p.readFile('/lnk\uDCE9', 'utf8'), 'inner\n', 'the link is followed')
    const deep = await p.readdir('/', { recursive: true })
    t.ok(deep.includes(nameFromBytes(J(DIR, INNER))), 'recursive readdir escapes nested names')
    const real = await p.realpath('/lnk\uDCE9')
    t.ok(nameToBytes(real).equals(J(Buffer.alloc(0), DIR, INNER)), 'realpath through the link')
    const err = await h.failure(p.stat('/caf\uDCE9.missing'))
    t.equal(err && err.code, 'ENOENT', 'a missing escaped name is ENOENT')
    t.equal(err && err.path, '/caf\uDCE9.missing', 'and the error names it as given')
  } finally {
    await img.close()
  }
})

test('names written through the fs shim land as their bytes (debugfs rdump, e2fsck)', async (t) => {
  const file = path.join(dir, 'shim.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file)
  const p = img.fs.promises
  await p.mkdir('/d\uDCE9')
  await p.writeFile('/d\uDCE9/\uDCFF\uDCFE', 'one\n')
  await p.writeFile(J(Buffer.alloc(0), CUT), 'two\n')
  await p.symlink('d\uDCE9/\uDCFF\uDCFE', '/l\uDCE9')
  await p.rename('/d\uDCE9/\uDCFF\uDCFE', '/d\uDCE9/\uDCFF')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck -fn is clean')
  const got = treeBytes(rdump(file, 'shim-out'))
  t.deepEqual(got, [
    [J(CUT).toString('latin1'), 'file two\n'],
    [L('d\xe9').toString('latin1'), 'dir'],
    [L('d\xe9/\xff').toString('latin1'), 'file one\n'],
    [L('l\xe9').toString('latin1'), 'link ' + L('d\xe9/\xff\xfe').toString('latin1')]
  ].sort((a, b) => a[0] < b[0] ? -1 : 1), 'debugfs finds the exact bytes')
})

test('walk -> tarPack: GNU tar and bsdtar extract the exact bytes', async (t) => {
  const file = path.join(dir, 'walk.img')
  h.makeImage('ext4', file, src)
  const img = await lkl.open(file, { readOnly: true })
  const tar = path.join(dir, 'walk.tar')
  await pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream(tar))
  await img.close()
  for (const [tool, args] of [['tar', ['-xf']], ['bsdtar', ['-xf']]]) {
    const out = path.join(dir, 'x-' + tool)
    fs.mkdirSync(out)
    h.must(tool, [...args, tar, '-C', out])
    t.deepEqual(treeBytes(out), expected, `${tool} extracts every name byte-exact`)
  }
})

test('GNU tar -> tarUnpack -> image: the exact bytes (rdump, e2fsck)', async (t) => {
  const tar = path.join(dir, 'gnu.tar')
  h.must('tar', ['--format=posix', '-cf', tar, '-C', src, '.'])
  const file = path.join(dir, 'unpack.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file)
  const paths = []
  await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), lkl.transforms.mapEntries((e) => { paths.push(e.path); return e }), img.writer('/'))
  await img.close()
  t.ok(paths.includes('./caf\uDCE9.txt') || paths.includes('caf\uDCE9.txt'), 'the entry path holds the escape')
  t.ok(h.fsck('ext4', file).ok, 'e2fsck -fn is clean')
  t.deepEqual(treeBytes(rdump(file, 'unpack-out')), expected, 'debugfs finds every name, link target and hardlink')
})

test('hostWalk -> image, and image walk -> hostWriter, keep the bytes', async (t) => {
  const file = path.join(dir, 'host.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file)
  await pipeline(lkl.hostWalk(src), img.writer('/'))
  const out = path.join(dir, 'host-out')
  await pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.hostWriter(out))
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck -fn is clean')
  t.deepEqual(treeBytes(rdump(file, 'host-rdump')), expected, 'hostWalk -> image: debugfs finds the exact bytes')
  t.deepEqual(treeBytes(out), expected, 'image -> hostWriter: the host tree has the exact bytes')
  const ino = (p) => fs.lstatSync(J(Buffer.from(out), p)).ino
  t.equal(ino(HARD), ino(FILE), 'the hardlink stays a hardlink')
})

test('lkl ls and lkl pack: names go out as their bytes', (t) => {
  const { lkl: cli } = require('./helpers/cli')
  const file = path.join(dir, 'cli.img')
  h.makeImage('ext4', file, src)
  const ls = cli(['ls', file])
  t.equal(ls.status, 0, 'lkl ls succeeds')
  const lines = ls.stdout.toString('latin1').split('\n').filter((l) => l !== '' && l !== 'lost+found').sort()
  t.deepEqual(lines, expected.filter(([p]) => !p.includes('/')).map(([p]) => p).sort(), 'lkl ls writes every name byte for byte, as GNU ls does to a pipe')
  const tar = path.join(dir, 'cli.tar')
  t.equal(cli(['pack', file, tar]).status, 0, 'lkl pack succeeds')
  const out = path.join(dir, 'cli-x')
  fs.mkdirSync(out)
  h.must('tar', ['-xf', tar, '-C', out, '--exclude=lost+found'])
  t.deepEqual(treeBytes(out), expected, 'GNU tar extracts the exact bytes from lkl pack')
  t.end()
})
