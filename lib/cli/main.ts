#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// The `lkl` executable: runs one command line (./run), halts the kernel,
// exits with the command's code once stdout is drained.

function exit (code: number): void {
  process.exitCode = code
  if (process.stdout.writableLength === 0) process.exit(code)
  process.stdout.once('drain', () => process.exit(code))
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(1)
})

let run: typeof import('./run')
try {
  run = require('./run')
} catch (e) {
  // The package itself failed to load (e.g. the native addon is not built).
  process.stderr.write(`lkl: ${(e as Error).message.split('\n')[0].replace(/^lkl: /, '')}\n`)
  if (process.argv.includes('-v') || process.argv.includes('--verbose')) process.stderr.write(`${(e as Error).stack}\n`)
  process.exit(1)
}

run.main(process.argv.slice(2)).then(async (code) => {
  // Halt the kernel (a no-op if it never booted).
  await require('../index').halt().catch(() => {})
  exit(code)
})
