// SPDX-License-Identifier: GPL-2.0-only
// Many images at once (32, each doing I/O) and many open/close cycles
// (500) without leaking host fds, host threads, host memory or kernel
// memory. The old node-lkl hung at 4 images and crashed at 128.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

require('v8').setFlagsFromString('--expose-gc')
const gc = require('vm').runInNewContext('gc')

const dir = h.tmpdir('lkl-many')
const N = 32
const CYCLES = Number(process.env.LKL_CYCLES || 500)

const fds = () => fs.readdirSync('/proc/self/fd').length
const threads = () => fs.readdirSync('/proc/self/task').length
const rss = () => process.memoryUsage().rss

// One small ext4 made by the tools, copied N times.
const base = path.join(dir, 'base.img')
h.sparse(base, 8 * h.MB)
h.must('mke2fs', ['-q', '-F', '-t', 'ext4', base])

function copies (n, prefix) {
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(dir, `${prefix}${i}.img`)
    fs.copyFileSync(base, f)
    return f
  })
}

async function snapshot () {
  gc()
  const k = await lkl.stats()
  return { fds: fds(), threads: threads(), rss: rss(), heap: process.memoryUsage().heapUsed, kfree: k.memoryFree, ktasks: k.tasks }
}

const fmt = (s) => `fds ${s.fds}, threads ${s.threads}, rss ${(s.rss / h.MB).toFixed(1)} MiB, kernel free ${(s.kfree / h.MB).toFixed(1)} MiB, kernel tasks ${s.ktasks}`

// Open all N, write and read in each concurrently, close all.
async function round (files, seed) {
  const started = Date.now()
  const imgs = await Promise.all(files.map((f) => lkl.open(f)))
  const opened = Date.now() - started
  const during = await snapshot()
  await Promise.all(imgs.map(async (img, i) => {
    const p = img.fs.promises
    await p.mkdir('/d', { recursive: true })
    for (let j = 0; j < 4; j++) await p.writeFile(`/d/f${j}`, h.pattern(64 * 1024, seed + i * 10 + j))
    const back = await p.readFile('/d/f3')
    if (!back.equals(h.pattern(64 * 1024, seed + i * 10 + 3))) throw new Error('bad data in image ' + i)
  }))
  await Promise.all(imgs.map((img) => img.close()))
  return { opened, during, ms: Date.now() - started }
}

test(`${N} images open at once, all doing I/O`, async (t) => {
  const files = copies(N, 'many')
  // The first round grows what grows once: libuv's pool, kernel workers.
  await round(files, 0)
  const before = await snapshot()
  t.comment('before: ' + fmt(before))
  const r = await round(files, 1000)
  t.pass(`${N} images opened at once (${r.opened} ms), each wrote and read back its own data (${r.ms} ms in all)`)
  t.comment('open:   ' + fmt(r.during))
  const after = await snapshot()
  t.comment('closed: ' + fmt(after))
  t.equal(after.fds, before.fds, 'no host fd left open')
  t.ok(after.threads <= before.threads, `no host thread left (${after.threads} <= ${before.threads})`)
  t.ok(after.ktasks <= before.ktasks, `no kernel task left (${after.ktasks} <= ${before.ktasks})`)
  let clean = 0
  files.forEach((f, i) => {
    if (h.fsck('ext4', f).ok && h.debugfsCat(f, '/d/f0').equals(h.pattern(64 * 1024, 1000 + i * 10))) clean++
  })
  t.equal(clean, N, `all ${N} images fsck-clean with their data`)
})

// The kernel starts a worker thread (kworker, one host thread each) when its
// workqueues are busy and ends idle ones after minutes, so a loaded machine
// can leave one or two more than before: not a leak. A leak grows with the
// cycles (500 here), far past this slack.
const WORKER_SLACK = 2

test(`${CYCLES} open/close cycles without leaks`, async (t) => {
  const [file] = copies(1, 'cycle')
  const one = async (i) => {
    const img = await lkl.open(file, { type: i % 2 ? 'auto' : 'ext4' })
    await img.fs.promises.writeFile('/cycle.txt', String(i))
    await img.close()
  }
  for (let i = 0; i < 100; i++) await one(i) // warm up caches, pools, malloc arenas
  const before = await snapshot()
  t.comment('before: ' + fmt(before))
  const started = process.hrtime.bigint()
  for (let i = 0; i < CYCLES; i++) await one(i)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const after = await snapshot()
  t.comment('after:  ' + fmt(after))
  t.comment(`open + write + close: ${(ms / CYCLES).toFixed(2)} ms per cycle`)
  t.equal(after.fds, before.fds, 'host fds stable')
  t.ok(after.threads <= before.threads + WORKER_SLACK, `host threads stable (${before.threads} -> ${after.threads})`)
  t.ok(after.ktasks <= before.ktasks + WORKER_SLACK, `kernel tasks stable (${before.ktasks} -> ${after.ktasks})`)
  const rssGrowth = (after.rss - before.rss) / h.MB
  // RSS levels off (V8 sizes its heap, the kernel touches more of its
  // arena): a leak of 80 KiB per cycle would still fail this.
  t.ok(rssGrowth < 40, `RSS grew ${rssGrowth.toFixed(1)} MiB (< 40)`)
  const heapGrowth = (after.heap - before.heap) / h.MB
  t.ok(heapGrowth < 4, `JS heap in use after GC grew ${heapGrowth.toFixed(2)} MiB (< 4)`)
  const kLoss = (before.kfree - after.kfree) / h.MB
  t.ok(kLoss < 8, `kernel free memory dropped ${kLoss.toFixed(1)} MiB (< 8)`)
  t.equal(h.debugfsCat(file, '/cycle.txt').toString(), String(CYCLES - 1), 'the last write is there')
  t.ok(h.fsck('ext4', file).ok, 'fsck clean')
})

test('memory, overlay and custom disks: 100 cycles each without leaks', async (t) => {
  const [file] = copies(1, 'kinds')
  const img0 = fs.readFileSync(file)
  const makers = {
    memory: () => lkl.disk.memory(Buffer.from(img0)),
    overlay: () => lkl.disk.overlay(file),
    custom: () => lkl.disk.custom({ size: img0.length, read: (b, o, l, p) => { img0.copy(b, o, p, p + l) }, write: (b, o, l, p) => { b.copy(img0, p, o, o + l) }, flush: () => {} })
  }
  for (const [kind, make] of Object.entries(makers)) {
    const cycle = async (i) => {
      const disk = make()
      const img = await lkl.open(disk)
      await img.fs.promises.writeFile('/k.txt', kind + i)
      await disk.close()
    }
    for (let i = 0; i < 50; i++) await cycle(i)
    const before = await snapshot()
    for (let i = 0; i < 100; i++) await cycle(i)
    const after = await snapshot()
    t.comment(`${kind}: ${fmt(after)}`)
    t.ok(after.fds === before.fds && after.threads <= before.threads + WORKER_SLACK && after.ktasks <= before.ktasks + WORKER_SLACK, `${kind}: fds ${before.fds}->${after.fds}, threads ${before.threads}->${after.threads}, kernel tasks ${before.ktasks}->${after.ktasks}`)
    t.ok((before.kfree - after.kfree) / h.MB < 8, `${kind}: kernel free memory ${(before.kfree / h.MB).toFixed(1)} -> ${(after.kfree / h.MB).toFixed(1)} MiB`)
    t.ok((after.rss - before.rss) / h.MB < 40, `${kind}: RSS ${(before.rss / h.MB).toFixed(1)} -> ${(after.rss / h.MB).toFixed(1)} MiB`)
    t.ok((after.heap - before.heap) / h.MB < 4, `${kind}: JS heap in use ${(before.heap / h.MB).toFixed(1)} -> ${(after.heap / h.MB).toFixed(1)} MiB`)
  }
  await lkl.halt()
})
