// SPDX-License-Identifier: GPL-2.0-only
// `lkl cp -r` without -a gives the modes and owners GNU `cp -r` gives (run
// on the same tree, with the same umask): no setuid/setgid, sticky only on
// directories, the umask applied, owned by the caller; special files are
// omitted with a message each (exit status 1). With -a everything is kept.
// Directions: image -> host, host -> image, image -> image, single files.
// Runs as root (mknod, chown).
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const h = require('./helpers')
const { sh } = require('./helpers/cli')

const UMASK = '027'
const dir = h.tmpdir('lkl-cp-modes')
const tree = path.join(dir, 'tree')

// The host tree, then an ext4 image of it made by mke2fs -d.
function file (rel, mode, data = rel + '\n') {
  fs.writeFileSync(path.join(tree, rel), data)
  fs.chmodSync(path.join(tree, rel), mode)
}
fs.mkdirSync(tree)
for (const [d, mode] of [['sticky', 0o1777], ['sgid-dir', 0o2775], ['all-dir', 0o7777], ['private', 0o700]]) {
  fs.mkdirSync(path.join(tree, d))
  fs.chmodSync(path.join(tree, d), mode)
}
file('suid', 0o4755)
file('sgid', 0o2750)
file('all', 0o7777)
file('readonly', 0o444)
file('private/secret', 0o600)
file('owned', 0o640)
fs.chownSync(path.join(tree, 'owned'), 1000, 1000)
fs.symlinkSync('suid', path.join(tree, 'link'))
h.must('mkfifo', ['-m', '0666', path.join(tree, 'fifo')])
h.must('mknod', ['-m', '0666', path.join(tree, 'null'), 'c', '1', '3'])
h.must('mknod', ['-m', '0660', path.join(tree, 'disk'), 'b', '8', '0'])
const SPECIAL = ['disk', 'fifo', 'null']

const img = path.join(dir, 'src.img')
h.sparse(img, 32 * h.MB)
h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tree, img])

// What GNU cp -r makes of the tree, with the same umask.
const ref = path.join(dir, 'gnu')
h.must('sh', ['-c', `umask ${UMASK}; cp -r '${tree}' '${ref}'`])

// { rel: { type, mode (07777), uid, gid } } of a host tree (lstat).
function hostTree (root) {
  const out = {}
  const walk = (rel) => {
    const st = fs.lstatSync(path.join(root, rel))
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : 'other'
    out[rel] = { type, mode: type === 'symlink' ? 0 : st.mode & 0o7777, uid: st.uid, gid: st.gid }
    if (type === 'dir') for (const n of fs.readdirSync(path.join(root, rel))) walk(rel === '.' ? n : `${rel}/${n}`)
  }
  walk('.')
  return out
}

// The same of a tree inside an ext4 image, read by debugfs (ls -p).
const TYPES = { 4: 'dir', 8: 'file', 10: 'symlink', 1: 'fifo', 2: 'char', 6: 'block' } // S_IFMT >> 12
function imageTree (file, root) {
  const out = {}
  const walk = (rel, abs, mode, uid, gid) => {
    const type = TYPES[mode >> 12] ?? 'other'
    out[rel] = { type, mode: type === 'symlink' ? 0 : mode & 0o7777, uid, gid }
    if (type !== 'dir') return
    const ls = h.must('debugfs', ['-R', `ls -p "${abs}"`, file]).stdout.toString()
    for (const line of ls.split('\n')) {
      const f = line.split('/')
      if (f.length < 6 || f[5] === '.' || f[5] === '..' || f[5] === '') continue
      walk(rel === '.' ? f[5] : `${rel}/${f[5]}`, `${abs === '/' ? '' : abs}/${f[5]}`, parseInt(f[2], 8), Number(f[3]), Number(f[4]))
    }
  }
  const st = h.must('debugfs', ['-R', `stat "${root}"`, file]).stdout.toString()
  const m = /Mode: +(\d+)/.exec(st)
  const own = /User: +(\d+) +Group: +(\d+)/.exec(st)
  walk('.', root, 0o40000 | parseInt(m[1], 8), Number(own[1]), Number(own[2]))
  return out
}

// GNU's result without the special files (which plain lkl cp omits).
function expected () {
  const want = hostTree(ref)
  for (const s of SPECIAL) delete want[s]
  return want
}

function lklCp (args) {
  return sh(`umask ${UMASK}; lkl cp ${args.map((a) => `'${a}'`).join(' ')} || echo "status $?" >&2`)
}

function checkOmitted (t, r, shownRoot) {
  t.match(r.stderr, /status 1/, 'exit status 1: special files were omitted')
  for (const s of SPECIAL) {
    const re = new RegExp(`omitting the (character device|block device|fifo) '${shownRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${s}' \\(-a copies special files\\)`)
    t.match(r.stderr, re, `one line for ${s}`)
  }
}

test('image -> host without -a: the modes and owners GNU cp -r gives', (t) => {
  const out = path.join(dir, 'out-host')
  const r = lklCp(['-r', `${img}:/`, out])
  checkOmitted(t, r, `${img}:`)
  const got = hostTree(out)
  delete got['lost+found']
  t.deepEqual(got, expected(), 'every entry: type, mode, owner as GNU cp -r')
  t.equal(fs.readFileSync(path.join(out, 'private/secret'), 'utf8'), 'private/secret\n', 'content')
  t.equal(fs.readlinkSync(path.join(out, 'link')), 'suid', 'symlink')
  t.end()
})

test('host -> image and image -> image without -a: GNU modes, owned by the caller', (t) => {
  const dst = path.join(dir, 'dst.img')
  h.sparse(dst, 32 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', dst])
  let r = lklCp(['-r', tree, `${dst}:/from-host`])
  checkOmitted(t, r, tree)
  t.deepEqual(imageTree(dst, '/from-host'), expected(), 'host -> image: every entry as GNU cp -r (owner: root, the caller)')
  r = lklCp(['-r', `${img}:/`, `${dst}:/from-image`])
  checkOmitted(t, r, `${img}:`)
  const got = imageTree(dst, '/from-image')
  delete got['lost+found']
  t.deepEqual(got, expected(), 'image -> image: the same')
  // Single files take the native copy path: the same mode rule.
  r = lklCp([`${img}:/suid`, path.join(dir, 'suid-out')])
  t.doesNotMatch(r.stderr, /status/, r.stderr)
  t.equal(fs.statSync(path.join(dir, 'suid-out')).mode & 0o7777, 0o750, 'image -> host file: 04755 under umask 027 gives 0750')
  r = lklCp([path.join(tree, 'all'), `${dst}:/all-in`])
  t.doesNotMatch(r.stderr, /status/, r.stderr)
  t.match(h.must('debugfs', ['-R', 'stat /all-in', dst]).stdout.toString(), /Mode: +0750\b/, 'host -> image file: 07777 gives 0750')
  t.equal(h.debugfsCat(dst, '/from-host/sgid').toString(), 'sgid\n', 'content')
  const fsck = h.fsck('ext4', dst)
  t.ok(fsck.ok, `e2fsck clean${fsck.ok ? '' : ': ' + fsck.output}`)
  t.end()
})

test('-a keeps every mode, owner and special file', (t) => {
  const out = path.join(dir, 'out-archive')
  const r = lklCp(['-a', `${img}:/`, out])
  t.equal(r.stderr, '', 'no message, status 0')
  const got = hostTree(out)
  delete got['lost+found']
  t.deepEqual(got, hostTree(tree), 'image -> host -a: modes with setuid/setgid/sticky, owners, fifo and devices')
  const st = fs.statSync(path.join(out, 'null'))
  t.deepEqual([st.rdev >> 8, st.rdev & 0xff], [1, 3], 'device numbers')
  const dst = path.join(dir, 'dst-a.img')
  h.sparse(dst, 32 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', dst])
  t.equal(lklCp(['-a', tree, `${dst}:/t`]).stderr, '', 'host -> image -a')
  t.deepEqual(imageTree(dst, '/t'), hostTree(tree), 'host -> image -a: everything kept')
  t.ok(h.fsck('ext4', dst).ok, 'e2fsck clean')
  t.end()
})
