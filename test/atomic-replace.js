// SPDX-License-Identifier: GPL-2.0-only
// Overwriting entries replaces them atomically (a temporary sibling made
// durable, then renamed over the old one): every kind of replacement gives
// the new entry, leaves no temporary file and an fsck-clean image; and the
// SIGKILL trials (slow): an unpack killed at any moment, fresh or over the
// same tree, loses no file that was complete before and leaves no file at
// full size reading as zeros.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { Readable, pipeline } = require('stream')
const lkl = require('..')
const h = require('./helpers')
const kt = require('./helpers/kill-trial')
const { debianRootfs } = require('./helpers/tree')

const dir = h.tmpdir('lkl-atomic')

function write (img, entries) {
  return new Promise((resolve, reject) => {
    pipeline(Readable.from(entries), img.writer('/', { overwrite: true }), (e) => e ? reject(e) : resolve())
  })
}

const MTIME = 1000000000123456789n // ns
const file = (p, data) => ({ type: 'file', path: p, mode: 0o644, size: data.length, content: Readable.from([data]), mtime: MTIME })
const link = (p, to) => ({ type: 'symlink', path: p, linkname: to, mode: 0o777, mtime: MTIME })

test('every kind of replacement gives the new entry and no temporary file', async (t) => {
  const img0 = path.join(dir, 'replace.img')
  h.makeImage('ext4', img0, null)
  const big1 = h.pattern(3 * h.MB, 1)
  const big2 = h.pattern(5 * h.MB + 123, 2)
  let img = await lkl.open(img0, { type: 'ext4' })
  await write(img, [
    { type: 'directory', path: 'd', mode: 0o755, mtime: MTIME },
    file('d/a.txt', Buffer.from('old a')),
    link('d/l', 'a.txt'),
    file('d/f-to-link', Buffer.from('old file')),
    link('d/link-to-f', 'a.txt'),
    file('d/big', big1),
    { type: 'directory', path: 'd/emptydir', mode: 0o755, mtime: MTIME }
  ])
  await img.close()
  img = await lkl.open(img0, { type: 'ext4' })
  await write(img, [
    file('d/a.txt', Buffer.from('new a, longer than before')),
    { type: 'hardlink', path: 'd/a-hard', linkname: 'd/a.txt', mtime: MTIME },
    link('d/l', 'elsewhere'),
    link('d/f-to-link', 'a.txt'),
    file('d/link-to-f', Buffer.from('now a file')),
    file('d/big', big2),
    file('d/emptydir', Buffer.from('a file where an empty dir was')),
    file('d/twice', Buffer.from('first')),
    file('d/twice', Buffer.from('second'))
  ])
  const p = img.fs.promises
  t.equal((await p.readFile('/d/a.txt')).toString(), 'new a, longer than before', 'file over file')
  t.equal((await p.stat('/d/a-hard')).ino, (await p.stat('/d/a.txt')).ino, 'a hardlink in the same batch links the new file')
  t.equal(await p.readlink('/d/l'), 'elsewhere', 'symlink over symlink')
  t.equal(await p.readlink('/d/f-to-link'), 'a.txt', 'symlink over file')
  t.equal((await p.readFile('/d/link-to-f')).toString(), 'now a file', 'file over symlink')
  t.ok((await p.readFile('/d/big')).equals(big2), 'big file over big file')
  t.equal((await p.readFile('/d/emptydir')).toString(), 'a file where an empty dir was', 'file over an empty directory')
  t.equal((await p.readFile('/d/twice')).toString(), 'second', 'the later of two entries of one path wins')
  t.same((await p.readdir('/d')).filter((n) => n.startsWith('.lkl-new-')), [], 'no temporary file left')
  await img.close()
  t.ok(h.fsck('ext4', img0).ok, 'e2fsck -fn clean')
  t.equal(h.debugfsCat(img0, '/d/a.txt').toString(), 'new a, longer than before', 'debugfs sees the new file')
})

test('a Buffer as content is refused with a clear error, not a crash', async (t) => {
  const img0 = path.join(dir, 'buffer.img')
  h.makeImage('ext4', img0, null)
  const img = await lkl.open(img0, { type: 'ext4' })
  await write(img, [{ type: 'file', path: 'x', mode: 0o644, size: 3, content: Buffer.from('abc'), mtime: MTIME }]).then(
    () => t.fail('written'), (e) => t.equal(e.code, 'ERR_INVALID_ARG_VALUE', e.message))
  await img.close()
})

test('a replacement that fails leaves the old entry and no temporary file', async (t) => {
  const img0 = path.join(dir, 'fail.img')
  h.makeImage('ext4', img0, null)
  const img = await lkl.open(img0, { type: 'ext4' })
  await write(img, [file('keep.txt', Buffer.from('old content'))])
  // A content stream that fails midway: a big file, so the failure comes
  // while the temporary sibling is being written.
  const failing = Readable.from((async function * () {
    yield h.pattern(2 * h.MB, 5)
    throw new Error('source failed on purpose')
  })())
  await write(img, [{ type: 'file', path: 'keep.txt', mode: 0o644, size: 4 * h.MB, content: failing }]).then(
    () => t.fail('the write succeeded'), (e) => t.match(e.message, /source failed on purpose/, 'the source error surfaces'))
  t.equal((await img.fs.promises.readFile('/keep.txt')).toString(), 'old content', 'the old file is intact')
  t.same((await img.fs.promises.readdir('/')).filter((n) => n.startsWith('.lkl-new-')), [], 'no temporary file left')
  await img.close()
  t.ok(h.fsck('ext4', img0).ok, 'e2fsck -fn clean')
})

// SIGKILL trials on ext4, with a tar long enough (four rootfs copies, about
// 4 s to unpack) for the kernel to commit midway, killed late in the run.
test('slow: SIGKILLed unpacks lose nothing and leave no zero-filled file', async (t) => {
  const root = debianRootfs()
  const tar = path.join(dir, 'four.tar')
  for (let i = 1; i <= 4; i++) {
    h.must('tar', ['--numeric-owner', `--transform=s,^\\./,r${i}/,`, '-C', root, i === 1 ? '-cf' : '-rf', tar, './'])
  }
  const tree = path.join(dir, 'four')
  fs.mkdirSync(tree)
  h.must('tar', ['--numeric-owner', '-xf', tar, '-C', tree])
  const expected = kt.manifest(tree)
  fs.rmSync(tree, { recursive: true, force: true })
  const fresh = path.join(dir, 'fresh-template.img')
  h.sparse(fresh, 2 * 1024 ** 3)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', fresh])
  const full = path.join(dir, 'full-template.img')
  fs.copyFileSync(fresh, full)
  const whole = await kt.unpackAndKill(full, tar, null)
  t.equal(whole.status, 0, `a whole unpack: ${whole.ms} ms`)
  const trialFile = path.join(dir, 'trial.img')
  // Midway and late in a run (the kernel's first commits come after ~3 s).
  for (const [mode, template, before, at] of [['fresh', fresh, null, 0.5], ['fresh', fresh, null, 0.85], ['overwrite', full, expected, 0.5], ['overwrite', full, expected, 0.85]]) {
    const killMs = Math.round(whole.ms * at)
    const r = await kt.trial(lkl, { type: 'ext4', template, file: trialFile, tar, expected, before, killMs })
    const c = r.counts
    t.comment(`${mode}, kill at ${killMs} ms (${r.killed ? 'killed' : 'it finished first'}): ${r.check.detail}; ` + Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', '))
    t.ok(r.check.ok, `${mode}: e2fsck after the crash: ${r.check.detail}`)
    t.equal(c.lost, 0, `${mode}: no file that was complete before is lost`)
    t.equal(c.zeroed + c.other, 0, `${mode}: no file at full size with zeros or wrong content` + (r.bad.length ? ': ' + r.bad.slice(0, 3).join('; ') : ''))
  }
  fs.rmSync(dir, { recursive: true, force: true })
})
