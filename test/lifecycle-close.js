// SPDX-License-Identifier: GPL-2.0-only
// img.close() and lkl.halt() while work is under way, one test for each
// kind of fs call and each stream (test/fixtures/lifecycle-ops.js): the
// calls already made complete, a stream completes or fails with a clear
// error (ERR_LKL_IMAGE_CLOSED, ...), nothing hangs or crashes, and the
// image passes e2fsck -fn afterwards. halt() is final, so each halt test
// runs in a child process (lifecycle-child.js).
'use strict'
const test = require('tape')
const path = require('path')
const { spawnSync } = require('child_process')
const lkl = require('..')
const h = require('./helpers')
const { scenarios, makeImage, hostFiles, settle } = require('./fixtures/lifecycle-ops')

const dir = h.tmpdir('lkl-life-close')
const LIMIT_MS = 30000
let n = 0

// Resolves like `p`, or rejects once `ms` have passed: a hang fails the test instead of the run.
function within (p, what, ms = LIMIT_MS) {
  let timer
  const late = new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms) })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

function report (t, checks) {
  for (const [ok, msg] of checks) t.ok(ok, msg)
}

for (const [name, s] of Object.entries(scenarios)) {
  test(`close() during ${name}`, async (t) => {
    const file = path.join(dir, `close-${n++}.img`)
    makeImage(file, dir)
    const env = { file, dir, ...hostFiles(dir) }
    const img = await lkl.open(file, { type: 'ext4' })
    const { done, after } = await s.start(img, env)
    const closing = settle(img.close())
    const result = await within(done, name)
    const closed = await within(closing, 'close()')
    t.ok(closed.ok, 'close() resolved' + (closed.ok ? '' : ': ' + closed.code))
    if (after) result.after = await within(after(), 'using it after close()')
    report(t, s.check(result, env))
    const f = h.fsck('ext4', file)
    t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
  })
}

for (const [name, s] of Object.entries(scenarios)) {
  test(`halt() during ${name} (child process)`, (t) => {
    const file = path.join(dir, `halt-${n++}.img`)
    makeImage(file, dir)
    const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures/lifecycle-child.js'), file, dir, name], { timeout: 2 * LIMIT_MS })
    const out = r.stdout.toString()
    const line = out.split('\n').find((l) => l.startsWith('RESULT '))
    t.ok(r.error === undefined && r.signal === null && r.status === 0, `the child ended by itself (${r.error ? r.error.code : r.signal || r.status})`)
    t.ok(line, 'the child reported its result' + (line ? '' : ' (it never finished: a hang)\n' + out + r.stderr.toString()))
    if (!line) return t.end()
    const { result, env, halt } = JSON.parse(line.slice(7))
    t.equal(halt, 'ok', 'halt() resolved')
    report(t, s.check(result, env))
    const f = h.fsck('ext4', file)
    t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
    t.end()
  })
}
