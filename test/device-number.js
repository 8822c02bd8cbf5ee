// SPDX-License-Identifier: GPL-2.0-only
// dev_t: one codec (lib/device-number.ts) for Stats.rdev, mknod, hostWalk
// and `lkl ls -l`. The encoding is glibc's 64-bit one, so major and minor
// each go up to 32 bits; the expected numbers below were computed with
// glibc's makedev(). The kernel itself keeps 12-bit majors and 20-bit
// minors, the largest pair it stores is checked through an image.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const lkl = require('..')
const { makedev, makedevBig, splitDev } = require('../dist/device-number')
const h = require('./helpers')
const { lkl: cli } = require('./helpers/cli')

// [major, minor, glibc makedev(major, minor)]
const GLIBC = [
  [8, 1, 2049n],
  [4095, 0xfffff, 4294967295n],
  [4096, 256, 17592187092992n],
  [0x12345678, 0x9abcdef0, 1311771985900370160n],
  [0xffffffff, 0xffffffff, 18446744073709551615n]
]

test('the codec matches glibc, up to 32-bit majors and minors', (t) => {
  for (const [major, minor, dev] of GLIBC) {
    t.equal(makedevBig(major, minor), dev, `makedev(${major}, ${minor}) = ${dev}`)
    t.deepEqual(splitDev(dev), [major, minor], `split(${dev}) as a BigInt`)
    if (dev <= BigInt(Number.MAX_SAFE_INTEGER)) {
      t.equal(makedev(major, minor), Number(dev), 'as a number')
      t.deepEqual(splitDev(Number(dev)), [major, minor], 'split as a number')
    }
  }
  t.end()
})

const dir = h.tmpdir('lkl-devnum')
const image = path.join(dir, 'dev.img')
h.sparse(image, 16 * h.MB)
h.must('mkfs.ext4', ['-q', '-F', image])

test('through an image: mknod, stat, lkl ls -l', async (t) => {
  const img = await lkl.open(image)
  const p = img.fs.promises
  const C = img.fs.constants
  await p.mknod('/big', C.S_IFCHR | 0o600, makedev(4095, 0xfffff))
  await p.mknod('/sda1', C.S_IFBLK | 0o660, makedev(8, 1))
  t.equal((await p.stat('/big')).rdev, 4294967295, 'Stats.rdev of (4095, 1048575)')
  t.equal((await p.stat('/big', { bigint: true })).rdev, 4294967295n, 'BigIntStats.rdev')
  t.equal((await p.stat('/sda1')).rdev, 2049, 'Stats.rdev of (8, 1)')
  const walked = {}
  for await (const e of img.walk('/')) walked[e.path] = [e.devmajor, e.devminor]
  t.deepEqual(walked.big, [4095, 0xfffff], 'img.walk() gives the pair')
  await img.close()
  const r = cli(['ls', '-l', image + ':/'])
  t.equal(r.status, 0, 'lkl ls -l')
  t.match(r.stdout.toString(), /4095, 1048575 .* big\n/, 'shows major, minor')
  t.match(r.stdout.toString(), /8, 1 .* sda1\n/, 'and a small pair')
})

test('through the host (as root): hostWriter mknod, hostWalk splits st_rdev', async (t) => {
  const out = path.join(dir, 'host')
  const dev = { path: 'big', type: 'char', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: 0n, devmajor: 4095, devminor: 0xfffff }
  const root = { path: '.', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0n }
  await pipeline(Readable.from([root, dev], { objectMode: true }), lkl.hostWriter(out))
  t.equal(fs.lstatSync(path.join(out, 'big'), { bigint: true }).rdev, 4294967295n, 'the host sees glibc\'s dev_t')
  const seen = {}
  for await (const e of lkl.hostWalk(out)) seen[e.path] = [e.devmajor, e.devminor]
  t.deepEqual(seen.big, [4095, 0xfffff], 'hostWalk gives the pair back')
})
