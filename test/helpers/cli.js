// SPDX-License-Identifier: GPL-2.0-only
// Running the `lkl` command as users do: a child process, its exit code,
// stdout (Buffer) and stderr.
'use strict'

const path = require('path')
const { spawnSync, spawn } = require('child_process')

// The `lkl` bin as the package installs it (package.json "bin").
const MAIN = path.join(__dirname, '..', '..', 'dist', 'lkl-cli.js')
const ENV = { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin' }
delete ENV.SOURCE_DATE_EPOCH

// lkl(args, { input, env, cwd }) -> { status, stdout, stderr }
function lkl (args, opts = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    input: opts.input,
    env: { ...ENV, ...opts.env },
    cwd: opts.cwd,
    maxBuffer: 1 << 30
  })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

// A shell pipeline where `lkl` is the command: sh('cat x | lkl unpack img').
function sh (script, opts = {}) {
  const r = spawnSync('/bin/sh', ['-c', `set -e; lkl () { "${process.execPath}" "${MAIN}" "$@"; }; ${script}`], {
    env: { ...ENV, ...opts.env },
    cwd: opts.cwd,
    maxBuffer: 1 << 30
  })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

module.exports = { lkl, sh, MAIN, spawn }
