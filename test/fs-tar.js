// SPDX-License-Identifier: GPL-2.0-only
// tar-fs as an independent oracle: it must pack and extract through
// { fs: img.fs } exactly as it does on a host directory.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const tarfs = require('tar-fs')
const tarStream = require('tar-stream')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const lkl = require('..')
const h = require('./helpers')

const dir = h.tmpdir('lkl-tarfs')

// A host tree with the kinds tar-fs handles: files (empty, small, big),
// nested directories, symlinks; fixed modes and times.
function makeHostTree (root) {
  const files = {
    'a.txt': 'alpha\n',
    empty: '',
    'bin/tool': '#!/bin/sh\necho hi\n',
    'deep/er/still/file.dat': h.pattern(700 * 1024 + 3, 11),
    'deep/big.bin': h.pattern(2 * h.MB + 1, 12)
  }
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), data)
  }
  fs.mkdirSync(path.join(root, 'emptydir'))
  fs.symlinkSync('a.txt', path.join(root, 'link'))
  fs.symlinkSync('../a.txt', path.join(root, 'deep/uplink'))
  fs.chmodSync(path.join(root, 'bin/tool'), 0o755)
  fs.chmodSync(path.join(root, 'a.txt'), 0o600)
  fs.chmodSync(path.join(root, 'emptydir'), 0o700)
  // Times last, children before parents.
  const walk = (d) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n)
      if (fs.lstatSync(p).isDirectory()) walk(p)
      if (!fs.lstatSync(p).isSymbolicLink()) fs.utimesSync(p, 1600000000, 1500000000 + n.length)
    }
  }
  walk(root)
  fs.utimesSync(root, 1600000000, 1500000000)
  return root
}

function collect (stream) {
  const chunks = []
  return pipeline(stream, async function * (src) { for await (const c of src) chunks.push(c) }).then(() => Buffer.concat(chunks))
}

// Parse a tar: [{ header fields, sha of content }] in order.
async function entries (tarBuf) {
  const out = []
  const ex = tarStream.extract()
  const done = new Promise((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject) })
  ex.on('entry', (hd, stream, next) => {
    const chunks = []
    stream.on('data', (c) => chunks.push(c))
    stream.on('end', () => {
      out.push({ name: hd.name, type: hd.type, mode: hd.mode, uid: hd.uid, gid: hd.gid, size: hd.size, mtime: hd.mtime.getTime(), linkname: hd.linkname, data: Buffer.concat(chunks).toString('base64') })
      next()
    })
  })
  ex.end(tarBuf)
  await done
  return out
}

const hostRoot = makeHostTree(path.join(dir, 'host', 'tree'))
const file = path.join(dir, 'tar.img')
let hostTar

test('tar-fs packs an image directory (made by mke2fs -d) like the host directory', async (t) => {
  // The tools copy the host tree into the image: an independent writer.
  h.sparse(file, 64 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', path.dirname(hostRoot), file])
  hostTar = await collect(tarfs.pack(hostRoot, { sort: true }))
  const img = await lkl.open(file, { type: 'ext4' })
  const imgTar = await collect(tarfs.pack('/tree', { fs: img.fs, sort: true }))
  const want = await entries(hostTar)
  const got = await entries(imgTar)
  t.ok(want.length >= 10, `${want.length} entries`)
  t.deepEqual(got.map((e) => e.name), want.map((e) => e.name), 'the same entries in the same order')
  for (let i = 0; i < want.length; i++) t.deepEqual(got[i], want[i], `entry ${want[i].name}`)
  t.ok(imgTar.equals(hostTar), 'byte-identical tar streams')
  await img.close()
})

// Times that tar-fs leaves at "now" (symlinks, directories it touched
// after their own entry) can differ by a second between two extractions.
function sameEntries (t, got, want, what) {
  t.deepEqual(got.map((e) => e.name), want.map((e) => e.name), `${what}: the same entries`)
  const now = Date.now() - 3600e3
  for (let i = 0; i < want.length; i++) {
    const g = { ...got[i] }
    const w = { ...want[i] }
    if (g.mtime > now && w.mtime > now && Math.abs(g.mtime - w.mtime) <= 5000) g.mtime = w.mtime
    t.deepEqual(g, w, `${what}: ${w.name}`)
  }
}

let hostExtracted
test('tar-fs extracts into an image like into a host directory', async (t) => {
  // The oracle: tar-fs extracting the same tar on the host, packed again.
  const hostOut = path.join(dir, 'out')
  await pipeline(Readable.from([hostTar]), tarfs.extract(hostOut))
  hostExtracted = await entries(await collect(tarfs.pack(hostOut, { sort: true })))
  const img = await lkl.open(file, { type: 'ext4' })
  await pipeline(Readable.from([hostTar]), tarfs.extract('/extracted', { fs: img.fs }))
  const st = await img.fs.promises.stat('/extracted/bin/tool')
  t.equal(st.mode & 0o777, 0o755, 'modes applied through img.fs.chmod')
  t.equal(await img.fs.promises.readlink('/extracted/deep/uplink'), '../a.txt', 'symlink created')
  const back = await collect(tarfs.pack('/extracted', { fs: img.fs, sort: true }))
  sameEntries(t, await entries(back), hostExtracted, 'ext4')
  await img.close()
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
  const hostData = fs.readFileSync(path.join(hostRoot, 'deep/big.bin'))
  t.ok(h.debugfsCat(file, '/extracted/deep/big.bin').equals(hostData), 'debugfs reads the extracted big file')
  t.equal(h.debugfsCat(file, '/extracted/a.txt').toString(), 'alpha\n', 'debugfs reads a small one')
})

test('tar-fs on btrfs: extract, then pack', async (t) => {
  const bfile = path.join(dir, 'tar-btrfs.img')
  h.makeImage('btrfs', bfile, null)
  const img = await lkl.open(bfile, { type: 'btrfs' })
  await pipeline(Readable.from([hostTar]), tarfs.extract('/x', { fs: img.fs }))
  const back = await collect(tarfs.pack('/x', { fs: img.fs, sort: true }))
  sameEntries(t, await entries(back), hostExtracted, 'btrfs')
  await img.close()
  t.ok(h.fsck('btrfs', bfile).ok, 'btrfs check clean')
})
