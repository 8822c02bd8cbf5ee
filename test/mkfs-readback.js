// SPDX-License-Identifier: GPL-2.0-only
// lkl.mkfs() returns the UUID and label actually written, read back from
// the new superblock, checked against blkid (issue 10.4).
'use strict'

const test = require('tape')
const path = require('path')
const h = require('./helpers')
const lkl = require('..')

const dir = h.tmpdir('lkl-mkfs-readback')

function blkid (file, tag, offset = 0) {
  const r = h.must('blkid', ['-p', '-O', String(offset), '-o', 'value', '-s', tag, file])
  return r.stdout.toString().trim()
}

const SIZES = { btrfs: '256M', xfs: '320M', f2fs: '128M' }

for (const type of ['ext4', 'ext2', 'vfat', 'exfat', 'btrfs', 'xfs', 'f2fs']) {
  test(`mkfs ${type}: uuid and label read back`, async (t) => {
    const file = path.join(dir, `${type}.img`)
    let r = await lkl.mkfs(file, { type, size: SIZES[type] ?? '64M', label: 'DATA1' })
    t.equal(r.label, 'DATA1', 'label')
    t.equal(r.uuid, blkid(file, 'UUID'), `uuid ${r.uuid} as blkid reads it`)
    t.equal(r.label, blkid(file, 'LABEL'), 'label as blkid reads it')
    // No label given: '' and a fresh uuid; a given uuid comes back as written.
    r = await lkl.mkfs(file, { type, size: SIZES[type] ?? '64M' })
    t.equal(r.label, '', 'no label')
    t.equal(r.uuid, blkid(file, 'UUID'), 'generated uuid')
    const want = type === 'vfat' || type === 'exfat' ? '1A2B-3C4D' : '0fd3b1c4-2f5e-4a7b-9c1d-3e5f7a9b1c2d'
    r = await lkl.mkfs(file, { type, size: SIZES[type] ?? '64M', uuid: want })
    t.equal(r.uuid, want, 'the uuid asked for')
    t.end()
  })
}

test('mkfs in a GPT partition: read back at the partition', async (t) => {
  const file = path.join(dir, 'gpt.img')
  const r = await lkl.mkfs(file, { type: 'ext4', size: '64M', partition: 'gpt', label: 'root' })
  t.equal(r.partition, 1)
  t.equal(r.label, 'root')
  t.equal(r.uuid, blkid(file, 'UUID', r.offset), 'uuid at the partition offset')
  t.end()
})

test.onFinish(() => lkl.halt())
