// SPDX-License-Identifier: GPL-2.0-only
// Runs one job as a whole process, timed from outside (so node's start-up,
// boot, mkfs, mount and umount count where the job includes them), with its
// peak RSS from GNU time's %M: the same method for every side of a row. A
// job that fails is a result, not a crash: the caller prints its reason.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync } = require('child_process')

const TIME = '/usr/bin/time'

function checkTime () {
  if (!fs.existsSync(TIME)) {
    throw new Error(`${TIME} is missing (Debian package "time"): the bench reads peak RSS from it`)
  }
}

// The line of a failed job's stderr that says why: emscripten's
// "Aborted(...)" if there is one, else the last non-empty line.
function reasonOf (stderr, status, signal) {
  const text = stderr.toString()
  const abort = text.match(/Aborted\([^)]*\)/)
  if (abort) return abort[0]
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^Command (exited|terminated)/.test(l))
  return lines.pop() || (signal ? `killed by ${signal}` : `exit ${status}`)
}

// argv: [command, ...args]. Returns { ms, rss } or { ms, error }.
function measure (argv, opts = {}) {
  const rssFile = path.join(os.tmpdir(), `lkl-bench-rss-${process.pid}`)
  fs.rmSync(rssFile, { force: true })
  const t0 = process.hrtime.bigint()
  const r = spawnSync(TIME, ['-f', '%M', '-o', rssFile, ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    cwd: opts.cwd,
    env: opts.env || process.env
  })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const report = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').trim().split('\n') : []
  fs.rmSync(rssFile, { force: true })
  if (r.error) return { ms, error: r.error.message }
  if (r.status !== 0) return { ms, error: reasonOf(r.stderr || '', r.status, r.signal) }
  return { ms, rss: Number(report[report.length - 1]) * 1024 }
}

module.exports = { measure, checkTime }
