// SPDX-License-Identifier: GPL-2.0-only
// Start-up and per-syscall latency: boot + mount + first read, then many
// stat calls one at a time (latency) and 32 at a time (throughput).
// Usage: node bench/startup.js   (needs mke2fs)
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFileSync } = require('child_process')
const { performance } = require('perf_hooks')
const lkl = require('..')

const N = Number(process.env.N || 10000)

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-bench-'))
  const src = path.join(dir, 'src')
  fs.mkdirSync(src)
  fs.writeFileSync(path.join(src, 'hello.txt'), 'hello\n')
  const file = path.join(dir, 'bench.img')
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, 256 * 1024 * 1024)
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, file], { env: { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin' } })

  const t0 = performance.now()
  await lkl.boot()
  const t1 = performance.now()
  const img = await lkl.open(file, { type: 'ext4' })
  const t2 = performance.now()
  await img.fs.promises.readFile('/hello.txt')
  const t3 = performance.now()
  const p = img.fs.promises

  for (let i = 0; i < 200; i++) await p.stat('/hello.txt') // warm up
  const s0 = performance.now()
  for (let i = 0; i < N; i++) await p.stat('/hello.txt')
  const s1 = performance.now()
  const batch = 32
  for (let i = 0; i < N; i += batch) {
    const ops = []
    for (let j = 0; j < batch; j++) ops.push(p.stat('/hello.txt'))
    await Promise.all(ops)
  }
  const s2 = performance.now()
  const buf = Buffer.alloc(64 * 1024 * 1024, 1)
  const w0 = performance.now()
  await p.writeFile('/big.bin', buf)
  await img.sync()
  const w1 = performance.now()
  await p.readFile('/big.bin')
  const w2 = performance.now()
  await img.close()
  const t4 = performance.now()
  await lkl.halt()
  const t5 = performance.now()

  const f = (x) => x.toFixed(1)
  console.log(`boot:                       ${f(t1 - t0)} ms`)
  console.log(`mount (open):               ${f(t2 - t1)} ms`)
  console.log(`first read:                 ${f(t3 - t2)} ms`)
  console.log(`boot + mount + first read:  ${f(t3 - t0)} ms`)
  console.log(`stat, one at a time:        ${f((s1 - s0) * 1000 / N)} us/call (${N} calls)`)
  console.log(`stat, ${batch} in flight:        ${f((s2 - s1) * 1000 / N)} us/call`)
  console.log(`write 64 MiB + sync:        ${f(w1 - w0)} ms (${f(64 / ((w1 - w0) / 1000))} MiB/s)`)
  console.log(`read 64 MiB (cached):       ${f(w2 - w1)} ms (${f(64 / ((w2 - w1) / 1000))} MiB/s)`)
  console.log(`close (sync + umount):      ${f(t4 - w2)} ms`)
  console.log(`halt:                       ${f(t5 - t4)} ms`)
  fs.rmSync(dir, { recursive: true, force: true })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
