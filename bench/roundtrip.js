// SPDX-License-Identifier: GPL-2.0-only
// tar -> image and image -> tar on a Debian minbase rootfs (debootstrap,
// cached in os.tmpdir()), ours against the host kernel doing the same
// through a loop mount and GNU tar, in the same run. Ours runs in a fresh
// child process each time, so boot, mkfs and node's start-up are included;
// so is mkfs on the host side. Prints the best of N runs, the ratios and
// our peak RSS. Needs root (mount -o loop).
// Usage: node bench/roundtrip.js [runs=3] [fstype=ext4]
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync, execFileSync } = require('child_process')

const TAR_C = ['--xattrs', '--xattrs-include=*', '--acls', '--format=posix', '--numeric-owner']
const TAR_X = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '-p']
const SIZE = 1024 * 1024 * 1024

function mkfs (type, file) {
  fs.rmSync(file, { force: true })
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, SIZE)
  const args = { ext4: ['mkfs.ext4', '-q', '-F'], btrfs: ['mkfs.btrfs', '-q', '-f'], xfs: ['mkfs.xfs', '-q', '-f'] }[type]
  execFileSync(args[0], [...args.slice(1), file])
}

// --- child: one direction through lkl, prints { ms, rss } ---
async function child (dir, type, img, tar) {
  const t0 = process.hrtime.bigint()
  const lkl = require('..')
  const { pipeline } = require('stream/promises')
  if (dir === 'unpack') {
    mkfs(type, img)
    const im = await lkl.open(img, { type })
    await pipeline(fs.createReadStream(tar, { highWaterMark: 1 << 20 }), lkl.tarUnpack(), im.writer('/', { overwrite: true }))
    await im.close()
  } else {
    const im = await lkl.open(img, { type, readOnly: true })
    await pipeline(im.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream(tar, { highWaterMark: 1 << 20 }))
    await im.close()
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  process.stdout.write(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024 }) + '\n')
}

function ours (dir, type, img, tar) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [__filename, '--child', dir, type, img, tar], { stdio: ['ignore', 'pipe', 'inherit'] })
  const wall = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`child ${dir} failed`)
  const out = JSON.parse(r.stdout.toString())
  return { ms: wall, rss: out.rss }
}

function host (dir, type, img, tar, mnt) {
  const t0 = process.hrtime.bigint()
  if (dir === 'unpack') {
    mkfs(type, img)
    execFileSync('mount', ['-o', 'loop', img, mnt])
    try {
      execFileSync('tar', [...TAR_X, '-C', mnt, '-xf', tar])
    } finally {
      execFileSync('umount', [mnt])
    }
  } else {
    execFileSync('mount', ['-o', 'loop,ro', img, mnt])
    try {
      execFileSync('tar', [...TAR_C, '--exclude=./lost+found', '-C', mnt, '-cf', tar, '.'])
    } finally {
      execFileSync('umount', [mnt])
    }
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 }
}

function main () {
  const runs = Number(process.argv[2] || 3)
  const type = process.argv[3] || 'ext4'
  const { debianRootfs } = require('../test/helpers/tree')
  const rootfs = debianRootfs()
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-bench-'))
  const mnt = path.join(work, 'mnt')
  fs.mkdirSync(mnt)
  try {
    const src = path.join(work, 'src.tar')
    execFileSync('tar', [...TAR_C, '-C', rootfs, '-cf', src, '.'])
    const st = fs.statSync(src)
    const files = Number(execFileSync('sh', ['-c', `find '${rootfs}' | wc -l`]).toString())
    console.log(`# rootfs: ${files} entries, tar ${(st.size / 1048576).toFixed(0)} MiB; fs ${type}; best of ${runs}`)
    const img = path.join(work, 'a.img')
    const hostImg = path.join(work, 'h.img')
    const best = {}
    const take = (k, r) => { if (!best[k] || r.ms < best[k].ms) best[k] = r }
    for (let i = 0; i < runs; i++) {
      take('hostUnpack', host('unpack', type, hostImg, src, mnt))
      take('oursUnpack', ours('unpack', type, img, src))
      take('hostPack', host('pack', type, hostImg, path.join(work, 'h.tar'), mnt))
      take('oursPack', ours('pack', type, img, path.join(work, 'o.tar')))
    }
    const row = (name, o, h) => console.log(`${name.padEnd(14)} lkl ${o.ms.toFixed(0).padStart(6)} ms   host ${h.ms.toFixed(0).padStart(6)} ms   ratio ${(o.ms / h.ms).toFixed(2)}x   lkl peak RSS ${(o.rss / 1048576).toFixed(0)} MiB`)
    row('tar -> image', best.oursUnpack, best.hostUnpack)
    row('image -> tar', best.oursPack, best.hostPack)
  } finally {
    spawnSync('umount', [mnt])
    fs.rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') {
  child(...process.argv.slice(3)).catch((err) => { console.error(err); process.exit(1) })
} else {
  main()
}
