// SPDX-License-Identifier: GPL-2.0-only
// The per-filesystem round trip, shared by test/fs-*.js:
// tool-made image -> read through lkl -> write through lkl -> close ->
// the fs checker is clean -> an independent reader sees what was written.
'use strict'

const test = require('tape')
const path = require('path')
const lkl = require('../..')
const h = require('./index')

const BIG = h.pattern(5 * h.MB + 17, 42)
const SMALL = Buffer.from('written through lkl\n')

// independent(t, file): the fs-specific check of the written data.
function roundTrip (type, { independent, posix = true } = {}) {
  const dir = h.tmpdir('lkl-' + type)
  const src = h.makeTree(path.join(dir, 'src'))
  const file = path.join(dir, type + '.img')
  let populated

  test(`${type}: make the image with the real tools`, (t) => {
    populated = h.makeImage(type, file, src)
    t.pass(populated ? 'made and populated by the tools' : 'made (populated through lkl)')
    t.end()
  })

  test(`${type}: open (auto-detected) and read the tools' files`, async (t) => {
    const img = await lkl.open(file)
    const p = img.fs.promises
    t.equal(img.type === 'ext3' ? 'ext4' : img.type, type, 'detected type')
    if (!populated) {
      await p.mkdir('/dir/sub', { recursive: true })
      await p.mkdir('/dir/empty')
      for (const [rel, data] of Object.entries(h.TREE)) await p.writeFile('/' + rel, data)
    }
    for (const [rel, data] of Object.entries(h.TREE)) {
      const got = await p.readFile('/' + rel)
      t.ok(got.equals(data), `/${rel} reads back byte-exact (${data.length} bytes)`)
    }
    t.deepEqual((await p.readdir('/')).filter((n) => n !== 'lost+found').sort(), ['dir', 'hello.txt'], 'root listing')
    t.deepEqual((await p.readdir('/dir')).sort(), ['empty', 'note.txt', 'sub'], '/dir listing')
    const st = await p.stat('/dir/sub/data.bin')
    t.ok(st.isFile() && st.size === h.TREE['dir/sub/data.bin'].length, 'stat: a file of the right size')
    t.ok((await p.stat('/dir')).isDirectory(), 'stat: a directory')
    t.ok(Math.abs(st.mtimeMs - Date.now()) < 3600e3, 'mtime is about now (clock at host time)')
    await img.close()
  })

  test(`${type}: write, mkdir, rename, unlink through lkl`, async (t) => {
    const img = await lkl.open(file, { type })
    const p = img.fs.promises
    await p.mkdir('/new/deeper', { recursive: true })
    await p.writeFile('/new/big.bin', BIG)
    await p.writeFile('/new/deeper/small.txt', SMALL)
    await p.writeFile('/gone.txt', 'to be removed')
    await p.unlink('/gone.txt')
    await p.rename('/hello.txt', '/new/renamed.txt')
    if (posix) {
      await p.symlink('renamed.txt', '/new/link')
      t.equal(await p.readlink('/new/link'), 'renamed.txt', 'symlink reads back')
    }
    t.ok((await p.readFile('/new/big.bin')).equals(BIG), 'big file reads back before close')
    const names = (await p.readdir('/new')).sort()
    t.deepEqual(names, posix ? ['big.bin', 'deeper', 'link', 'renamed.txt'] : ['big.bin', 'deeper', 'renamed.txt'], '/new listing')
    await img.close()
    t.pass('closed')
  })

  test(`${type}: the checker is clean and an independent reader agrees`, async (t) => {
    const r = h.fsck(type, file)
    t.ok(r.ok, `fsck clean${r.ok ? '' : ':\n' + r.output}`)
    if (independent) await independent(t, file, { BIG, SMALL })
    // And lkl reads back what it wrote after a fresh mount.
    const img = await lkl.open(file, { type, readOnly: true })
    const p = img.fs.promises
    t.ok((await p.readFile('/new/big.bin')).equals(BIG), 'big file after remount')
    t.ok((await p.readFile('/new/renamed.txt')).equals(h.TREE['hello.txt']), 'renamed file after remount')
    await p.stat('/gone.txt').then(() => t.fail('unlinked file exists'), (e) => t.equal(e.code, 'ENOENT', 'unlinked file is gone'))
    await p.stat('/hello.txt').then(() => t.fail('rename source exists'), (e) => t.equal(e.code, 'ENOENT', 'rename source is gone'))
    await img.close()
  })
}

module.exports = { roundTrip }
