// SPDX-License-Identifier: GPL-2.0-only
// Runs every test file in its own process (one kernel per process, and
// halting is final), echoes the TAP, and ends with "N passed, N failed".
// Usage: node test/run.js [file-filter...]
'use strict'

const fs = require('fs')
const path = require('path')
const { spawn } = require('child_process')

const TIMEOUT_MS = Number(process.env.LKL_TEST_TIMEOUT_MS || 10 * 60 * 1000)
const filters = process.argv.slice(2)
const files = fs.readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

function runFile (file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [path.join(__dirname, file)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let passed = 0
    let failed = 0
    let rest = ''
    const onLine = (line) => {
      if (/^ok \d+/.test(line)) passed++
      else if (/^not ok \d+/.test(line)) failed++
    }
    child.stdout.on('data', (d) => {
      process.stdout.write(d)
      const lines = (rest + d.toString()).split('\n')
      rest = lines.pop()
      lines.forEach(onLine)
    })
    child.stderr.on('data', (d) => process.stderr.write(d))
    const timer = setTimeout(() => {
      console.log(`not ok - ${file} timed out after ${TIMEOUT_MS} ms`)
      failed++
      child.kill('SIGKILL')
    }, TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      onLine(rest)
      if ((code !== 0 || signal) && failed === 0) {
        console.log(`not ok - ${file} exited with ${signal || code}`)
        failed++
      }
      console.log(`# ${file}: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      resolve({ passed, failed })
    })
  })
}

async function main () {
  let passed = 0
  let failed = 0
  for (const file of files) {
    console.log(`# ---- ${file}`)
    const r = await runFile(file)
    passed += r.passed
    failed += r.failed
  }
  if (passed + failed === 0) failed = 1
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed > 0 ? 1 : 0
}

main()
