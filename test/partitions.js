// SPDX-License-Identifier: GPL-2.0-only
// Partitioned images (sfdisk): MBR with two primaries, MBR with a logical
// partition, GPT. partition: N reads and writes the right filesystem.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

const MiB = h.MB
const dir = h.tmpdir('lkl-parts')
const src = h.makeTree(path.join(dir, 'src'))

// A whole disk of `size` MiB partitioned by an sfdisk script; partition
// `target` gets an ext4 made by mke2fs -d, the others a vfat decoy.
function makeDisk (name, script, size) {
  const file = path.join(dir, name + '.img')
  h.sparse(file, size * MiB)
  h.must('sfdisk', ['-q', file], { input: script })
  const parts = JSON.parse(h.must('sfdisk', ['-J', file]).stdout).partitiontable.partitions
  return { file, parts: parts.map((p) => ({ n: Number(p.node.match(/(\d+)$/)[1]), start: p.start * 512, size: p.size * 512, type: p.type })) }
}

// Put a filesystem image into a partition (conv=notrunc-like).
function fill (disk, n, type) {
  const part = disk.parts.find((p) => p.n === n)
  const fsfile = path.join(dir, `p${n}-${path.basename(disk.file)}`)
  h.sparse(fsfile, part.size)
  if (type === 'ext4') h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, fsfile])
  else h.must('mkfs.vfat', [fsfile])
  const data = fs.readFileSync(fsfile)
  const fd = fs.openSync(disk.file, 'r+')
  fs.writeSync(fd, data, 0, data.length, part.start)
  fs.closeSync(fd)
  fs.unlinkSync(fsfile)
}

// Extract a partition to its own file for the host tools.
function extract (disk, n) {
  const part = disk.parts.find((p) => p.n === n)
  const out = path.join(dir, `out-p${n}-${path.basename(disk.file)}`)
  const fd = fs.openSync(disk.file, 'r')
  const buf = Buffer.alloc(part.size)
  fs.readSync(fd, buf, 0, part.size, part.start)
  fs.closeSync(fd)
  fs.writeFileSync(out, buf)
  return out
}

async function check (t, disk, n, type) {
  const img = await lkl.open(disk.file, { type, partition: n })
  t.equal(img.type, 'ext4', `partition ${n} mounted as ext4 (type: ${type})`)
  const p = img.fs.promises
  t.ok((await p.readFile('/dir/sub/data.bin')).equals(h.TREE['dir/sub/data.bin']), 'reads the tools\' file')
  const data = h.pattern(2 * MiB, n)
  await p.writeFile('/written.bin', data)
  await img.close()
  const out = extract(disk, n)
  const r = h.fsck('ext4', out)
  t.ok(r.ok, 'e2fsck clean' + (r.ok ? '' : '\n' + r.output))
  t.ok(h.debugfsCat(out, '/written.bin').equals(data), 'debugfs reads what lkl wrote in the partition')
  const other = disk.parts.find((q) => q.n !== n && q.type !== '5' && q.type !== 'f')
  if (other) t.ok(h.fsck('vfat', extract(disk, other.n)).ok, `the other partition (${other.n}) is untouched and clean`)
}

test('MBR with two partitions: partition 2', async (t) => {
  const disk = makeDisk('mbr', 'label: dos\n,24MiB,c\n,,83\n', 96)
  fill(disk, 1, 'vfat')
  fill(disk, 2, 'ext4')
  await check(t, disk, 2, 'ext4')
  await check(t, disk, 2, 'auto')
})

test('MBR with a logical partition: partition 5', async (t) => {
  const disk = makeDisk('logical', 'label: dos\n,24MiB,c\n,,5\n,64MiB,83\n', 128)
  fill(disk, 1, 'vfat')
  fill(disk, 5, 'ext4')
  await check(t, disk, 5, 'auto')
})

test('GPT: partition 2', async (t) => {
  const disk = makeDisk('gpt', 'label: gpt\n,24MiB,EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n,,0FC63DAF-8483-4772-8E79-3D69D8477DE4\n', 96)
  fill(disk, 1, 'vfat')
  fill(disk, 2, 'ext4')
  await check(t, disk, 2, 'ext4')
  await check(t, disk, 2, 'auto')
})

test('a partition that does not exist', async (t) => {
  const disk = makeDisk('two', 'label: dos\n,24MiB,c\n,,83\n', 64)
  await lkl.open(disk.file, { type: 'ext4', partition: 3 }).then(() => t.fail('opened'), (e) => {
    t.equal(e.code, 'ERR_LKL_NO_PARTITION', e.message)
  })
})
