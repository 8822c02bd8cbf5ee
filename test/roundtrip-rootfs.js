// SPDX-License-Identifier: GPL-2.0-only
// Slow (about 1-3 min; the debootstrap tree is cached in os.tmpdir()):
// a Debian minbase rootfs with every kind of metadata, packed by GNU tar
// (--xattrs --acls --format=posix) -> tarUnpack -> imageWriter (ext4, btrfs,
// xfs) -> imageWalk -> tarPack -> GNU tar extracts a tree identical to the
// source; the fs checker is clean. Then ext4 -> btrfs in one pipeline.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const lkl = require('..')
const h = require('./helpers')
const { decoratedRootfs, compareTrees } = require('./helpers/tree')

const dir = h.tmpdir('lkl-rootfs')
const src = path.join(dir, 'src')
const srcTar = path.join(dir, 'src.tar')
const TAR_X = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '--same-owner', '-p']
const SIZES = { ext4: 1024, btrfs: 1024, xfs: 1024 }
const IGNORE = { ext4: ['lost+found'], btrfs: [], xfs: [] }

function mkfs (type, file) {
  h.sparse(file, SIZES[type] * h.MB)
  if (type === 'ext4') h.must('mkfs.ext4', ['-q', '-F', file])
  if (type === 'btrfs') h.must('mkfs.btrfs', ['-q', '-f', file])
  if (type === 'xfs') h.must('mkfs.xfs', ['-q', '-f', file])
}

function extract (tarFile, dest) {
  fs.mkdirSync(dest)
  h.must('tar', [...TAR_X, '-C', dest, '-xf', tarFile])
  return dest
}

test('setup: decorated debootstrap rootfs, packed by GNU tar', (t) => {
  decoratedRootfs(src)
  h.must('tar', ['--xattrs', '--xattrs-include=*', '--acls', '--format=posix', '--numeric-owner', '-C', src, '-cf', srcTar, '.'])
  t.ok(fs.statSync(srcTar).size > 100 * h.MB, 'tar made')
  // Sanity: GNU tar's own round trip is exact, so differences below are ours.
  const diffs = compareTrees(src, extract(srcTar, path.join(dir, 'gnu')))
  t.deepEqual(diffs.slice(0, 10), [], 'GNU tar reproduces the tree itself')
  t.end()
})

for (const type of ['ext4', 'btrfs', 'xfs']) {
  test(`${type}: tar -> image -> tar preserves everything`, async (t) => {
    const file = path.join(dir, type + '.img')
    mkfs(type, file)
    let img = await lkl.open(file, { type })
    await pipeline(fs.createReadStream(srcTar), lkl.tarUnpack(), img.writer('/', { overwrite: true }))
    await img.close()
    const check = h.fsck(type, file)
    t.ok(check.ok, `${type} checker clean after writing` + (check.ok ? '' : ': ' + check.output.slice(0, 2000)))
    img = await lkl.open(file, { type, readOnly: true })
    const out = path.join(dir, type + '.tar')
    await pipeline(img.walk('/'), lkl.transforms.exclude(...IGNORE[type]), lkl.tarPack(), fs.createWriteStream(out))
    await img.close()
    const diffs = compareTrees(src, extract(out, path.join(dir, type + '-out')))
    t.deepEqual(diffs.slice(0, 10), [], `GNU tar extracts a tree identical to the source (${diffs.length} differences)`)
    // bsdtar reads our pax too.
    const b = h.sh('bsdtar', ['-tf', out])
    t.equal(b.status, 0, 'bsdtar lists the archive' + (b.status ? ': ' + b.stderr : ''))
    t.end()
  })
}

test('ext4 -> btrfs in one pipeline, then to a host dir', async (t) => {
  const a = await lkl.open(path.join(dir, 'ext4.img'), { type: 'ext4', readOnly: true })
  const bfile = path.join(dir, 'copy-btrfs.img')
  mkfs('btrfs', bfile)
  const b = await lkl.open(bfile, { type: 'btrfs' })
  await pipeline(a.walk('/'), lkl.transforms.exclude('lost+found'), b.writer('/', { overwrite: true }))
  await a.close()
  await b.close()
  t.ok(h.fsck('btrfs', bfile).ok, 'btrfs check clean')
  const b2 = await lkl.open(bfile, { type: 'btrfs', readOnly: true })
  const out = path.join(dir, 'copy-host')
  await pipeline(b2.walk('/'), lkl.hostWriter(out, { overwrite: true }))
  await b2.close()
  const diffs = compareTrees(src, out)
  t.deepEqual(diffs.slice(0, 10), [], `hostWriter writes a tree identical to the source (${diffs.length} differences)`)
  t.end()
})

test('hostWalk -> tarPack: GNU tar extracts the same tree', async (t) => {
  const out = path.join(dir, 'host.tar')
  await pipeline(lkl.hostWalk(src), lkl.tarPack(), fs.createWriteStream(out))
  const diffs = compareTrees(src, extract(out, path.join(dir, 'host-out')))
  t.deepEqual(diffs.slice(0, 10), [], `identical (${diffs.length} differences)`)
  t.end()
})
