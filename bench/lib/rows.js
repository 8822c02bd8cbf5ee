// SPDX-License-Identifier: GPL-2.0-only
// The table: sets of one lkl job and the anchors it is compared with, each
// job a whole-process argv, each anchor with the target its ratio must meet
// (issue 12). A set's jobs run interleaved in the same run. A job's
// `outputs` are removed before each run, outside the timing: overwriting a
// 200 MiB file still being written back costs a random 0.3-1 s.
'use strict'

const fs = require('fs')
const path = require('path')
const { execFileSync } = require('child_process')
const host = require('./host-jobs')
const TAR = require('./gnu-tar')
const ext2fs = require('./ext2fs')
const { fsck } = require('./fsck')
const { MiB } = require('./stats')

const node = process.execPath
const job = (name) => path.join(__dirname, '..', 'jobs', name)
const SKIP_EXT2FS = 'skipped (npm install in bench/)'
const START_FILE = '/etc/debian_version'

// Targets: each returns { text, met } from the two medians (ms). A ratio
// is judged as printed (two decimals), so "1.25x" never reads as missed.
const ratioAtMost = (max) => (a, b) => ({ text: `target <= ${max.toFixed(2)}x`, met: Number((a / b).toFixed(2)) <= max })
const faster = () => (a, b) => ({ text: 'target < 1.00x', met: a < b })
const overAtMost = (ms) => (a, b) => ({ text: `+${(a - b).toFixed(0)} ms, target <= +${ms} ms`, met: a - b <= ms })

const mib = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`
const about = (input) => `${mib(input.bytes)} tar, ${input.entries} entries`

// what: 'rootfs' or 'x5' (five copies of it in one tar).
function unpackSet (type, input, what, work, target) {
  const img = path.join(work, `unpack-${type}-${what}.img`)
  const hostImg = path.join(work, `unpack-${type}-${what}-host.img`)
  const mnt = path.join(work, `mnt-${type}-${what}`)
  const name = what === 'rootfs' ? 'rootfs' : `${what.slice(1)}x the rootfs`
  return {
    key: `unpack-${type}-${what}`,
    title: `tar -> fresh ${type} image, mkfs included (${name}: ${about(input)})`,
    setup: () => fs.mkdirSync(mnt, { recursive: true }),
    lkl: { label: 'lkl: mkfs + open + tarUnpack + close', argv: [node, job('lkl-unpack.js'), type, img, input.tar, input.size], outputs: [img] },
    anchors: [{
      label: 'host: mkfs + mount -o loop + tar -x + umount',
      argv: host.unpack(type, hostImg, input.tar, mnt, input.size),
      outputs: [hostImg],
      target: ratioAtMost(target)
    }],
    tarBytes: input.bytes,
    rss: { label: `lkl tar -> ${type}, ${name}` },
    // The images both sides left pass the filesystem's own checker.
    check: () => `fsck of the images left: lkl ${fsck(type, img)}, host ${fsck(type, hostImg)}`
  }
}

function packSet (type, image, work, target) {
  const out = path.join(work, `pack-${type}.tar`)
  const hostOut = path.join(work, `pack-${type}-host.tar`)
  const mnt = path.join(work, `mnt-pack-${type}`)
  return {
    key: `pack-${type}`,
    title: `${type} image -> tar (rootfs), mount/umount included`,
    setup: () => fs.mkdirSync(mnt, { recursive: true }),
    lkl: { label: 'lkl: open ro + walk + tarPack + close', argv: [node, job('lkl-pack.js'), type, image, out], outputs: [out] },
    anchors: [{
      label: 'host: mount -o loop,ro + tar -cf - + umount',
      argv: host.pack(image, hostOut, mnt),
      outputs: [hostOut],
      target: ratioAtMost(target)
    }],
    rss: { label: `lkl ${type} -> tar, rootfs` },
    // Same job on both sides: the two tars list the same entries.
    check: () => `entries in the tars: lkl ${TAR.entries(out)}, host ${TAR.entries(hostOut)}`
  }
}

// ext4 gets the extra anchors: mke2fs -d and node-ext2fs on the unpack
// side, an already mounted fs and node-ext2fs on the pack side.
function ext4Extras (set, inputs, work) {
  const haveExt2fs = ext2fs.available()
  const ext2fsImg = path.join(work, 'ext2fs-source.img')
  if (set.key === 'unpack-ext4-rootfs') {
    const r = inputs.rootfs
    const [img, tree, eimg] = ['mke2fs-d.img', 'mke2fs-d-tree', 'ext2fs-unpack.img'].map((f) => path.join(work, f))
    set.anchors.push({
      label: 'tar -x to a temp dir + mke2fs -d',
      argv: host.mke2fsD(img, r.tar, tree, r.size),
      outputs: [img, tree]
    }, {
      label: 'node-ext2fs (WASM) + tar-stream',
      skip: haveExt2fs ? null : SKIP_EXT2FS,
      argv: [node, job('ext2fs-unpack.js'), eimg, r.tar, r.size],
      outputs: [eimg]
    })
  }
  if (set.key === 'pack-ext4') {
    const mounted = path.join(work, 'mnt-mounted')
    const copy = path.join(work, 'mounted-source.img')
    const setup = set.setup
    set.setup = () => {
      setup()
      fs.mkdirSync(mounted, { recursive: true })
      fs.copyFileSync(inputs.images.ext4, copy)
      fs.copyFileSync(inputs.images.ext4, ext2fsImg)
      execFileSync('mount', ['-o', 'loop,ro', copy, mounted])
      set.mounted = mounted
    }
    set.teardown = () => execFileSync('umount', [mounted])
    const [mountedOut, ext2fsOut] = ['pack-mounted.tar', 'pack-ext2fs.tar'].map((f) => path.join(work, f))
    set.anchors.push({
      label: 'GNU tar on an already mounted fs',
      argv: host.packMounted(mounted, mountedOut),
      outputs: [mountedOut],
      target: ratioAtMost(3)
    }, {
      label: 'node-ext2fs + tar-stream',
      skip: haveExt2fs ? null : SKIP_EXT2FS,
      argv: [node, job('ext2fs-pack.js'), ext2fsImg, ext2fsOut],
      outputs: [ext2fsOut],
      rss: { label: 'node-ext2fs ext4 -> tar, rootfs' }
    })
  }
}

function startSet (inputs, work) {
  const img = inputs.images.ext4
  const ext2fsImg = path.join(work, 'ext2fs-start.img')
  const mnt = path.join(work, 'mnt-start')
  return {
    key: 'startup',
    title: `require + boot + mount + read ${START_FILE} + close, whole process`,
    setup: () => {
      fs.mkdirSync(mnt, { recursive: true })
      fs.copyFileSync(img, ext2fsImg)
    },
    lkl: { label: 'lkl', argv: [node, job('lkl-start.js'), img, START_FILE] },
    rss: { label: 'lkl start-up' },
    anchors: [{
      label: 'node-ext2fs',
      skip: ext2fs.available() ? null : SKIP_EXT2FS,
      argv: [node, job('ext2fs-start.js'), ext2fsImg, START_FILE],
      target: faster()
    }, {
      label: 'host: mount -o loop,ro + cat + umount',
      argv: host.start(img, START_FILE, mnt)
    }, {
      label: 'node -e 0',
      argv: [node, '-e', '0'],
      target: overAtMost(20)
    }]
  }
}

// Peak RSS targets of the lkl side: 120 MiB for the rootfs either way, 150
// MiB for the ~1 GB tar, and memory flat beyond that (the largest scale row
// no higher than the 5x one).
function rssTargets (sets) {
  const byKey = new Map(sets.map((s) => [s.key, s]))
  for (const key of ['unpack-ext4-rootfs', 'pack-ext4']) if (byKey.has(key)) byKey.get(key).rss.max = 120 * MiB
  const five = byKey.get('unpack-ext4-x5')
  if (five) five.rss.max = 150 * MiB
  for (const s of sets) {
    const copies = Number((s.key.match(/^unpack-ext4-x(\d+)$/) || [])[1])
    if (five && copies > 5) s.rss.notAbove = five
  }
}

// opts: { rows: Set of groups, fs: [types], scale: [copies] }
function buildSets (inputs, opts, work) {
  const sets = []
  for (const type of opts.fs) {
    const target = type === 'ext4' ? 1.25 : 1.5
    if (opts.rows.has('unpack')) sets.push(unpackSet(type, inputs.rootfs, 'rootfs', work, target))
    if (opts.rows.has('pack')) sets.push(packSet(type, inputs.images[type], work, target))
  }
  if (opts.rows.has('scale')) {
    for (const n of opts.scale) sets.push(unpackSet('ext4', inputs.scale[n], `x${n}`, work, 1.25))
  }
  if (opts.rows.has('startup')) sets.push(startSet(inputs, work))
  for (const set of sets) ext4Extras(set, inputs, work)
  rssTargets(sets)
  return sets
}

module.exports = { buildSets }
