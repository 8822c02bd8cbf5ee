#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// SIGKILL trials of `lkl unpack` (see test/helpers/kill-trial.js): kills a
// fresh unpack or an unpack over the same tree at random moments and
// prints, per trial and in sum, what the image holds afterwards.
// Usage: node scripts/kill-trials.js TAR [--type ext4] [--mode fresh|overwrite]
//        [--trials 20] [--seed 1]
// Needs root for nothing but the tools: mkfs.*, e2fsck, xfs_repair, btrfs.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { parseArgs } = require('util')
const lkl = require('..')
const { must, sparse } = require('../test/helpers')
const kt = require('../test/helpers/kill-trial')

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    type: { type: 'string', default: 'ext4' },
    mode: { type: 'string', default: 'fresh' },
    trials: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' }
  }
})
const tar = positionals[0]
if (!tar) {
  console.error('usage: node scripts/kill-trials.js TAR [--type T] [--mode fresh|overwrite] [--trials N]')
  process.exit(2)
}

// A small deterministic generator, so a seed repeats the kill moments.
function rng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-kill-'))
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(tree)
  must('tar', ['--numeric-owner', '-xf', tar, '-C', tree])
  const expected = kt.manifest(tree)
  fs.rmSync(tree, { recursive: true, force: true })
  const template = path.join(dir, 'template.img')
  sparse(template, 2 * 1024 ** 3)
  kt.mkfs(values.type, template)
  let before = null
  if (values.mode === 'overwrite') {
    const r = await kt.unpackAndKill(template, tar, null)
    if (r.status !== 0) throw new Error('unpack failed: ' + r.stderr)
    before = expected
  }
  // How long a whole run takes, to spread the kills over it.
  const file = path.join(dir, 'trial.img')
  fs.copyFileSync(template, file)
  const full = await kt.unpackAndKill(file, tar, null)
  if (full.status !== 0) throw new Error('unpack failed: ' + full.stderr)
  console.log(`${values.type} ${values.mode}: ${expected.size} files; a whole unpack takes ${full.ms} ms`)
  const rand = rng(Number(values.seed))
  const sum = {}
  let checksOk = 0
  const n = Number(values.trials)
  for (let i = 0; i < n; i++) {
    const killMs = Math.round(150 + rand() * Math.max(full.ms - 150, 100))
    const r = await kt.trial(lkl, { type: values.type, template, file, tar, expected, before, killMs })
    for (const [k, v] of Object.entries(r.counts)) sum[k] = (sum[k] || 0) + v
    if (r.check.ok) checksOk++
    console.log(`trial ${i + 1}: kill at ${killMs} ms (${r.killed ? 'killed' : 'finished first'}); ${r.check.detail}; ` +
      Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ') +
      (r.bad.length ? `\n  bad: ${r.bad.slice(0, 5).join('; ')}${r.bad.length > 5 ? ` (+${r.bad.length - 5})` : ''}` : ''))
  }
  console.log(`SUM ${values.type} ${values.mode} ${n} trials: fsck clean ${checksOk}/${n}; ` + Object.entries(sum).map(([k, v]) => `${k} ${v}`).join(', '))
  fs.rmSync(dir, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
