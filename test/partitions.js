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

// A GPT disk with named partitions, each a different filesystem with a label.
const LABELLED = [
  { type: 'vfat', label: 'BOOTFS', name: 'esp', size: 40, mk: (f) => ['mkfs.vfat', ['-n', 'BOOTFS', f]] },
  { type: 'ext4', label: 'rootfs', name: 'root', size: 40, mk: (f) => ['mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'rootfs', '-d', src, f]] },
  { type: 'btrfs', label: 'pool', name: 'data', size: 128, mk: (f) => ['mkfs.btrfs', ['-q', '-f', '-L', 'pool', f]] },
  { type: 'xfs', label: 'xlab', name: 'logs', size: 320, mk: (f) => ['mkfs.xfs', ['-q', '-f', '-L', 'xlab', f]] },
  { type: 'exfat', label: 'EXLAB', name: 'share', size: 40, mk: (f) => ['mkfs.exfat', ['-L', 'EXLAB', f]] },
  { type: 'f2fs', label: 'flash', name: 'flash', size: 128, mk: (f) => ['mkfs.f2fs', ['-q', '-f', '-l', 'flash', f]] }
]

test('partition: { label } and { partlabel }, disk.partitions()', async (t) => {
  const total = LABELLED.reduce((n, p) => n + p.size, 0) + 4
  const script = 'label: gpt\n' + LABELLED.map((p) => `size=${p.size}MiB, type=L, name="${p.name}"`).join('\n') + '\n'
  const disk = makeDisk('labelled', script, total)
  LABELLED.forEach((spec, i) => {
    const part = disk.parts.find((p) => p.n === i + 1)
    const fsfile = path.join(dir, `lab-${spec.type}.img`)
    h.sparse(fsfile, part.size)
    const [cmd, args] = spec.mk(fsfile)
    h.must(cmd, args)
    const fd = fs.openSync(disk.file, 'r+')
    fs.writeSync(fd, fs.readFileSync(fsfile), 0, part.size, part.start)
    fs.closeSync(fd)
    fs.unlinkSync(fsfile)
  })
  const d = lkl.disk.file(disk.file)
  const parts = await d.partitions()
  t.deepEqual(parts.map((p) => p.number), [1, 2, 3, 4, 5, 6], 'six partitions')
  t.deepEqual(parts.map((p) => p.name), LABELLED.map((p) => p.name), 'GPT names')
  t.deepEqual(parts.map((p) => [p.start, p.size]), disk.parts.map((p) => [p.start, p.size]), 'starts and sizes match sfdisk')
  t.equal(parts[1].type, '0fc63daf-8483-4772-8e79-3d69d8477de4', 'GPT type GUID')
  for (const [i, spec] of LABELLED.entries()) {
    const blkid = h.sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', '-O', String(disk.parts[i].start), disk.file]).stdout.toString().trim()
    if (blkid) t.equal(blkid, spec.label, `blkid agrees: ${spec.type} label '${blkid}'`)
    const img = await lkl.open(d, { partition: { label: spec.label } })
    t.deepEqual([img.partition, img.type], [i + 1, spec.type], `{ label: '${spec.label}' } -> partition ${i + 1}, ${spec.type}`)
    await img.close()
    const byName = await lkl.open(d, { partition: { partlabel: spec.name }, readOnly: true })
    t.deepEqual([byName.partition, byName.type], [i + 1, spec.type], `{ partlabel: '${spec.name}' } -> partition ${i + 1}`)
    await byName.close()
  }
  const root = await lkl.open(d, { partition: { label: 'rootfs' } })
  const esp = await lkl.open(d, { partition: { partlabel: 'esp' } })
  t.ok((await root.fs.promises.readFile('/dir/sub/data.bin')).equals(h.TREE['dir/sub/data.bin']), 'two partitions of one disk open at once')
  await esp.fs.promises.writeFile('/BOOT.TXT', 'esp')
  await lkl.open(d, { partition: 2 }).then(() => t.fail('opened twice'), (e) => t.equal(e.code, 'ERR_LKL_IMAGE_BUSY', 'the same partition twice: ERR_LKL_IMAGE_BUSY'))
  await lkl.open(d, { partition: 0, type: 'ext4' }).then(() => t.fail('opened'), (e) => t.equal(e.code, 'ERR_LKL_IMAGE_BUSY', 'the whole disk while a partition is open: ERR_LKL_IMAGE_BUSY'))
  await d.close()
  t.ok(root.closed && esp.closed, 'disk.close() closed both')
  await lkl.open(disk.file, { partition: { label: 'nope' } }).then(() => t.fail('opened'), (e) => t.equal(e.code, 'ERR_LKL_NO_PARTITION', e.message))
  await lkl.open(disk.file, { partition: { partlabel: 'nope' } }).then(() => t.fail('opened'), (e) => t.equal(e.code, 'ERR_LKL_NO_PARTITION', e.message))
  t.throws(() => lkl.open(disk.file, { partition: { label: 1 } }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', '{ label: 1 } throws')
  t.throws(() => lkl.open(disk.file, { partition: '1' }), (e) => e.code === 'ERR_INVALID_ARG_TYPE', "partition: '1' throws")

  // The same disk in memory: partitions and labels read through the disk.
  const mem = lkl.disk.memory(fs.readFileSync(disk.file))
  const img = await lkl.open(mem, { partition: { label: 'pool' } })
  t.deepEqual([img.partition, img.type], [3, 'btrfs'], 'a memory disk: { label } finds the btrfs partition')
  await mem.close()
})

test('a filesystem label on a whole disk', async (t) => {
  const file = path.join(dir, 'whole.img')
  h.sparse(file, 64 * MiB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'wholedisk', file])
  const img = await lkl.open(file, { partition: { label: 'wholedisk' } })
  t.deepEqual([img.partition, img.type], [0, 'ext4'], 'partition 0 (no table)')
  await img.close()
})
