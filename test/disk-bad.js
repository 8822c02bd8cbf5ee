// SPDX-License-Identifier: GPL-2.0-only
// Bad disks give clear errors, never a hang or a crash: a truncated image,
// a corrupted superblock, a disk too small for its partition table, and a
// full image (ENOSPC with the path; the image stays fsck-clean).
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-bad')
const src = h.makeTree(path.join(dir, 'src'))

async function fails (t, promise, code, msg) {
  try {
    const img = await promise
    t.fail(`${msg}: opened`)
    await img.close()
  } catch (e) {
    t.equal(e.code, code, `${msg}: ${e.code}: ${e.message}`)
    t.notOk(/\/mnt\//.test(e.message), `${msg}: no internal path in the message`)
    return e
  }
}

test('a truncated image', async (t) => {
  for (const type of ['ext4', 'btrfs']) {
    const file = path.join(dir, `truncated.${type}.img`)
    h.makeImage(type, file, src)
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 4))
    await fails(t, lkl.open(file), 'ERR_LKL_MOUNT_FAILED', `${type} cut to a quarter`)
    await fails(t, lkl.open(file, { readOnly: true }), 'ERR_LKL_MOUNT_FAILED', `${type} cut to a quarter, read-only`)
  }
  // Cut inside the superblock area: nothing to detect.
  const cut = path.join(dir, 'cut.img')
  h.makeImage('ext4', cut, null)
  fs.truncateSync(cut, 1024)
  await fails(t, lkl.open(cut), 'ERR_LKL_UNKNOWN_FSTYPE', 'ext4 cut before its superblock')
})

test('a corrupted superblock', async (t) => {
  const file = path.join(dir, 'corrupt.img')
  h.makeImage('ext4', file, src)
  const fd = fs.openSync(file, 'r+')
  // s_log_block_size = 200 (a 2^210-byte block), s_inodes_per_group = 0.
  fs.writeSync(fd, Buffer.from([200, 0, 0, 0]), 0, 4, 1024 + 24)
  fs.writeSync(fd, Buffer.alloc(4), 0, 4, 1024 + 40)
  fs.closeSync(fd)
  await fails(t, lkl.open(file), 'ERR_LKL_MOUNT_FAILED', 'garbage geometry')
  const zapped = path.join(dir, 'zapped.img')
  h.makeImage('ext4', zapped, src)
  const fd2 = fs.openSync(zapped, 'r+')
  fs.writeSync(fd2, Buffer.alloc(1024), 0, 1024, 1024)
  fs.closeSync(fd2)
  await fails(t, lkl.open(zapped), 'ERR_LKL_UNKNOWN_FSTYPE', 'zeroed superblock, type auto')
  await fails(t, lkl.open(zapped, { type: 'ext4' }), 'ERR_LKL_MOUNT_FAILED', 'zeroed superblock, type ext4')
  const img = await lkl.open(zapped, { type: 'ext4', mountOptions: 'sb=8193' }).catch((e) => e)
  t.ok(img instanceof lkl.Image || /^ERR_LKL_/.test(img.code), `mountOptions reach the kernel (backup superblock: ${img.code || 'mounted'})`)
  if (img instanceof lkl.Image) await img.close()
})

test('a disk too small for its partition table', async (t) => {
  const file = path.join(dir, 'small.img')
  h.sparse(file, 64 * h.MB)
  h.must('sfdisk', ['-q', file], { input: 'label: dos\n,16MiB,83\n,,83\n' })
  const p2 = JSON.parse(h.must('sfdisk', ['-J', file]).stdout).partitiontable.partitions[1]
  const part = path.join(dir, 'p2.img')
  h.sparse(part, p2.size * 512)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', part])
  const fd = fs.openSync(file, 'r+')
  fs.writeSync(fd, fs.readFileSync(part), 0, p2.size * 512, p2.start * 512)
  fs.closeSync(fd)
  fs.truncateSync(file, 40 * h.MB) // partition 2 now runs past the end
  const e = await fails(t, lkl.open(file, { partition: 2 }), 'ERR_LKL_DISK_TOO_SMALL', 'partition 2 past the end')
  t.ok(/partition 2/.test(e.message) && e.path === file, 'the message names the partition, path is set')
  fs.truncateSync(file, 8 * h.MB) // partition 2 now starts past the end
  await fails(t, lkl.open(file, { partition: 2 }), 'ERR_LKL_DISK_TOO_SMALL', 'partition 2 starts past the end')
  await fails(t, lkl.open(file, { partition: 3 }), 'ERR_LKL_NO_PARTITION', 'partition 3 (not in the table)')
})

test('a full image: ENOSPC with the path, and the image stays clean', async (t) => {
  for (const type of ['ext4', 'vfat']) {
    const file = path.join(dir, `full.${type}.img`)
    h.sparse(file, 8 * h.MB)
    h.must(type === 'ext4' ? 'mke2fs' : 'mkfs.vfat', type === 'ext4' ? ['-q', '-F', '-t', 'ext4', file] : [file])
    const img = await lkl.open(file)
    const p = img.fs.promises
    await p.writeFile('/keep.txt', 'kept')
    let err = null
    const chunk = h.pattern(1024 * 1024, 3)
    for (let i = 0; i < 16 && !err; i++) {
      try {
        await p.writeFile(`/fill-${i}.bin`, chunk)
      } catch (e) {
        err = e
        err.i = i
      }
    }
    t.ok(err, `${type}: filling the image fails`)
    if (err) {
      t.equal(err.code, 'ENOSPC', `${type}: ${err.message}`)
      // node:fs's write errors carry no path; writeFile by name adds the
      // caller's, so a full image says which file did not fit.
      t.equal(err.path, `/fill-${err.i}.bin`, `${type}: path ${err.path}`)
      t.ok(err.message.includes(`'/fill-${err.i}.bin'`), `${type}: the message names the file`)
      t.equal(err.syscall, 'write', `${type}: syscall write`)
    }
    t.equal(await p.readFile('/keep.txt', 'utf8'), 'kept', `${type}: still readable`)
    await p.unlink('/fill-0.bin')
    await p.writeFile('/after.txt', 'space again')
    t.pass(`${type}: writes work again after freeing space`)
    await img.close()
    const r = h.fsck(type, file)
    t.ok(r.ok, `${type}: fsck clean after ENOSPC` + (r.ok ? '' : '\n' + r.output))
  }
})
