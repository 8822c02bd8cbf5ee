// SPDX-License-Identifier: GPL-2.0-only
// The kernel library on its own, without Node in the path: the host
// library's boot/disk test (verified by e2fsck and debugfs) and a kernel
// panic that must end the process with a clear message.
'use strict'

const test = require('tape')
const path = require('path')
const { tmpdir, sh, must } = require('./helpers')

const root = path.join(__dirname, '..')
const out = path.join(root, 'deps', 'build', 'out')

function compile (src, name) {
  const bin = path.join(tmpdir('lkl-kernel'), name)
  must('gcc', ['-O2', '-I', path.join(out, 'include'), src, path.join(out, 'liblkl.a'), '-lpthread', '-o', bin])
  return bin
}

test('kernel: boot, syscalls, an ext4 disk written and checked by e2fsck/debugfs', (t) => {
  const bin = compile(path.join(root, 'deps', 'host', 'tests', 'boot-test.c'), 'boot-test')
  const r = sh('bash', [path.join(root, 'deps', 'host', 'tests', 'boot-test.sh'), bin, '64'])
  const outText = r.stdout.toString()
  t.equal(r.status, 0, 'boot-test.sh passes')
  t.ok(/ok - e2fsck clean/.test(outText), 'e2fsck is clean')
  t.ok(/ok - debugfs reads back/.test(outText), 'debugfs reads back the data')
  if (r.status !== 0) t.comment(outText + r.stderr)
  t.end()
})

test('kernel: a frozen wall clock (reproducible builds)', (t) => {
  const bin = compile(path.join(__dirname, 'kernel', 'frozen-clock.c'), 'frozen-clock')
  const r = sh(bin, [], { timeout: 30000 })
  const lines = r.stdout.toString().split('\n').filter((l) => /^(not )?ok /.test(l))
  t.equal(r.status, 0, 'exits cleanly')
  t.equal(lines.length, 3, 'three checks ran')
  for (const l of lines) t.ok(l.startsWith('ok '), l)
  t.end()
})

test('kernel: a panic ends the process with a message naming it', (t) => {
  const bin = compile(path.join(__dirname, 'kernel', 'panic.c'), 'panic')
  const r = sh(bin, [], { timeout: 30000 })
  t.equal(r.status, null, 'the process did not exit normally')
  t.ok(/lkl: kernel panic/.test(r.stderr), 'stderr says it was a kernel panic')
  t.ok(/sysrq triggered crash/.test(r.stderr), 'stderr names the panic')
  t.notOk(/still alive/.test(r.stdout.toString()), 'nothing ran after the panic')
  t.end()
})
