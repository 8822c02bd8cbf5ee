// SPDX-License-Identifier: GPL-2.0-only
// The TypeScript a strict user writes: `tsc --strict` (module nodenext) over
// test/types/*, the documented examples plus `// @ts-expect-error` misuses
// (an unused one fails the compile too, so a misuse that starts to compile
// fails this test). Checks the built dist/*.d.ts, as a user gets them.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { execFile } = require('child_process')

const tsc = require.resolve('typescript/bin/tsc')
const project = path.join(__dirname, 'types')

function run (args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', project, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, out: stdout + stderr })
    })
  })
}

test('test/types compiles under strict + nodenext, against dist/', async (t) => {
  const { code, out } = await run(['--listFiles'])
  const errors = out.split('\n').filter((l) => /error TS\d+/.test(l))
  t.deepEqual(errors, [], 'no type errors (and every @ts-expect-error is one)')
  t.equal(code, 0, 'tsc exits 0')
  const files = out.split('\n').map((l) => path.resolve(l.trim()))
  t.ok(files.includes(path.resolve(__dirname, '..', 'dist', 'index.d.ts')), "'lkl' is the repo's dist/index.d.ts")
  const sources = fs.readdirSync(project).filter((f) => /\.[cm]?ts$/.test(f))
  t.ok(sources.length > 0, 'test/types has files')
  for (const f of sources) t.ok(files.includes(path.join(project, f)), `${f} is checked`)
})
