// SPDX-License-Identifier: GPL-2.0-only
// The benchmark table of issue 12: lkl against the host kernel (loop mounts
// and GNU tar), mke2fs -d and node-ext2fs, every job a whole process timed
// from outside with its peak RSS. Each set's jobs run interleaved in the
// same run, the order flipping every run (lkl first, then last) so neither
// side always gets the warmer caches; cells are min / median / max and
// ratios are of medians. Needs root (mount -o loop) and /usr/bin/time.
//
// Usage: node bench/run.js [--runs=5] [--rows=unpack,pack,scale,startup]
//                          [--fs=ext4,btrfs,xfs] [--scale=5,10]
// node-ext2fs rows run when `cd bench && npm install` has been done.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync } = require('child_process')
const { measure, checkTime } = require('./lib/measure')
const { prepare } = require('./lib/inputs')
const { buildSets } = require('./lib/rows')
const { TYPES } = require('./lib/mkfs')
const report = require('./lib/report')

const GROUPS = ['unpack', 'pack', 'scale', 'startup']

function options (argv) {
  const o = { runs: 5, rows: GROUPS, fs: TYPES, scale: [5, 10] }
  for (const arg of argv) {
    const m = arg.match(/^--(runs|rows|fs|scale)=(.+)$/)
    if (!m) throw new Error(`unknown argument ${arg} (see the usage at the top of bench/run.js)`)
    o[m[1]] = m[1] === 'runs' ? Number(m[2]) : m[2].split(',')
  }
  o.scale = o.scale.map(Number)
  for (const g of o.rows) if (!GROUPS.includes(g)) throw new Error(`--rows: ${g} is not one of ${GROUPS.join(', ')}`)
  for (const t of o.fs) if (!TYPES.includes(t)) throw new Error(`--fs: ${t} is not one of ${TYPES.join(', ')}`)
  if (!(o.runs >= 1)) throw new Error('--runs must be a number >= 1')
  o.rows = new Set(o.rows)
  return o
}

// One set: per run, every job once (lkl first on runs 1, 3, 5..., last on
// the others). A job that fails is not run again; its cell keeps the reason.
function runSet (set, runs) {
  const cells = new Map()
  const jobs = [set.lkl, ...set.anchors]
  for (const j of jobs) cells.set(j, { runs: [], skip: j.skip })
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...set.anchors, set.lkl] : jobs
    for (const j of order) {
      const cell = cells.get(j)
      if (cell.skip || cell.error) continue
      // Untimed: the job's old outputs go, and the previous job's dirty
      // pages are written back, so no run pays for another's writeback.
      for (const f of j.outputs || []) fs.rmSync(f, { recursive: true, force: true })
      spawnSync('sync')
      const r = measure(j.argv.map(String))
      if (r.error) Object.assign(cell, { error: r.error, errorMs: r.ms, errorRun: i + 1 })
      else cell.runs.push(r)
    }
    process.stderr.write(`  ${set.key}: run ${i + 1}/${runs} done\n`)
  }
  return cells
}

function main () {
  const opts = options(process.argv.slice(2))
  checkTime()
  if (process.getuid() !== 0) throw new Error('run as root: the host side mounts images with mount -o loop')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-bench-'))
  const all = new Map()
  let sets = []
  try {
    const needImages = new Set(opts.rows.has('pack') ? opts.fs : [])
    if (opts.rows.has('startup')) needImages.add('ext4')
    process.stderr.write('preparing inputs (rootfs tar, scale tars, source images)...\n')
    const inputs = prepare(work, { fs: [...needImages], scale: opts.rows.has('scale') ? opts.scale : [] })
    const r = inputs.rootfs
    console.log(`# lkl bench: Debian minbase rootfs, ${(r.bytes / 1048576).toFixed(0)} MiB tar, ${r.entries} entries; ` +
      `${opts.runs} run${opts.runs > 1 ? 's' : ''} per cell, interleaved, order flipped each run; node ${process.version}; ${os.cpus().length} CPUs`)
    sets = buildSets(inputs, opts, work)
    for (const set of sets) {
      if (set.setup) set.setup()
      try {
        const cells = runSet(set, opts.runs)
        for (const [k, v] of cells) all.set(k, v)
        report.printSet(set, cells, opts.runs)
      } finally {
        if (set.teardown) set.teardown()
      }
    }
    report.printRss(sets, all)
    report.printScale(sets, all)
  } finally {
    for (const e of fs.readdirSync(work)) if (e.startsWith('mnt-')) spawnSync('umount', [path.join(work, e)], { stdio: 'ignore' })
    fs.rmSync(work, { recursive: true, force: true })
  }
}

try {
  main()
} catch (err) {
  console.error(err.message)
  process.exit(1)
}
