// SPDX-License-Identifier: GPL-2.0-only
// `lkl unpack` / `lkl pack` through pipes and files, compressed or not,
// with the entry options (--exclude, --strip, --owner-map, --reproducible).
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const h = require('./helpers')
const { lkl, sh } = require('./helpers/cli')

const dir = h.tmpdir('lkl-cli-tar')
const src = h.makeTree(path.join(dir, 'src'))
fs.symlinkSync('hello.txt', path.join(src, 'link'))
fs.linkSync(path.join(src, 'hello.txt'), path.join(src, 'dir/hard'))
h.must('mkfifo', [path.join(src, 'fifo')])
fs.chmodSync(path.join(src, 'dir/note.txt'), 0o640)
fs.chownSync(path.join(src, 'dir/note.txt'), 1234, 5678)
fs.utimesSync(path.join(src, 'hello.txt'), 1e9, 1.5e9)
const tar = path.join(dir, 'src.tar')
h.must('tar', ['--format=posix', '--numeric-owner', '-C', src, '-cf', tar, '.'])

function freshImage (name) {
  const img = path.join(dir, name)
  h.sparse(img, 64 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', img])
  return img
}

// `tar -tv --numeric-owner` lines without the date, sorted.
function listing (tarBytesOrFile) {
  const args = ['--numeric-owner', '-tvf', typeof tarBytesOrFile === 'string' ? tarBytesOrFile : '-']
  const out = h.must('tar', args, typeof tarBytesOrFile === 'string' ? {} : { input: tarBytesOrFile }).stdout.toString()
  return out.trim().split('\n').map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d /, '').replace(/ +/g, ' ')).sort()
}

test('cat x.tar | lkl unpack img ; lkl pack img | tar -x: the tree survives', (t) => {
  const img = freshImage('pipe.img')
  let r = sh(`cat '${tar}' | lkl unpack '${img}'`)
  t.equal(r.status, 0, r.stderr)
  t.ok(h.fsck('ext4', img).ok, 'e2fsck clean')
  t.ok(h.debugfsCat(img, '/dir/sub/data.bin').equals(h.TREE['dir/sub/data.bin']), 'debugfs reads the content')
  const out = path.join(dir, 'out')
  fs.mkdirSync(out)
  r = sh(`lkl pack '${img}' | tar --numeric-owner -x -C '${out}' --exclude=./lost+found`)
  t.equal(r.status, 0, r.stderr)
  for (const rel of Object.keys(h.TREE)) t.ok(fs.readFileSync(path.join(out, rel)).equals(h.TREE[rel]), rel)
  const a = fs.lstatSync(path.join(src, 'dir/note.txt'))
  const b = fs.lstatSync(path.join(out, 'dir/note.txt'))
  t.deepEqual([b.mode, b.uid, b.gid, b.mtimeMs], [a.mode, a.uid, a.gid, a.mtimeMs], 'mode, owners, mtime')
  t.equal(fs.readlinkSync(path.join(out, 'link')), 'hello.txt', 'symlink')
  t.ok(fs.lstatSync(path.join(out, 'fifo')).isFIFO(), 'fifo')
  t.equal(fs.statSync(path.join(out, 'dir/hard')).ino, fs.statSync(path.join(out, 'hello.txt')).ino, 'hardlink')
  t.equal(fs.statSync(path.join(out, 'hello.txt')).mtimeMs, 1.5e12, 'mtime of a file')
  t.end()
})

test('files instead of pipes; a subdirectory on both sides', (t) => {
  const img = freshImage('file.img')
  let r = lkl(['unpack', `${img}:/opt/app`, tar])
  t.equal(r.status, 0, r.stderr)
  t.deepEqual(h.debugfsLs(img, '/opt/app'), ['dir', 'fifo', 'hello.txt', 'link'])
  const out = path.join(dir, 'sub.tar')
  r = lkl(['pack', `${img}:/opt/app/dir`, out])
  t.equal(r.status, 0, r.stderr)
  t.deepEqual(listing(out).map((l) => l.split(' ').pop()).sort(), ['./', 'empty/', 'hard', 'note.txt', 'sub/', 'sub/data.bin'])
  t.end()
})

test('compression: --gzip/--xz/--zstd, by extension, and detected on input', (t) => {
  const img = freshImage('z.img')
  t.equal(lkl(['unpack', img, tar]).status, 0)
  const plain = listing(lkl(['pack', img]).stdout)
  const magic = { gzip: '1f8b', xz: 'fd377a585a00', zstd: '28b52ffd' }
  for (const codec of ['gzip', 'xz', 'zstd']) {
    const r = lkl(['pack', `--${codec}`, img])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout.subarray(0, magic[codec].length / 2).toString('hex'), magic[codec], `${codec} magic`)
    const back = freshImage(`z-${codec}.img`)
    const u = lkl(['unpack', back], { input: r.stdout })
    t.equal(u.status, 0, `${codec} input detected: ${u.stderr}`)
    t.deepEqual(listing(lkl(['pack', back]).stdout), plain, `${codec} round trip`)
  }
  const gz = path.join(dir, 'out.tar.gz')
  t.equal(lkl(['pack', img, gz]).status, 0)
  t.equal(fs.readFileSync(gz).subarray(0, 2).toString('hex'), '1f8b', '.tar.gz by extension')
  const r = sh(`gzip -dc '${gz}' | tar -t >/dev/null`)
  t.equal(r.status, 0, 'gzip output is a valid tar')
  t.equal(lkl(['pack', '--gzip', '--xz', img]).status, 2, 'two codecs: usage error')
  t.end()
})

test('--exclude, --strip, --owner-map, --reproducible', (t) => {
  const img = freshImage('opts.img')
  let r = lkl(['unpack', '--exclude', 'dir/sub', '--exclude', '*.txt', img, tar])
  t.equal(r.status, 0, r.stderr)
  t.deepEqual(h.debugfsLs(img, '/'), ['dir', 'fifo', 'link', 'lost+found'])
  t.deepEqual(h.debugfsLs(img, '/dir'), ['empty', 'hard'])
  const img2 = freshImage('strip.img')
  r = lkl(['unpack', '--strip', '1', img2, tar])
  t.equal(r.status, 0, r.stderr)
  t.deepEqual(h.debugfsLs(img2, '/'), ['empty', 'hard', 'lost+found', 'note.txt', 'sub'], 'dir/* -> *, top-level files dropped')
  t.ok(h.debugfsCat(img2, '/sub/data.bin').equals(h.TREE['dir/sub/data.bin']), 'dir/sub/data.bin -> sub/data.bin')
  r = lkl(['pack', '--owner-map', '0:0', img, '-'])
  t.equal(r.status, 0, r.stderr)
  t.ok(listing(r.stdout).every((l) => / 0\/0 /.test(l)), 'every owner squashed')
  r = lkl(['pack', '--owner-map', 'u1234=42,g5678=43', `${img}:/`])
  t.equal(r.status, 0, r.stderr)
  r = lkl(['pack', '--reproducible', img], { env: { SOURCE_DATE_EPOCH: '86400' } })
  t.equal(r.status, 0, r.stderr)
  t.ok(listing(r.stdout).length > 3)
  const times = h.must('tar', ['--full-time', '-tvf', '-'], { input: r.stdout }).stdout.toString()
  t.ok(times.trim().split('\n').every((l) => l.includes('1970-01-02')), 'times clamped to SOURCE_DATE_EPOCH')
  t.equal(lkl(['pack', '--owner-map', 'nonsense', img]).status, 2, 'bad --owner-map: usage')
  t.equal(lkl(['unpack', '--strip', 'x', img, tar]).status, 2, 'bad --strip: usage')
  t.end()
})

test('errors: corrupt or missing tar, missing image', (t) => {
  const img = freshImage('err.img')
  const bad = path.join(dir, 'bad.tar')
  const good = fs.readFileSync(tar)
  const corrupt = Buffer.from(good.subarray(0, 4096))
  corrupt.fill(0x41, 1024, 1536)
  fs.writeFileSync(bad, corrupt)
  let r = lkl(['unpack', img, bad])
  t.equal(r.status, 1, 'corrupt tar: 1')
  t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
  t.match(r.stderr, /err\.img/, 'names the image')
  t.ok(h.fsck('ext4', img).ok, 'image stays fsck-clean')
  r = lkl(['unpack', img, path.join(dir, 'missing.tar')])
  t.equal(r.status, 1)
  t.match(r.stderr, /ENOENT.*missing\.tar/)
  r = lkl(['pack', path.join(dir, 'nope.img')])
  t.equal(r.status, 1)
  t.match(r.stderr, /nope\.img/)
  r = lkl(['unpack', img], { input: Buffer.from('this is not a tar at all, not even close'.repeat(40)) })
  t.equal(r.status, 1, 'garbage on stdin: 1')
  t.end()
})
