// SPDX-License-Identifier: GPL-2.0-only
// `lkl create` and lkl.mkfs(): every filesystem type, --size auto from tars,
// directories and stdin, partition tables, labels, reproducible mode,
// usage errors.
'use strict'

const test = require('tape')
const fs = require('fs')
const os = require('os')
const path = require('path')
const crypto = require('crypto')
const h = require('./helpers')
const { lkl, sh } = require('./helpers/cli')

const dir = h.tmpdir('lkl-cli-create')
// A tree every type can hold (no symlinks: vfat/exfat), ~20 MB in 200 files.
const plain = path.join(dir, 'plain')
for (let i = 0; i < 200; i++) {
  const f = path.join(plain, `d${i % 10}`, `file-${i}.bin`)
  fs.mkdirSync(path.dirname(f), { recursive: true })
  fs.writeFileSync(f, h.pattern(i * 997 + (i % 7 === 0 ? 400000 : 1), i))
}
fs.utimesSync(path.join(plain, 'd1/file-1.bin'), 1e9, 1.25e9)
const plainTar = path.join(dir, 'plain.tar')
h.must('tar', ['--format=posix', '-C', plain, '-cf', plainTar, '.'])
const contentBytes = fs.readdirSync(plain).reduce((n, d) => n + fs.readdirSync(path.join(plain, d)).reduce((m, f) => m + fs.statSync(path.join(plain, d, f)).size, 0), 0)
const names = () => h.must('tar', ['-tf', plainTar]).stdout.toString().trim().split('\n').map((l) => l.replace(/^\.\//, '').replace(/\/$/, '')).filter((l) => l && l !== '.').sort()

// The richer tree: symlinks, hardlinks, modes, a fifo.
const rich = h.makeTree(path.join(dir, 'rich'))
fs.symlinkSync('hello.txt', path.join(rich, 'link'))
fs.linkSync(path.join(rich, 'hello.txt'), path.join(rich, 'dir/hard'))
h.must('mkfifo', [path.join(rich, 'fifo')])
fs.chmodSync(path.join(rich, 'hello.txt'), 0o4711)
const richTar = path.join(dir, 'rich.tar')
h.must('tar', ['--format=posix', '-C', rich, '-cf', richTar, '.'])

function packNames (img, args = []) {
  const r = lkl(['pack', ...args, img])
  if (r.status !== 0) throw new Error(r.stderr)
  return h.must('tar', ['-tf', '-'], { input: r.stdout }).stdout.toString().trim().split('\n')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, '')).filter((l) => l && l !== '.' && l !== 'lost+found').sort()
}

for (const type of ['ext4', 'vfat', 'exfat', 'btrfs', 'xfs', 'f2fs']) {
  test(`create --type ${type} --from TAR (size auto): checker clean, tree intact`, (t) => {
    const img = path.join(dir, `auto-${type}.img`)
    const r = lkl(['create', img, '--type', type, '--from', plainTar, '--label', 'DATA'])
    t.equal(r.status, 0, r.stderr)
    const size = fs.statSync(img).size
    const fsck = h.fsck(type, img)
    t.ok(fsck.ok, `${type} checker clean${fsck.ok ? '' : ': ' + fsck.output}`)
    t.deepEqual(packNames(img), names(), 'every name packs back')
    const one = lkl(['cat', `${img}:/d3/file-13.bin`])
    t.ok(one.stdout.equals(h.pattern(13 * 997 + 1, 13)), 'content')
    const ls = lkl(['ls', '-l', `${img}:/d1/file-1.bin`]).stdout.toString()
    t.match(ls, /2009-08-1\d/, 'mtime kept')
    if (type === 'ext4' || type === 'vfat' || type === 'exfat') {
      t.ok(size <= contentBytes * 1.25 + 16 * h.MB, `auto size ${size} for ${contentBytes} bytes of content`)
    }
    const info = JSON.parse(lkl(['info', '--json', img]).stdout)
    t.equal(info.partitions[0].type, type)
    t.end()
  })
}

test('create ext4 from a rich tar and a directory, in order; debugfs agrees', (t) => {
  const img = path.join(dir, 'rich.img')
  const over = path.join(dir, 'over')
  fs.mkdirSync(path.join(over, 'dir'), { recursive: true })
  fs.writeFileSync(path.join(over, 'dir/note.txt'), 'replaced\n')
  const r = lkl(['create', img, '-t', 'ext4', '--from', richTar, '--from', over])
  t.equal(r.status, 0, r.stderr)
  t.ok(h.fsck('ext4', img).ok, 'e2fsck clean')
  t.equal(h.debugfsCat(img, '/dir/note.txt').toString(), 'replaced\n', 'the later source wins')
  t.ok(h.debugfsCat(img, '/dir/sub/data.bin').equals(h.TREE['dir/sub/data.bin']))
  const stat = h.must('debugfs', ['-R', 'stat /hello.txt', img]).stdout.toString()
  t.match(stat, /Mode: +04711/, 'setuid mode')
  t.match(stat, /Links: 2/, 'hardlink')
  t.match(h.must('debugfs', ['-R', 'stat /link', img]).stdout.toString(), /Fast link dest: "hello.txt"/)
  t.end()
})

test('create --from - (stdin, compressed) and a fixed --size', (t) => {
  const img = path.join(dir, 'stdin.img')
  let r = sh(`gzip -c '${richTar}' | lkl create '${img}' --type ext4 --from -`)
  t.equal(r.status, 0, r.stderr)
  t.ok(h.debugfsCat(img, '/dir/sub/data.bin').equals(h.TREE['dir/sub/data.bin']), 'auto size from spooled stdin')
  const fixed = path.join(dir, 'fixed.img')
  r = sh(`cat '${richTar}' | lkl create '${fixed}' -t ext4 -s 40M -f -`)
  t.equal(r.status, 0, r.stderr)
  t.equal(fs.statSync(fixed).size, 40 * h.MB)
  r = lkl(['create', path.join(dir, 'small.img'), '-t', 'ext4', '-s', '2M', '-f', plainTar])
  t.equal(r.status, 1, 'too small a fixed size: 1')
  t.match(r.stderr, /small\.img.*ENOSPC|ENOSPC.*small\.img|small\.img: .*no space/i)
  t.notOk(fs.existsSync(path.join(dir, 'small.img')), 'no half-made image left')
  t.end()
})

test('create --partition gpt|mbr --label: info, --partition N and label=L', (t) => {
  for (const table of ['gpt', 'mbr']) {
    const img = path.join(dir, `part-${table}.img`)
    let r = lkl(['create', img, '-t', 'ext4', '--partition', table, '-L', 'ROOT', '-f', richTar])
    t.equal(r.status, 0, r.stderr)
    const info = JSON.parse(lkl(['info', '--json', img]).stdout)
    t.equal(info.table, table)
    t.equal(info.partitions.length, 1)
    t.equal(info.partitions[0].partition, 1)
    t.equal(info.partitions[0].start, 1024 * 1024, '1 MiB aligned')
    t.equal(info.partitions[0].type, 'ext4')
    if (table === 'gpt') t.equal(info.partitions[0].name, 'ROOT')
    r = lkl(['cat', '--partition', '1', `${img}:/hello.txt`])
    t.equal(r.stdout.toString(), h.TREE['hello.txt'].toString(), `${table}: --partition 1`)
    r = lkl(['ls', '--partition', 'label=ROOT', `${img}:/dir`])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout.toString(), /note\.txt/, `${table}: --partition label=ROOT`)
    r = lkl(['ls', '--partition', '2', img])
    t.equal(r.status, 1, 'no partition 2')
    const fsOnly = path.join(dir, `part-${table}.fs`)
    h.must('dd', [`if=${img}`, `of=${fsOnly}`, 'bs=1M', 'skip=1', 'status=none'])
    t.ok(h.fsck('ext4', fsOnly).ok, `${table}: e2fsck clean on the partition`)
  }
  t.end()
})

test('reproducible mode: fixed UUIDs and seeds, clamped times', (t) => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' }
  const hash = (f) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex')
  for (const type of ['ext4', 'vfat', 'exfat', 'f2fs']) {
    const a = path.join(dir, `rep-${type}-a.img`)
    const b = path.join(dir, `rep-${type}-b.img`)
    t.equal(lkl(['create', a, '-t', type, '-s', '64M', '--partition', 'gpt'], { env }).status, 0)
    t.equal(lkl(['create', b, '-t', type, '-s', '64M', '--partition', 'gpt'], { env }).status, 0)
    t.equal(hash(a), hash(b), `${type}: a fresh image is byte-identical`)
  }
  // Filled images: the kernel boots with a frozen clock; ext4 is filled
  // without a journal and nodelalloc, the journal added afterwards.
  for (const type of ['ext4', 'ext2', 'vfat', 'exfat']) {
    const from = type === 'vfat' || type === 'exfat' ? plainTar : richTar
    const a = path.join(dir, `full-${type}-a.img`)
    const b = path.join(dir, `full-${type}-b.img`)
    let r = lkl(['create', a, '-t', type, '-f', from, '--partition', 'mbr'], { env })
    t.equal(r.status, 0, r.stderr)
    r = lkl(['create', b, '-t', type, '-f', from, '--partition', 'mbr'], { env })
    t.equal(r.status, 0, r.stderr)
    t.equal(hash(a), hash(b), `${type}: the same tar gives a byte-identical image`)
  }
  const full = path.join(dir, 'full-ext4-a.img')
  const fsOnly = path.join(dir, 'full-ext4.fs')
  h.must('dd', [`if=${full}`, `of=${fsOnly}`, 'bs=1M', 'skip=1', 'status=none'])
  t.ok(h.fsck('ext4', fsOnly).ok, 'e2fsck clean')
  t.match(h.must('dumpe2fs', ['-h', fsOnly]).stdout.toString(), /features:.*has_journal/, 'with its journal')
  const ex = path.join(dir, 'serial.img')
  t.equal(lkl(['create', ex, '-t', 'exfat', '-s', '16M', '--uuid', 'ABCD-1234']).status, 0)
  t.equal(h.must('blkid', ['-p', '-o', 'value', '-s', 'UUID', ex]).stdout.toString().trim(), 'ABCD-1234', 'exfat --uuid sets the volume serial')
  t.ok(h.fsck('exfat', ex).ok, 'and the boot checksum')
  const img = path.join(dir, 'rep.img')
  const r = lkl(['create', img, '-t', 'ext4', '-f', richTar, '--reproducible'], { env })
  t.equal(r.status, 0, r.stderr)
  const uuid = h.must('dumpe2fs', ['-h', img]).stdout.toString().match(/UUID: +(\S+)/)[1]
  const again = path.join(dir, 'rep2.img')
  lkl(['create', again, '-t', 'ext4', '-f', richTar], { env })
  t.equal(h.must('dumpe2fs', ['-h', again]).stdout.toString().match(/UUID: +(\S+)/)[1], uuid, 'same UUID')
  const stat = h.must('debugfs', ['-R', 'stat /dir/note.txt', img]).stdout.toString()
  t.match(stat, /mtime: 0x6553f100/, 'mtime clamped to SOURCE_DATE_EPOCH')
  t.end()
})

test('create: usage errors (2) and failures (1)', (t) => {
  const img = path.join(dir, 'bad.img')
  let r = lkl(['create', img, '--size', '10M'])
  t.equal(r.status, 2, 'no --type')
  t.match(r.stderr, /--type is required/)
  r = lkl(['create', img, '-t', 'ext4', '-s', '10M', '--overlay'])
  t.equal(r.status, 2, '--overlay with create')
  r = lkl(['create', img, '-t', 'zfs', '-s', '10M'])
  t.equal(r.status, 2, 'unknown type')
  r = lkl(['create', img, '-t', 'ext4', '-s', 'lots'])
  t.equal(r.status, 2, 'bad size')
  r = lkl(['create', img, '-t', 'ext4'])
  t.equal(r.status, 2, 'no size, no source')
  r = lkl(['create', img, '-t', 'ext4', '--partition', 'apm', '-s', '10M'])
  t.equal(r.status, 2, 'bad table')
  r = lkl(['create', img, '-t', 'xfs', '-s', '10M'])
  t.equal(r.status, 2, 'below the tool minimum')
  t.match(r.stderr, /300 MiB/)
  r = lkl(['create', img, '-t', 'ext4', '-f', path.join(dir, 'missing.tar')])
  t.equal(r.status, 1, 'missing source')
  t.match(r.stderr, /missing\.tar/)
  r = lkl(['create', img, '-t', 'vfat', '-f', richTar])
  t.equal(r.status, 1, 'a symlink on vfat fails naming the entry')
  t.match(r.stderr, /'(fifo|link)'/)
  t.notOk(fs.existsSync(img), 'no image left behind')
  const d = path.join(dir, 'a-dir')
  fs.mkdirSync(d)
  r = lkl(['create', d, '-t', 'ext4', '-s', '8M'])
  t.equal(r.status, 1, 'refuses to replace a directory')
  t.match(r.stderr, /not a regular file/)
  t.ok(fs.statSync(d).isDirectory(), 'the directory is intact')
  t.end()
})

test('lkl.mkfs: a missing tool names its Debian package', async (t) => {
  const { run } = require('../dist/mkfs/tools')
  try {
    await run('mkfs.nosuchfs', 'nosuchfs-tools', [])
    t.fail('should reject')
  } catch (e) {
    t.equal(e.code, 'ERR_LKL_TOOL_MISSING')
    t.match(e.message, /mkfs\.nosuchfs not found: install the Debian package 'nosuchfs-tools'/)
  }
  const lib = require('..')
  t.throws(() => lib.mkfs(path.join(os.tmpdir(), 'x.img'), { type: 'ext4', partition: 'apm' }), /partition/)
  t.throws(() => lib.mkfs(path.join(dir, 'y.img'), { type: 'ext4', size: 'big' }), /size/, 'bad size throws synchronously')
  try {
    await lib.mkfs(path.join(dir, 'y.img'), { type: 'ext4' })
    t.fail('should reject')
  } catch (e) {
    t.match(e.message, /size/, 'size required for a new file')
  }
})
