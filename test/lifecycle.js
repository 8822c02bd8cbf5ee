// SPDX-License-Identifier: GPL-2.0-only
// Exit paths with custom and overlay disks (file images: exit-paths.js),
// close() waits for pending work, halt() closes everything and is final.
'use strict'
const test = require('tape')
const path = require('path')
const { spawnSync } = require('child_process')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-life')

// Custom disks at exit: the event loop still runs for natural/sigint, so
// everything is flushed; process.exit()/throw block the JS thread, which
// then runs the callbacks itself: synchronous ones complete, async ones
// cannot (their I/O fails), but nothing hangs.
for (const kind of ['custom-sync', 'custom-async', 'overlay']) {
  for (const mode of ['natural', 'exit', 'throw', 'sigint']) {
    test(`process exit (${mode}) with a ${kind} disk open`, (t) => {
      const file = path.join(dir, `${kind}-${mode}.img`)
      h.makeImage('ext4', file, null)
      const before = require('fs').readFileSync(file)
      const started = Date.now()
      const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures/disk-child.js'), file, kind, mode], { timeout: 60000 })
      const ms = Date.now() - started
      t.ok(r.stdout.toString().includes('written'), 'child wrote' + (r.stdout.toString().includes('written') ? '' : ': ' + r.stderr.toString()))
      t.ok(r.signal !== 'SIGKILL' && r.error === undefined && ms < 15000, `child ended by itself (${r.signal || r.status}, ${ms} ms)`)
      if (kind === 'overlay') {
        t.ok(require('fs').readFileSync(file).equals(before), 'the overlay\'s base is untouched')
      } else if (kind === 'custom-async' && (mode === 'exit' || mode === 'throw')) {
        t.comment(`async custom disk after ${mode}: fsck ${h.fsck('ext4', file).ok ? 'clean' : 'not clean (expected: async I/O cannot run)'}`)
      } else {
        const f = h.fsck('ext4', file)
        t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
        t.equal(h.debugfsCat(file, `/exit/${mode}.txt`).toString(), `written before ${mode}\n`, 'debugfs sees the data')
      }
      t.end()
    })
  }
}

test('boot({ memory }) sets the kernel memory', async (t) => {
  t.throws(() => lkl.boot({ memory: 'lots' }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', "memory: 'lots' throws")
  await lkl.boot({ memory: '96M' })
  const s = await lkl.stats()
  t.ok(s.memoryTotal > 64 * h.MB && s.memoryTotal <= 96 * h.MB, `kernel memory ${(s.memoryTotal / h.MB).toFixed(1)} MiB of 96`)
  t.ok(s.memoryFree > 0 && s.memoryFree < s.memoryTotal && s.tasks > 0, `free ${(s.memoryFree / h.MB).toFixed(1)} MiB, ${s.tasks} kernel tasks`)
  await lkl.boot({ memory: '96M' })
  t.pass('boot() again with the same memory is fine')
  await lkl.boot({ memory: '1G' }).then(() => t.fail('booted'), (e) => t.equal(e.code, 'ERR_LKL_ALREADY_BOOTED', e.message))
})

test('close() waits for pending operations', async (t) => {
  const file = path.join(dir, 'pending.img')
  h.makeImage('ext4', file, null)
  const img = await lkl.open(file, { type: 'ext4' })
  const data = h.pattern(16 * h.MB, 3)
  const write = img.fs.promises.writeFile('/pending.bin', data)
  const closing = img.close()
  await img.fs.promises.stat('/').then(() => t.fail('op after close'), (e) => t.equal(e.code, 'ERR_LKL_IMAGE_CLOSED', 'new ops are refused once closing'))
  await write
  t.pass('the pending write completed')
  await closing
  t.ok(h.debugfsCat(file, '/pending.bin').equals(data), 'and it is in the image')
})

test('halt() closes every image and is final', async (t) => {
  const a = path.join(dir, 'ha.img')
  const b = path.join(dir, 'hb.img')
  h.makeImage('ext4', a, null)
  h.makeImage('ext4', b, null)
  const ia = await lkl.open(a, { type: 'ext4' })
  const ib = await lkl.open(b, { type: 'ext4' })
  await ia.fs.promises.writeFile('/x', 'a')
  await ib.fs.promises.writeFile('/x', 'b')
  const fh = await ib.fs.promises.open('/y', 'w')
  await fh.write('left open')
  await lkl.halt()
  t.ok(h.fsck('ext4', a).ok && h.fsck('ext4', b).ok, 'both images clean')
  t.equal(h.debugfsCat(a, '/x').toString(), 'a', 'image a has its data')
  t.equal(h.debugfsCat(b, '/y').toString(), 'left open', 'an open file handle was closed and flushed')
  await lkl.open(a).then(() => t.fail('opened after halt'), (e) => t.equal(e.code, 'ERR_LKL_HALTED', 'open after halt: ERR_LKL_HALTED'))
  await ia.fs.promises.stat('/').then(() => t.fail(), (e) => t.equal(e.code, 'ERR_LKL_IMAGE_CLOSED', 'ops on a halted image: ERR_LKL_IMAGE_CLOSED'))
})
