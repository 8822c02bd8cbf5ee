// SPDX-License-Identifier: GPL-2.0-only
// SIGKILL trials: `lkl unpack` of a tar into an image (fresh, or over the
// same tree already there), killed at a chosen moment like a power failure
// of the page cache; then the image is checked by the filesystem's own
// tools and every file of the tree is classified against what the tar
// holds. Used by test/kill-unpack.js (a few trials) and by
// scripts/kill-trials.js (the numbers for the issue notes).
'use strict'

const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const { spawn } = require('child_process')
const { sh, must } = require('./index')

const { MAIN } = require('./cli')

// { rel: sha256 } of every regular file below `dir` (host tree), and sizes.
function manifest (dir) {
  const files = new Map()
  const walk = (rel) => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? rel + '/' + d.name : d.name
      if (d.isDirectory()) walk(r)
      else if (d.isFile()) {
        const data = fs.readFileSync(path.join(dir, r))
        files.set(r, { size: data.length, hash: sha(data), zero: isZero(data) })
      }
    }
  }
  walk('')
  return files
}

function sha (data) {
  return crypto.createHash('sha256').update(data).digest('hex')
}

function isZero (data) {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false
  return true
}

// The filesystem's checker after a crash, as a user would run it: ext4's
// e2fsck -fp replays the journal (exit 0/1) and must repair nothing else;
// xfs_repair -n cannot read a dirty log, so the log is replayed by a mount
// through lkl first (what opening the image does); btrfs check needs no
// replay. Returns { ok, detail }.
async function checkAfterCrash (lkl, type, file) {
  if (type === 'ext4') {
    const r = sh('e2fsck', ['-fp', file])
    const again = sh('e2fsck', ['-fn', file])
    // What preen repaired beyond replaying the journal (exit 1 covers both).
    const fixed = (r.stdout.toString() + r.stderr).split('\n').filter((l) => /FIXED|should be|CLEARED|SALVAGED/.test(l))
    return {
      ok: (r.status === 0 || r.status === 1) && fixed.length === 0 && again.status === 0,
      detail: `e2fsck -fp ${r.status}${fixed.length ? ` (repaired: ${fixed.slice(0, 2).join('; ')})` : ' (journal replay only)'}, -fn ${again.status}`
    }
  }
  if (type === 'xfs') {
    const img = await lkl.open(file, { type: 'xfs' })
    await img.close()
    const r = sh('xfs_repair', ['-n', file])
    return { ok: r.status === 0, detail: `log replayed by mount, xfs_repair -n ${r.status}` }
  }
  if (type === 'btrfs') {
    const r = sh('btrfs', ['check', '--readonly', file])
    return { ok: r.status === 0, detail: `btrfs check ${r.status}` }
  }
  throw new Error('no crash check for ' + type)
}

// Classify every file of `expected` (manifest of the tar's tree) in the
// image: complete, absent, a prefix, empty, zero-filled, or other. With
// `before` (the manifest that was complete in the image before the run)
// a file is also fine when it still is that old content.
async function classify (lkl, type, file, expected, before) {
  const img = await lkl.open(file, { type })
  const counts = { complete: 0, old: 0, absent: 0, prefix: 0, empty: 0, zeroed: 0, other: 0, lost: 0, stray: 0 }
  const bad = []
  try {
    const p = img.fs.promises
    for (const [rel, want] of expected) {
      let data
      try {
        data = await p.readFile('/' + rel)
      } catch (e) {
        if (e.code !== 'ENOENT') throw e
        counts.absent++
        if (before && before.has(rel)) { counts.lost++; bad.push(rel + ': absent') }
        continue
      }
      const h = sha(data)
      const old = before && before.get(rel)
      if (h === want.hash) counts.complete++
      else if (old && h === old.hash) counts.old++
      else if (data.length === 0) counts.empty++
      else if (isZero(data) && !want.zero) counts.zeroed++
      else if (data.length < want.size) counts.prefix++
      else counts.other++
      const fine = h === want.hash || (old && h === old.hash) || (!old && (data.length === 0 || (data.length < want.size && !isZero(data))))
      if (!fine) bad.push(`${rel}: ${data.length} of ${want.size} bytes${isZero(data) && data.length ? ', all zero' : ''}`)
      if (old && h !== want.hash && h !== old.hash) counts.lost++
    }
    counts.stray = await countStray(p, '/')
  } finally {
    await img.close()
  }
  return { counts, bad }
}

// Temporary replacement files a killed run left (".lkl-new-*").
async function countStray (p, dir) {
  let n = 0
  for (const d of await p.readdir(dir, { withFileTypes: true })) {
    const full = (dir === '/' ? '' : dir) + '/' + d.name
    if (d.name.startsWith('.lkl-new-')) n++
    if (d.isDirectory()) n += await countStray(p, full)
  }
  return n
}

// Run `lkl unpack IMAGE TAR` and SIGKILL it `killMs` after it started (or
// let it finish when killMs is null). Resolves { killed, ms, status }.
function unpackAndKill (file, tar, killMs) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [MAIN, 'unpack', file, tar], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => { err += d })
    let timer = null
    if (killMs !== null) timer = setTimeout(() => child.kill('SIGKILL'), killMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ killed: signal === 'SIGKILL', ms: Date.now() - started, status: code, stderr: err })
    })
  })
}

// One trial. mode 'fresh': `template` is an empty image; 'overwrite': it
// already holds the tar's tree (its manifest is `before`). The image is a
// copy of the template at `file`.
async function trial (lkl, { type, template, file, tar, expected, before, killMs }) {
  fs.copyFileSync(template, file)
  const run = await unpackAndKill(file, tar, killMs)
  const check = await checkAfterCrash(lkl, type, file)
  const { counts, bad } = await classify(lkl, type, file, expected, before)
  return { ...run, check, counts, bad }
}

// An empty filesystem of `type` on `file` (the trials' types).
const MKFS = {
  ext4: (f) => must('mke2fs', ['-q', '-F', '-t', 'ext4', f]),
  xfs: (f) => must('mkfs.xfs', ['-q', '-f', f]),
  btrfs: (f) => must('mkfs.btrfs', ['-q', '-f', f])
}

function mkfs (type, file) {
  if (!MKFS[type]) throw new Error('no kill trials for ' + type)
  MKFS[type](file)
}

// A tar of `dir` as GNU tar writes it (numeric owners, xattrs).
function tarOf (dir, out) {
  must('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', dir, '-cf', out, '.'])
  return out
}

module.exports = { manifest, classify, checkAfterCrash, unpackAndKill, trial, tarOf, mkfs }
