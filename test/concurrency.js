// SPDX-License-Identifier: GPL-2.0-only
// Two images at once, 32 operations in flight, and the event loop keeps
// running (a 10 ms interval) during a 200 MB write.
'use strict'
const test = require('tape')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

test('two images, 32 ops in flight, event loop free during a 200 MB write', async (t) => {
  const dir = h.tmpdir('lkl-conc')
  const a = path.join(dir, 'a.img')
  const b = path.join(dir, 'b.img')
  h.sparse(a, 320 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', a])
  h.makeImage('ext4', b, h.makeTree(path.join(dir, 'src')))
  const ia = await lkl.open(a, { type: 'ext4' })
  const ib = await lkl.open(b, { type: 'ext4' })
  const pa = ia.fs.promises
  const pb = ib.fs.promises
  const big = h.pattern(200 * h.MB, 5)

  let last = Date.now()
  let maxGap = 0
  let ticks = 0
  const timer = setInterval(() => {
    const now = Date.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
    ticks++
  }, 10)

  const started = Date.now()
  const bigWrite = pa.writeFile('/big.bin', big).then(() => Date.now() - started)
  // 32 operations in flight at once on the other image, several rounds.
  let okOps = 0
  for (let round = 0; round < 4; round++) {
    const ops = []
    for (let i = 0; i < 32; i++) {
      switch (i % 4) {
        case 0: ops.push(pb.writeFile(`/f${round}-${i}.txt`, `file ${round} ${i}`)); break
        case 1: ops.push(pb.readFile('/dir/sub/data.bin').then((d) => { if (!d.equals(h.TREE['dir/sub/data.bin'])) throw new Error('bad read') })); break
        case 2: ops.push(pb.stat('/hello.txt')); break
        case 3: ops.push(pb.readdir('/dir')); break
      }
    }
    await Promise.all(ops)
    okOps += ops.length
  }
  t.equal(okOps, 128, '128 operations (32 in flight at a time) on image b succeeded')
  const ms = await bigWrite
  clearInterval(timer)
  t.comment(`200 MB write: ${ms} ms (${(200 / (ms / 1000)).toFixed(0)} MB/s); interval ticks ${ticks}, max gap ${maxGap} ms`)
  t.ok(ticks > ms / 40, `the 10 ms interval kept firing (${ticks} ticks in ${ms} ms)`)
  t.ok(maxGap < 250, `max event loop gap ${maxGap} ms < 250 ms`)
  const st = await pa.stat('/big.bin')
  t.equal(st.size, big.length, 'big file has its size')
  for (let round = 0; round < 4; round++) t.equal(await pb.readFile(`/f${round}-0.txt`, 'utf8'), `file ${round} 0`, `image b round ${round} files`)
  await Promise.all([ia.close(), ib.close()])
  t.ok(h.fsck('ext4', a).ok && h.fsck('ext4', b).ok, 'both images fsck clean')
  const back = h.debugfsCat(a, '/big.bin')
  t.ok(back.equals(big), 'debugfs: the 200 MB file is byte-exact')
})
