// SPDX-License-Identifier: GPL-2.0-only
// lkl.transforms.mapEntries with async functions (issue 10.5): OCI-style
// whiteouts handled by img.fs.promises.rm inside the transform, in order
// with the writer; rejections fail the pipeline; dropped contents destroyed.
'use strict'

const test = require('tape')
const path = require('path')
const { Readable } = require('stream')
const { pipeline } = require('stream/promises')
const h = require('./helpers')
const lkl = require('..')

const dir = h.tmpdir('lkl-transforms-async')
const src = path.join(dir, 'src')
h.makeTree(src)
const img = path.join(dir, 'a.img')
h.makeImage('ext4', img, src)

function file (p, data) {
  const b = Buffer.from(data)
  return { path: p, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, mtime: 1000000000n * 1000000000n, content: Readable.from([b]) }
}

test('async mapEntries: whiteouts removed with img.fs.promises.rm, in order', async (t) => {
  t.ok(h.debugfsLs(img, '/dir').includes('sub'), 'before: dir/sub exists')
  const image = await lkl.open(img)
  const seen = []
  try {
    const layer = [
      { path: 'dir', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0n },
      file('dir/.wh.sub', ''), // delete dir/sub (a directory in the image)
      file('.wh.hello.txt', ''), // delete /hello.txt
      file('hello.txt', 'back again\n'), // then write it anew: must come after the rm
      file('dir/new.txt', 'new\n')
    ]
    const whiteouts = lkl.transforms.mapEntries(async (e) => {
      seen.push(e.path)
      const m = /^(.*?)(?:^|\/)\.wh\.(.+)$/.exec(e.path)
      if (!m) return e
      await new Promise((resolve) => setTimeout(resolve, 20)) // slower than the writer
      await image.fs.promises.rm(path.posix.join('/', m[1], m[2]), { recursive: true, force: true })
      return null
    })
    await pipeline(Readable.from(layer, { objectMode: true }), whiteouts, image.writer('/', { overwrite: true }))
    t.deepEqual(seen, ['dir', 'dir/.wh.sub', '.wh.hello.txt', 'hello.txt', 'dir/new.txt'], 'each entry once, in order')
  } finally {
    await image.close()
  }
  h.fsck('ext4', img)
  const root = h.debugfsLs(img, '/')
  t.ok(root.includes('hello.txt'), 'hello.txt written after its whiteout')
  t.notOk(root.some((n) => n.startsWith('.wh.')), 'no whiteout file written')
  t.equal(h.debugfsCat(img, '/hello.txt').toString(), 'back again\n')
  const d = h.debugfsLs(img, '/dir')
  t.notOk(d.includes('sub'), 'dir/sub removed')
  t.ok(d.includes('new.txt'), 'dir/new.txt written')
  t.end()
})

test('async mapEntries: a rejection fails the pipeline; null drops and destroys content', async (t) => {
  const dropped = file('a.txt', 'a')
  const out = []
  await pipeline(Readable.from([dropped, file('b.txt', 'b')], { objectMode: true }),
    lkl.transforms.mapEntries(async (e) => e.path === 'a.txt' ? null : e),
    async function (source) { for await (const e of source) { out.push(e.path); e.content.resume() } })
  t.deepEqual(out, ['b.txt'])
  t.ok(dropped.content.destroyed, 'the dropped entry\'s content is destroyed')
  try {
    await pipeline(Readable.from([file('c.txt', 'c')], { objectMode: true }),
      lkl.transforms.mapEntries(async () => { throw Object.assign(new Error('nope'), { code: 'EXAMPLE' }) }),
      async function (source) { for await (const e of source) e.content.resume() })
    t.fail('resolved')
  } catch (e) {
    t.equal(e.code, 'EXAMPLE', 'the function\'s error')
  }
  t.end()
})

test.onFinish(() => lkl.halt())
