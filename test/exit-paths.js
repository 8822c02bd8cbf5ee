// SPDX-License-Identifier: GPL-2.0-only
// Every way a process can end with images open leaves them synced and
// cleanly unmounted (checked by each filesystem's own tools), with a write
// still in flight; a signal the app does not handle still ends the process
// by that signal, without a stack trace from the writes it cut short.
'use strict'
const test = require('tape')
const path = require('path')
const { spawn } = require('child_process')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-exit')
const CHILD = path.join(__dirname, 'fixtures/exit-child.js')

// Run the child; `signal` is sent by this process once it has written.
function runChild (file, type, mode, signal) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, file, type, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000)
    child.stdout.on('data', (d) => {
      out += d
      if (signal && out.includes('written')) setTimeout(() => child.kill(signal), 200)
    })
    child.stderr.on('data', (d) => { err += d })
    child.on('exit', (status, sig) => {
      clearTimeout(timer)
      resolve({ status, signal: sig, out, err })
    })
  })
}

async function readBack (type, file, p) {
  if (type === 'ext4') return h.debugfsCat(file, p).toString()
  if (type === 'vfat') return h.must('mtype', ['-i', file, '::' + p]).stdout.toString()
  const img = await lkl.open(file, { type, readOnly: true })
  try {
    return (await img.fs.promises.readFile(p)).toString()
  } finally {
    await img.close()
  }
}

// mode, the signal the parent sends (busy), and how the process must end.
const CASES = [
  ['natural', null, { status: 0 }],
  ['exit', null, { status: 0 }],
  ['throw', null, { status: 1, stderr: /uncaught on purpose/ }],
  ['reject', null, { status: 1, stderr: /unhandled on purpose/ }],
  ['SIGINT', null, { signal: 'SIGINT' }],
  ['SIGTERM', null, { signal: 'SIGTERM' }],
  ['SIGHUP', null, { signal: 'SIGHUP' }],
  ['busy', 'SIGINT', { signal: 'SIGINT' }],
  ['busy', 'SIGTERM', { signal: 'SIGTERM' }],
  ['busy', 'SIGHUP', { signal: 'SIGHUP' }]
]

for (const type of ['ext4', 'xfs', 'vfat']) {
  for (const [mode, signal, want] of CASES) {
    const name = signal ? `${mode} + ${signal} from outside` : mode
    test(`${type}: process end by ${name} leaves the image clean`, async (t) => {
      const file = path.join(dir, `${type}-${mode}-${signal || 'self'}.img`)
      h.makeImage(type, file, null)
      const r = await runChild(file, type, mode, signal)
      t.ok(r.out.includes('written'), 'the child wrote' + (r.out.includes('written') ? '' : ': ' + r.err))
      if (want.signal) {
        t.equal(r.signal, want.signal, `it died by ${want.signal} (status ${r.status})`)
        t.equal(r.err, '', 'with nothing on stderr (no trace of a cut-short write)')
      } else {
        t.equal(r.status, want.status, `exit status ${want.status}`)
        if (want.stderr) t.match(r.err, want.stderr, 'stderr shows the app\'s own error')
        else t.equal(r.err, '', 'nothing on stderr')
      }
      const c = h.cleanlyUnmounted(type, file)
      t.ok(c.ok, 'cleanly unmounted' + (c.ok ? '' : '\n' + c.output))
      t.equal(await readBack(type, file, `/exit/${mode}.txt`), `written before ${mode}\n`, 'the data written before is there')
    })
  }
}
