// SPDX-License-Identifier: GPL-2.0-only
// The kernel's fd limit is not the user's: every image's fds share one
// kernel fd table, whose limit the addon raises at boot (native/kernel.cc).
// 10,000 concurrent writeFile calls and 10,000 FileHandles open at once all
// succeed; debugfs counts and reads the files, e2fsck finds the image clean.
'use strict'
const test = require('tape')
const path = require('path')
const lkl = require('..')
const h = require('./helpers')

const N = 10000
const dir = h.tmpdir('lkl-fd-limit')
const a = path.join(dir, 'a.img')
const b = path.join(dir, 'b.img')
const body = (tag, i) => `${tag} ${i}\n`

// debugfs `ls -l DIR`: the names of the regular files listed.
function debugfsFiles (file, p) {
  const out = h.must('debugfs', ['-R', `ls -l ${p}`, file]).stdout.toString()
  // "  12  100644 (1)      0      0       8 02-Dec-2026 05:40 f0"
  return out.split('\n').filter((l) => /^\s*\d+\s+100\d{3}\s/.test(l)).map((l) => l.trim().split(/\s+/).pop())
}

test('10,000 concurrent writeFile and 10,000 open FileHandles', async (t) => {
  h.sparse(a, 160 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-N', String(3 * N), a])
  h.sparse(b, 32 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', b])
  const ia = await lkl.open(a)
  const ib = await lkl.open(b)
  const p = ia.fs.promises
  await p.mkdir('/w')
  await p.mkdir('/h')

  // Promise.all of N writeFile: each opens, writes and closes; the opens
  // run ahead of the writes, so up to N fds are open at once.
  const writes = await Promise.allSettled(Array.from({ length: N }, (_, i) => p.writeFile(`/w/f${i}`, body('w', i))))
  const failed = writes.filter((r) => r.status === 'rejected')
  t.equal(failed.length, 0, `all ${N} concurrent writeFile calls succeed${failed.length ? ` (first: ${failed[0].reason.code})` : ''}`)

  // N FileHandles open at the same time on one image, and the other image
  // still has fds to spare meanwhile.
  const handles = await Promise.all(Array.from({ length: N }, (_, i) => p.open(`/h/f${i}`, 'w')))
  t.equal(new Set(handles.map((fh) => fh.fd)).size, N, `${N} FileHandles open at once, each its own fd`)
  await ib.fs.promises.writeFile('/other.txt', 'other image\n')
  t.equal(await ib.fs.promises.readFile('/other.txt', 'utf8'), 'other image\n', 'another image opens files meanwhile')
  await Promise.all(handles.map((fh, i) => fh.write(body('h', i))))
  await Promise.all(handles.map((fh) => fh.close()))

  await ia.close()
  await ib.close()

  const fsck = h.fsck('ext4', a)
  t.ok(fsck.ok, `e2fsck -fn clean${fsck.ok ? '' : ': ' + fsck.output}`)
  t.ok(h.fsck('ext4', b).ok, 'the other image is clean too')
  for (const [sub, tag] of [['w', 'w'], ['h', 'h']]) {
    const names = debugfsFiles(a, `/${sub}`)
    t.equal(names.length, N, `debugfs lists ${N} files in /${sub}`)
    const want = new Set(Array.from({ length: N }, (_, i) => `f${i}`))
    t.ok(names.every((n) => want.delete(n)) && want.size === 0, `/${sub}: every name f0..f${N - 1} once`)
    const sample = [0, 1, 1023, 1024, 4095, 4096, 5000, N - 1]
    const bad = sample.filter((i) => h.debugfsCat(a, `/${sub}/f${i}`).toString() !== body(tag, i))
    t.deepEqual(bad, [], `debugfs cat: /${sub} sample of ${sample.length} files has its content`)
  }
  t.end()
})
