// SPDX-License-Identifier: GPL-2.0-only
// Corrupt directory entries are never followed (issue 9, part 2): an ext4
// image made by mke2fs/debugfs, then names patched in its directory blocks
// so that they start with NUL, read '..' or '.', hold a '/', or point back
// at a directory above. Every consumer (img.fs readdir, img.walk, lkl ls -R,
// lkl pack, lkl cp -r) ends with ERR_LKL_CORRUPT_NAME naming the directory,
// or with badNames 'skip' / --skip-bad-names completes with one warning per
// entry and every good entry.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
const lkl = require('..')
const h = require('./helpers')
const { failure } = h
const { MAIN } = require('./helpers/cli')

const dir = h.tmpdir('lkl-corrupt-names')
const file = path.join(dir, 'corrupt.img')
const DIRS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6']
// Names of every length around the 8-byte record alignment (the parser
// finds a name's length from its record; see native/dirents.cc).
const LENS = Array.from({ length: 20 }, (_, i) => 'n'.repeat(i + 1))

function build () {
  const f = path.join(dir, 'f')
  fs.writeFileSync(f, 'good\n')
  h.sparse(file, 16 * h.MB)
  // No checksums (the patched blocks stay valid for the kernel) and linear
  // directories (entries in creation order).
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-O', '^metadata_csum,^dir_index', file])
  const cmds = ['mkdir lens', ...LENS.map((n) => `write ${f} lens/${n}`)]
  for (const d of DIRS) cmds.push(`mkdir ${d}`, `write ${f} ${d}/a.txt`)
  cmds.push(`write ${f} d1/QZ1`, 'mkdir d2/Q2', `write ${f} d3/P`, `write ${f} d4/QZ3X`, 'mkdir d5/x', 'mkdir d6/y')
  for (const d of DIRS) cmds.push(`write ${f} ${d}/z.txt`)
  fs.writeFileSync(path.join(dir, 'cmds'), cmds.join('\n') + '\n')
  h.must('debugfs', ['-w', '-f', path.join(dir, 'cmds'), file])
  const img = fs.readFileSync(file)
  const inode = (p) => Number(/Inode: (\d+)/.exec(h.must('debugfs', ['-R', `stat ${p}`, file]).stdout.toString())[1])
  // Find `from` among the records of the directory's first block (inode
  // u32, rec_len u16, name_len u8, type u8, name) and rewrite its name
  // (same length) or its inode number.
  const patch = (d, from, to, ino) => {
    const block = Number(h.must('debugfs', ['-R', `bmap ${d} 0`, file]).stdout.toString().trim())
    for (let p = block * 4096; p < (block + 1) * 4096; p += img.readUInt16LE(p + 4)) {
      const len = img[p + 6]
      if (img.toString('latin1', p + 8, p + 8 + len) !== from) continue
      if (to !== null) img.write(to, p + 8, 'latin1')
      if (ino !== undefined) img.writeUInt32LE(ino, p)
      return
    }
    throw new Error(`no entry ${from} in ${d}`)
  }
  patch('/d1', 'QZ1', '\0Z1') // an empty name for strlen
  patch('/d2', 'Q2', '..') // a second '..'
  patch('/d3', 'P', '.') // a second '.'
  patch('/d4', 'QZ3X', 'Q/3X') // the kernel refuses it (EIO)
  patch('/d5', 'x', null, inode('/d5')) // linked to its own directory
  patch('/d6', 'y', null, 2) // linked to the root, an ancestor
  fs.writeFileSync(file, img)
}
build()

// What survives: every entry but the corrupt ones (and those after the
// name the kernel refuses in d4: it cannot list past it).
const GOOD = ['.', 'lens', ...LENS.map((n) => 'lens/' + n), 'lost+found']
for (const d of DIRS) GOOD.push(d, `${d}/a.txt`, ...(d === 'd4' ? [] : [`${d}/z.txt`]))
GOOD.sort()
const WARNED = ['/d1', '/d2', '/d3', '/d4', '/d5', '/d6']

// The CLI as users run it; the timeout only stops a run that would never
// end (before the fix, ls -R grew without bound).
function cli (args) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { timeout: 120000, maxBuffer: 1 << 28, env: { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin' } })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString() }
}

test('independent tools see the corrupt entries', (t) => {
  const ls = (d) => h.must('debugfs', ['-R', `ls ${d}`, file]).stdout.toString()
  t.ok(ls('/d1').includes('\\x00Z1'), 'debugfs lists the NUL name')
  t.equal((ls('/d2').match(/ \.\. /g) || []).length, 2, "debugfs lists two '..' in /d2")
  t.ok(ls('/d4').includes('Q/3X'), "debugfs lists the name with '/'")
  const r = h.fsck('ext4', file)
  t.notOk(r.ok, 'e2fsck -fn finds the image corrupt')
  t.ok(/illegal characters/.test(r.output) && /duplicate '\.\.'/.test(r.output), 'e2fsck names the bad names')
  t.end()
})

test('readdir and walk: an error naming the directory and the name', async (t) => {
  const img = await lkl.open(file, { readOnly: true })
  t.deepEqual((await img.fs.promises.readdir('/lens')).sort(), [...LENS].sort(), 'names of every length list exactly')
  const cases = [['/d1', '"\\x00Z1"', '\0Z1'], ['/d2', '".."', '..'], ['/d3', '"."', '.']]
  for (const [d, shown, raw] of cases) {
    const e = await failure(img.fs.promises.readdir(d))
    t.equal(e && e.code, 'ERR_LKL_CORRUPT_NAME', `readdir ${d}: ERR_LKL_CORRUPT_NAME`)
    t.ok(e && e.message.includes(shown) && e.message.includes(`'${d}'`), `readdir ${d}: ${e && e.message}`)
    t.deepEqual(e && e.badName, Buffer.from(raw, 'latin1'), `readdir ${d}: err.badName`)
    t.equal(e && e.path, d, `readdir ${d}: err.path`)
    t.equal(e && e.errno, -117, `readdir ${d}: errno EUCLEAN`)
    const w = await failure((async () => { for await (const x of img.walk(d)) x.content?.destroy() })())
    t.equal(w && w.code, 'ERR_LKL_CORRUPT_NAME', `walk ${d}: ${w && w.message}`)
    const o = await failure(img.fs.promises.opendir(d))
    t.equal(o && o.code, 'ERR_LKL_CORRUPT_NAME', `opendir ${d}`)
  }
  const eio = await failure(img.fs.promises.readdir('/d4'))
  t.equal(eio && eio.message, "EIO: i/o error, scandir '/d4'", "a name with '/': the kernel's EIO for the directory")
  const loop = await failure((async () => { for await (const x of img.walk('/d6')) x.content?.destroy() })())
  t.equal(loop && loop.code, 'ERR_LKL_CORRUPT_NAME', `an entry linked to an ancestor: ${loop && loop.message}`)
  t.ok(loop && /"y" in '\/d6'.*loop/.test(loop.message), 'the message names the entry and the loop')
  const all = await failure((async () => { for await (const x of img.walk('/')) x.content?.destroy() })())
  t.equal(all && all.code, 'ERR_LKL_CORRUPT_NAME', 'walk of / stops at the first corrupt directory')
  t.equal(all && all.path, '/d1', 'walk of /: err.path is the directory')
  const rec = await failure(img.fs.promises.readdir('/', { recursive: true }))
  t.equal(rec && rec.code, 'ERR_LKL_CORRUPT_NAME', 'recursive readdir')
  await img.close()
})

test('a real EUCLEAN keeps its Linux name and text', async (t) => {
  const img = await lkl.open(file, { readOnly: true })
  const e = await failure(img.fs.promises.lstat('/d5/x'))
  t.equal(e && e.code, 'EUCLEAN', 'code EUCLEAN (ext4: entry linked to its own directory)')
  t.equal(e && e.errno, -117, 'errno -117')
  t.equal(e && e.message, "EUCLEAN: structure needs cleaning, lstat '/d5/x'", 'message')
  const w = await failure((async () => { for await (const x of img.walk('/d5')) x.content?.destroy() })())
  t.equal(w && w.message, "EUCLEAN: structure needs cleaning, lstat '/d5/x'", 'the walk reports it as the kernel says it')
  await img.close()
})

test("badNames 'skip': every good entry, one warning per corrupt one", async (t) => {
  const warnings = []
  const img = await lkl.open(file, { readOnly: true, badNames: 'skip', onWarning: (w) => warnings.push(w) })
  const seen = []
  for await (const e of img.walk('/')) { seen.push(e.path); e.content?.destroy() }
  t.deepEqual(seen.sort(), GOOD, 'the walk gives every good entry')
  t.deepEqual(warnings.map((w) => w.path).sort(), WARNED, 'one warning per corrupt directory entry')
  t.ok(warnings.every((w) => w.code === 'ERR_LKL_CORRUPT_NAME' && /^Skipped/.test(w.message)), 'warnings: ERR_LKL_CORRUPT_NAME, "Skipped ..."')
  warnings.length = 0
  const rec = await img.fs.promises.readdir('/', { recursive: true })
  t.deepEqual(rec.sort(), GOOD.filter((p) => p !== '.'), 'recursive readdir gives every good entry')
  t.deepEqual(warnings.map((w) => w.path).sort(), WARNED, 'and warns once each')
  await img.close()

  // The walk's own option overrides the image's.
  const strict = await lkl.open(file, { readOnly: true, onWarning: (w) => warnings.push(w) })
  warnings.length = 0
  const again = []
  for await (const e of strict.walk('/', { badNames: 'skip' })) { again.push(e.path); e.content?.destroy() }
  t.deepEqual(again.sort(), GOOD, "walk({ badNames: 'skip' }) on an image opened with the default")
  t.equal(warnings.length, 6, 'its warnings go to the image\'s onWarning')
  t.equal((await failure(strict.fs.promises.readdir('/d1'))).code, 'ERR_LKL_CORRUPT_NAME', 'the image itself still fails')
  t.throws(() => strict.walk('/', { badNames: 'maybe' }), (e) => e.code === 'ERR_INVALID_ARG_VALUE', 'a bad badNames value throws')
  await strict.close()
})

test('rm -r of a directory with a corrupt name: the rest goes, then EUCLEAN', async (t) => {
  const copy = path.join(dir, 'copy.img')
  fs.copyFileSync(file, copy)
  const img = await lkl.open(copy)
  const e = await failure(img.fs.promises.rm('/d1', { recursive: true }))
  t.equal(e && e.code, 'EUCLEAN', `rm -r /d1: ${e && e.message}`)
  await img.close()
  const after = h.must('debugfs', ['-R', 'ls /d1', copy]).stdout.toString()
  t.ok(!after.includes('a.txt') && !after.includes('z.txt') && after.includes('\\x00Z1'), 'the good files are removed, the corrupt name stays')
})

test('lkl ls -lR, pack, cp -r: they end, with the documented error', (t) => {
  const out = path.join(dir, 'out')
  const runs = [
    ['ls', '-lR', file],
    ['pack', file, path.join(dir, 'o.tar')],
    ['cp', '-r', `${file}:/`, out]
  ]
  for (const args of runs) {
    const r = cli(args)
    t.equal(r.signal, null, `lkl ${args[0]} ends by itself`)
    t.equal(r.status, 1, `lkl ${args[0]} fails`)
    t.ok(r.stderr.includes(`lkl ${args[0]}: ${file}: Corrupt directory entry "\\x00Z1" in '/d1': the name holds a NUL byte`), `lkl ${args[0]}: ${r.stderr.trim()}`)
  }
  t.notOk(fs.existsSync(path.join(dir, 'o.tar')), 'no partial tar left')
  fs.rmSync(out, { recursive: true, force: true })
  t.end()
})

test('--skip-bad-names: the good entries and one warning each', (t) => {
  const out = path.join(dir, 'out')
  const tar = path.join(dir, 'o.tar')
  const warnings = (r) => r.stderr.split('\n').filter((l) => l.includes(': warning: ')).length
  const ls = cli(['ls', '-lR', file, '--skip-bad-names'])
  t.equal(ls.status, 0, 'ls -lR completes')
  t.equal(warnings(ls), 6, 'ls -lR: 6 warnings')
  const listed = ls.stdout.toString()
  t.equal((listed.match(/ a\.txt$/gm) || []).length, 6, 'ls -lR lists a.txt in every directory')
  t.notOk(/Z1|Q\/3X/.test(listed), 'and no corrupt name')

  const pack = cli(['pack', file, tar, '--skip-bad-names'])
  t.equal(pack.status, 0, 'pack completes')
  t.equal(warnings(pack), 6, 'pack: 6 warnings')
  const names = h.must('tar', ['-tf', tar]).stdout.toString().trim().split('\n').map((n) => n.replace(/\/$/, '').replace(/^\.\//, '') || '.')
  t.deepEqual(names.sort(), GOOD, 'the tar (read by GNU tar) holds every good entry')

  const cp = cli(['cp', '-r', `${file}:/`, out, '--skip-bad-names'])
  t.equal(cp.status, 0, 'cp -r completes')
  t.equal(warnings(cp), 6, 'cp -r: 6 warnings')
  const copied = ['.', ...fs.readdirSync(out, { recursive: true })].sort()
  t.deepEqual(copied, GOOD, 'the host copy holds every good entry')
  t.end()
})
