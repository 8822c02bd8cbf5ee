// SPDX-License-Identifier: GPL-2.0-only
// Durability: a child writes and syncs, then is SIGKILLed mid-way through
// more writes; the host file holds what was synced.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { spawn } = require('child_process')
const lkl = require('..')
const h = require('./helpers')

test('synced data survives SIGKILL', async (t) => {
  const dir = h.tmpdir('lkl-durable')
  const file = path.join(dir, 'd.img')
  // 256 MiB (mke2fs still picks 1 KiB blocks). On the 64 MiB image of
  // makeImage, the child's rewrites free blocks faster than the journal
  // commits them, so ext4 runs out of space until the next commit; its
  // retry path (the host kernel's too) can leave a file being written with
  // its last blocks allocated past its on-disk size for a moment, which
  // `e2fsck -fn` reports after a kill and `e2fsck -p` fixes silently. That
  // out-of-space window is documented in docs/api.md; this test is about
  // what a kill keeps.
  h.makeImage('ext4', file, null, 256 * h.MB)
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/child.js'), file, 'fsync'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('synced')) setTimeout(resolve, 200) // let junk writes run
    })
    child.on('exit', (code) => reject(new Error('child exited early: ' + code)))
  })
  child.removeAllListeners('exit')
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal)))
  child.kill('SIGKILL')
  t.equal(await exited, 'SIGKILL', 'child killed')

  // Independent: replay the journal with e2fsck on a copy, then debugfs.
  const copy = path.join(dir, 'copy.img')
  fs.copyFileSync(file, copy)
  const r = h.sh('e2fsck', ['-fy', copy])
  t.ok(r.status === 0 || r.status === 1, `e2fsck -fy recovers the copy (exit ${r.status})`)
  t.ok(h.debugfsCat(copy, '/a.bin').equals(h.pattern(3 * 1024 * 1024, 11)), 'fsynced file is on the host file')
  t.equal(h.debugfsCat(copy, '/b.txt').toString(), 'synced through img.sync()\n', 'img.sync()ed file is on the host file')

  // And lkl replays the journal itself on the next mount.
  const img = await lkl.open(file, { type: 'ext4' })
  t.ok((await img.fs.promises.readFile('/a.bin')).equals(h.pattern(3 * 1024 * 1024, 11)), 'lkl reads it after journal replay')
  await img.close()
  const after = h.fsck('ext4', file)
  t.ok(after.ok, 'e2fsck -fn clean after lkl replayed and closed' + (after.ok ? '' : '\n' + after.output))
})
