// SPDX-License-Identifier: GPL-2.0-only
// Tree helpers for the stream tests: a Debian rootfs (debootstrap, cached
// under the OS temp dir across test files and runs), the extra metadata the
// round trip must carry, and a comparison of two host trees done with
// node:fs and getfattr only (independent of the code under test).
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const crypto = require('crypto')
const { must, sh } = require('./index')

const CACHE = path.join(os.tmpdir(), 'lkl-debootstrap-cache')
const BASE = path.join(CACHE, 'bookworm-minbase')

// The debootstrap tree, built once (about a minute) and kept in os.tmpdir().
function debianRootfs () {
  if (fs.existsSync(path.join(BASE, 'etc/debian_version'))) return BASE
  fs.mkdirSync(CACHE, { recursive: true })
  const tmp = fs.mkdtempSync(path.join(CACHE, 'build-'))
  must('debootstrap', ['--variant=minbase', 'bookworm', tmp], { stdio: ['ignore', 'ignore', 'pipe'] })
  fs.rmSync(BASE, { recursive: true, force: true })
  fs.renameSync(tmp, BASE)
  return BASE
}

// A copy of the rootfs plus everything GNU tar can carry: xattrs, a file
// capability, ACLs (access + default), a fifo, device nodes, a hardlink,
// ns mtimes, setuid/sticky modes, other owners, unicode and >255-byte paths,
// a dangling symlink.
function decoratedRootfs (dest) {
  must('cp', ['-a', debianRootfs(), dest])
  const p = (rel) => path.join(dest, rel)
  fs.mkdirSync(p('srv/lkl'), { recursive: true })
  fs.writeFileSync(p('srv/lkl/xattr.txt'), 'with xattrs\n')
  must('setfattr', ['-n', 'user.comment', '-v', 'hello world', p('srv/lkl/xattr.txt')])
  must('setfattr', ['-n', 'user.binary', '-v', '0x00ff10', p('srv/lkl/xattr.txt')])
  must('setfattr', ['-n', 'trusted.lkl', '-v', 'trusted value', p('srv/lkl/xattr.txt')])
  fs.copyFileSync('/bin/true', p('srv/lkl/captest'))
  must('setcap', ['cap_net_raw,cap_net_admin+ep', p('srv/lkl/captest')])
  fs.writeFileSync(p('srv/lkl/acl-file'), 'acl\n')
  must('setfacl', ['-m', 'u:1234:rwx,g:5678:r--', p('srv/lkl/acl-file')])
  fs.mkdirSync(p('srv/lkl/acl-dir'))
  must('setfacl', ['-m', 'u:1234:rx', '-d', '-m', 'u:1234:rwx,g:99:rx', p('srv/lkl/acl-dir')])
  must('mkfifo', [p('srv/lkl/fifo')])
  must('mknod', [p('srv/lkl/blockdev'), 'b', '7', '200'])
  must('mknod', [p('srv/lkl/chardev'), 'c', '136', '300'])
  fs.linkSync(p('usr/bin/dash'), p('srv/lkl/dash-hardlink'))
  fs.writeFileSync(p('srv/lkl/owned'), 'owned\n')
  fs.chownSync(p('srv/lkl/owned'), 1234, 5678)
  fs.writeFileSync(p('srv/lkl/setuid'), '#!/bin/sh\n')
  fs.chmodSync(p('srv/lkl/setuid'), 0o4755)
  fs.mkdirSync(p('srv/lkl/sticky'))
  fs.chmodSync(p('srv/lkl/sticky'), 0o1777)
  const uni = p('srv/lkl/ünïcødé/日本語 テキスト.txt')
  fs.mkdirSync(path.dirname(uni), { recursive: true })
  fs.writeFileSync(uni, 'unicode\n')
  let deep = p('srv/lkl/deep')
  for (let i = 0; i < 3; i++) deep = path.join(deep, String(i).repeat(120))
  fs.mkdirSync(deep, { recursive: true })
  fs.writeFileSync(path.join(deep, 'f'.repeat(200)), 'a long path\n')
  fs.symlinkSync('/nonexistent/target', p('srv/lkl/dangling'))
  must('touch', ['-h', '-d', '2021-02-03 04:05:06.123456789', p('srv/lkl/xattr.txt'), p('srv/lkl/dangling')])
  must('touch', ['-d', '1999-12-31 23:59:59.000000001', p('srv/lkl/acl-dir'), p('srv/lkl/deep')])
  return dest
}

function xattrsOf (root) {
  // getfattr -R without following symlinks; hex values; paths relative.
  const r = sh('getfattr', ['-R', '-h', '-d', '-m', '-', '-e', 'hex', '.'], { cwd: root })
  const out = new Map()
  let cur = null
  for (const line of r.stdout.toString().split('\n')) {
    if (line.startsWith('# file: ')) {
      cur = line.slice(8).replace(/^\.\/?/, '') || '.'
      out.set(cur, {})
    } else if (cur && line.includes('=')) {
      const i = line.indexOf('=')
      out.get(cur)[line.slice(0, i)] = line.slice(i + 1)
    }
  }
  return out
}

// { relpath -> description } of a host tree.
function describe (root, opts = {}) {
  const ignore = new Set(opts.ignore || [])
  const xattrs = xattrsOf(root)
  const out = new Map()
  const inodes = new Map()
  const walk = (rel) => {
    const abs = rel === '.' ? root : path.join(root, rel)
    const st = fs.lstatSync(abs, { bigint: true })
    const d = {
      mode: st.mode.toString(8),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: st.mtimeNs.toString()
    }
    if (st.isFile()) {
      d.size = Number(st.size)
      d.sha = crypto.createHash('sha1').update(fs.readFileSync(abs)).digest('hex')
    }
    if (st.isSymbolicLink()) d.link = fs.readlinkSync(abs)
    if (st.isCharacterDevice() || st.isBlockDevice()) d.rdev = st.rdev.toString()
    const x = xattrs.get(rel)
    if (x && Object.keys(x).length) d.xattrs = x
    if (!st.isDirectory() && st.nlink > 1n) {
      const key = st.ino.toString()
      if (!inodes.has(key)) inodes.set(key, [])
      inodes.get(key).push(rel)
    }
    out.set(rel, d)
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        const r = rel === '.' ? name : rel + '/' + name
        if (!ignore.has(r)) walk(r)
      }
    }
  }
  walk('.')
  // Hardlink groups: each member names the first path of its group.
  for (const group of inodes.values()) {
    group.sort()
    for (const rel of group) out.get(rel).linkGroup = group[0]
  }
  return out
}

// Differences between two trees, as readable lines ([] = identical).
function compareTrees (a, b, opts = {}) {
  const da = describe(a, opts)
  const db = describe(b, opts)
  const diffs = []
  for (const [rel, x] of da) {
    const y = db.get(rel)
    if (!y) { diffs.push(`missing: ${rel}`); continue }
    if (opts.skipRootTimes && rel === '.') { delete x.mtime; delete y.mtime }
    const sx = JSON.stringify(x)
    const sy = JSON.stringify(y)
    if (sx !== sy) diffs.push(`differs: ${rel}\n  want ${sx}\n  got  ${sy}`)
  }
  for (const rel of db.keys()) if (!da.has(rel)) diffs.push(`extra: ${rel}`)
  return diffs
}

module.exports = { debianRootfs, decoratedRootfs, describe, compareTrees, CACHE }
