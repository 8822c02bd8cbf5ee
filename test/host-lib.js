// SPDX-License-Identifier: GPL-2.0-only
// The host library's own C tests (deps/host/tests/disk-test.c through
// disk-test.sh): memory, overlay and callback disks, partitions, raw block
// access and the copy fast paths. Every "ok"/"not ok" line the C test and
// its script print becomes one tape assertion.
'use strict'

const test = require('tape')
const path = require('path')
const { tmpdir, sh, must } = require('./helpers')

const root = path.join(__dirname, '..')
const out = path.join(root, 'deps', 'build', 'out')
const tests = path.join(root, 'deps', 'host', 'tests')

function compile (name) {
  const bin = path.join(tmpdir('lkl-host-lib'), name)
  must('gcc', ['-std=gnu11', '-O2', '-D_GNU_SOURCE', '-I', path.join(root, 'deps', 'host', 'include'),
    '-I', path.join(out, 'include'), path.join(tests, name + '.c'), path.join(out, 'liblkl.a'),
    '-lpthread', '-o', bin])
  return bin
}

test('host library: disks, partitions, raw access, copy (C tests)', (t) => {
  const bin = compile('disk-test')
  const speed = process.env.LKL_HOST_SPEED_MB || '0'
  const r = sh('bash', [path.join(tests, 'disk-test.sh'), bin, speed], { timeout: 5 * 60 * 1000 })
  const lines = r.stdout.toString().split('\n')
  let count = 0
  for (const line of lines) {
    let m
    if ((m = /^ok - (.*)$/.exec(line))) {
      t.pass(m[1])
      count++
    } else if ((m = /^not ok - (.*)$/.exec(line))) {
      t.fail(m[1])
      count++
    } else if (line.startsWith('# ')) {
      t.comment(line.slice(2))
    }
  }
  t.ok(count > 50, `the C test reported its checks (${count})`)
  t.equal(r.status, 0, 'disk-test.sh exits 0')
  if (r.status !== 0) t.comment(r.stderr)
  t.end()
})
