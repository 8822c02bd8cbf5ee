// SPDX-License-Identifier: GPL-2.0-only
// Two processes on one image: an image open for writing holds an exclusive
// flock on its file, a read-only (overlay) open a shared one. A conflicting
// open in another process fails at once with ERR_LKL_IMAGE_BUSY (library and
// CLI), or waits with { wait: true } / --wait; nothing written is lost.
'use strict'

const test = require('tape')
const path = require('path')
const { spawn } = require('child_process')
const lkl = require('..')
const { tmpdir, must, sh, sparse, MB } = require('./helpers')
const { lkl: cli } = require('./helpers/cli')

const dir = tmpdir('lkl-lock')

function image (name) {
  const file = path.join(dir, name + '.img')
  sparse(file, 32 * MB)
  must('mke2fs', ['-q', '-F', '-t', 'ext4', file])
  return file
}

// A child that opens `file` (readOnly or not), writes /from-child unless
// read-only, prints "open", and closes when its stdin ends.
function holder (file, readOnly) {
  const code = `
    const lkl = require(${JSON.stringify(path.join(__dirname, '..'))})
    ;(async () => {
      const img = await lkl.open(${JSON.stringify(file)}, { readOnly: ${readOnly} })
      if (!${readOnly}) await img.fs.promises.writeFile('/from-child', 'child\\n')
      process.stdout.write('open\\n')
      process.stdin.resume()
      process.stdin.on('end', async () => { await img.close(); process.stdout.write('closed\\n') })
    })().catch((e) => { console.error(e); process.exit(1) })`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] })
  const said = (word) => new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => { out += d; if (out.includes(word + '\n')) resolve() })
    child.on('exit', (c) => reject(new Error(`holder exited (${c}) before saying ${word}`)))
  })
  const opened = said('open')
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return { opened, release: () => child.stdin.end(), exited }
}

test('a writer in another process: writable and read-only opens fail at once with ERR_LKL_IMAGE_BUSY', async (t) => {
  const file = image('busy')
  const h = holder(file, false)
  await h.opened
  const w = await lkl.open(file).then(() => null, (e) => e)
  t.equal(w && w.code, 'ERR_LKL_IMAGE_BUSY', `writable open: ${w && w.message}`)
  t.ok(w instanceof lkl.LklError, 'an LklError')
  const r = await lkl.open(file, { readOnly: true }).then(() => null, (e) => e)
  t.equal(r && r.code, 'ERR_LKL_IMAGE_BUSY', `read-only open: ${r && r.message}`)
  t.match(r.message, /open for writing by another process/, 'says why')
  const c = cli(['mkdir', file + ':/zz'])
  t.notEqual(c.status, 0, 'lkl mkdir fails')
  t.match(c.stderr, /another process/, `with a message: ${c.stderr.trim()}`)
  h.release()
  await h.exited
  const img = await lkl.open(file, { readOnly: true })
  t.equal(await img.fs.promises.readFile('/from-child', 'utf8'), 'child\n', "the other process's write is there")
  t.deepEqual((await img.fs.promises.readdir('/')).sort(), ['from-child', 'lost+found'], 'nothing half-made by the refused opens')
  await img.close()
  t.equal(sh('e2fsck', ['-fn', file]).status, 0, 'e2fsck -fn clean')
})

test('{ wait: true } and --wait wait for the other process, then write', async (t) => {
  const file = image('wait')
  const h = holder(file, false)
  await h.opened
  let resolved = false
  const pending = lkl.open(file, { wait: true }).then((img) => { resolved = true; return img })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.notOk(resolved, 'still waiting while the other process has it')
  h.release()
  const img = await pending
  await img.fs.promises.writeFile('/from-parent', 'parent\n')
  await img.close()
  await h.exited
  const h2 = holder(file, true)
  await h2.opened
  const busy = cli(['mkdir', file + ':/zz'])
  t.notEqual(busy.status, 0, 'lkl mkdir fails while a reader has it')
  setTimeout(() => h2.release(), 300)
  const waited = await new Promise((resolve) => {
    const { spawn: sp } = require('child_process')
    const { MAIN } = require('./helpers/cli')
    const p = sp(process.execPath, [MAIN, 'mkdir', '--wait', file + ':/zz'], { stdio: 'ignore' })
    p.on('exit', resolve)
  })
  t.equal(waited, 0, 'lkl --wait mkdir succeeds once the reader is gone')
  await h2.exited
  const back = await lkl.open(file, { readOnly: true })
  t.deepEqual((await back.fs.promises.readdir('/')).sort(), ['from-child', 'from-parent', 'lost+found', 'zz'], 'every write of the three processes is there')
  await back.close()
  t.equal(sh('e2fsck', ['-fn', file]).status, 0, 'e2fsck -fn clean')
})

test('readers share: read-only opens in two processes at once', async (t) => {
  const file = image('share')
  const h = holder(file, true)
  await h.opened
  const img = await lkl.open(file, { readOnly: true })
  t.ok(Array.isArray(await img.fs.promises.readdir('/')), 'a second reader opens and reads')
  await img.close()
  const ls = cli(['ls', file + ':/'])
  t.equal(ls.status, 0, 'lkl ls (read-only) works beside a reader')
  h.release()
  await h.exited
})

test('flock(1) holders are respected too', async (t) => {
  const file = image('flock')
  const holderProc = spawn('flock', ['-x', file, 'sleep', '1'], { stdio: 'ignore' })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const e = await lkl.open(file).then(() => null, (err) => err)
  t.equal(e && e.code, 'ERR_LKL_IMAGE_BUSY', 'busy while flock -x holds it')
  const img = await lkl.open(file, { wait: true })
  t.pass('opens with { wait: true } once flock lets go')
  await img.close()
  await new Promise((resolve) => holderProc.exitCode !== null ? resolve() : holderProc.on('exit', resolve))
})
