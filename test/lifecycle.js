// SPDX-License-Identifier: GPL-2.0-only
// Exit paths leave images clean (forked children), close() waits for
// pending work, halt() closes everything and is final.
'use strict'
const test = require('tape')
const path = require('path')
const { spawnSync } = require('child_process')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-life')

for (const mode of ['natural', 'exit', 'throw', 'sigint']) {
  test(`process exit (${mode}) with an image open leaves it clean`, (t) => {
    const file = path.join(dir, mode + '.img')
    h.makeImage('ext4', file, null)
    const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures/child.js'), file, mode], { timeout: 60000 })
    t.ok(r.stdout.toString().includes('written'), 'child wrote')
    t.ok(r.signal !== 'SIGKILL' && r.error === undefined, `child ended by itself (${r.signal || r.status})`)
    const f = h.fsck('ext4', file)
    t.ok(f.ok, 'e2fsck -fn clean' + (f.ok ? '' : '\n' + f.output))
    t.equal(h.debugfsCat(file, `/exit/${mode}.txt`).toString(), `written before ${mode}\n`, 'debugfs sees the data')
    t.end()
  })
}

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
