// SPDX-License-Identifier: GPL-2.0-only
// Every img.fs function on ext4 (helpers/fs-suite.js), then metadata
// written through the shim read back by an independent tool: debugfs
// (stat, ea_list) on the closed image.
'use strict'
const test = require('tape')
const lkl = require('..')
const h = require('./helpers')
const { suite } = require('./helpers/fs-suite')

const { file } = suite('ext4')

// POSIX ACL in the kernel's xattr format (version 2, 8-byte entries).
const ACL_USER_OBJ = 1
const ACL_USER = 2
const ACL_GROUP_OBJ = 4
const ACL_GROUP = 8
const ACL_MASK = 0x10
const ACL_OTHER = 0x20
const NOID = 0xffffffff
const ACL = [[ACL_USER_OBJ, 7, NOID], [ACL_USER, 6, 1000], [ACL_GROUP_OBJ, 5, NOID], [ACL_GROUP, 4, 2000], [ACL_MASK, 7, NOID], [ACL_OTHER, 1, NOID]]

function aclXattr (ents) {
  const b = Buffer.alloc(4 + 8 * ents.length)
  b.writeUInt32LE(2, 0)
  ents.forEach(([tag, perm, id], i) => { b.writeUInt16LE(tag, 4 + 8 * i); b.writeUInt16LE(perm, 6 + 8 * i); b.writeUInt32LE(id, 8 + 8 * i) })
  return b
}

// The same ACL as ext4 stores it (what debugfs shows): version 1, ids only
// for named users and groups.
function aclExt4 (ents) {
  const parts = [Buffer.from([1, 0, 0, 0])]
  for (const [tag, perm, id] of ents) {
    const e = Buffer.alloc(tag === ACL_USER || tag === ACL_GROUP ? 8 : 4)
    e.writeUInt16LE(tag, 0)
    e.writeUInt16LE(perm, 2)
    if (e.length === 8) e.writeUInt32LE(id, 4)
    parts.push(e)
  }
  return Buffer.concat(parts)
}

// security.capability, VFS_CAP_REVISION_2: cap_net_bind_service (10) +
// cap_net_raw (13), permitted and effective.
const CAP = Buffer.alloc(20)
CAP.writeUInt32LE(0x02000001, 0)
CAP.writeUInt32LE((1 << 10) | (1 << 13), 4)

const LONG_TARGET = 'long/'.repeat(30) + 'target'

function debugfsStat (p) {
  const out = h.must('debugfs', ['-R', `stat ${p}`, file]).stdout.toString()
  const num = (re) => { const m = out.match(re); return m ? m[1] : undefined }
  const time = (name) => {
    const m = out.match(new RegExp(`^\\s*${name}: 0x([0-9a-f]+):([0-9a-f]+)`, 'm'))
    if (!m) return undefined
    const extra = parseInt(m[2], 16)
    // Low 2 bits of the extra field extend the seconds (epoch bits).
    const sec = BigInt(parseInt(m[1], 16) | 0) + BigInt(extra & 3) * (1n << 32n)
    return sec * 1000000000n + BigInt(extra >>> 2)
  }
  return {
    type: num(/Type: (\S+( special)?)/),
    mode: parseInt(num(/Mode:\s+(\d+)/), 8),
    uid: Number(num(/User:\s+(\d+)/)),
    gid: Number(num(/Group:\s+(\d+)/)),
    links: Number(num(/Links: (\d+)/)),
    size: Number(num(/Size: (\d+)/)),
    atime: time('atime'),
    mtime: time('mtime'),
    device: num(/Device major\/minor number: (\S+)/),
    fastLink: num(/Fast link dest: "(.*)"/),
    inode: Number(num(/Inode: (\d+)/))
  }
}

function debugfsXattrs (p) {
  const out = h.must('debugfs', ['-R', `ea_list ${p}`, file]).stdout.toString()
  const res = {}
  for (const line of out.split('\n')) {
    const m = line.match(/^\s+(\S+) \((\d+)\)(?: = (.*?))?\s*$/)
    if (!m) continue
    const v = m[3] || ''
    res[m[1]] = v.startsWith('"') ? Buffer.from(v.slice(1, -1)) : Buffer.from(v.replace(/\s+/g, ''), 'hex')
  }
  return res
}

test('ext4: metadata written through the shim, read back by debugfs', async (t) => {
  const img = await lkl.open(file, { type: 'ext4' })
  const p = img.fs.promises
  const C = img.fs.constants
  await p.mkdir('/meta')
  await p.writeFile('/meta/suid', 'binary')
  await p.chown('/meta/suid', 1234, 5678)
  await p.chmod('/meta/suid', 0o4755)
  await p.utimes('/meta/suid', 1600000000123456789n, 1500000000987654321n)
  await p.setxattr('/meta/suid', 'security.capability', CAP)
  await p.setxattr('/meta/suid', 'user.comment', 'hello xattr')
  await p.writeFile('/meta/acl', '')
  await p.setxattr('/meta/acl', 'system.posix_acl_access', aclXattr(ACL))
  await p.mkdir('/meta/sticky')
  await p.chmod('/meta/sticky', 0o1777)
  await p.chmod('/meta', 0o2775)
  await p.link('/meta/suid', '/meta/hard')
  await p.symlink('suid', '/meta/fast')
  await p.symlink(LONG_TARGET, '/meta/slow')
  await p.lchown('/meta/fast', 42, 43)
  await p.mknod('/meta/tty', C.S_IFCHR | 0o620, 4 * 256 + 1)
  await p.chmod('/meta/tty', 0o620)
  await p.mknod('/meta/sda1', C.S_IFBLK | 0o660, 8 * 256 + 1)
  await p.mknod('/meta/fifo', C.S_IFIFO | 0o600)
  await p.mknod('/meta/sock', C.S_IFSOCK | 0o755)
  await p.utimes('/meta/fifo', -0n, 2n ** 33n + 5n)
  t.ok((await p.getxattr('/meta/acl', 'system.posix_acl_access')).equals(aclXattr(ACL)), 'the ACL reads back through the shim')
  t.equal((await p.stat('/meta/acl')).mode & 0o777, 0o771, 'the ACL set the mode (owner 7, mask 7 -> group, other 1)')
  await img.close()

  const suid = debugfsStat('/meta/suid')
  t.deepEqual([suid.type, suid.mode, suid.uid, suid.gid, suid.links, suid.size], ['regular', 0o4755, 1234, 5678, 2, 6], 'setuid file: mode, owner, links, size')
  t.equal(suid.atime, 1600000000123456789n, 'atime to the nanosecond')
  t.equal(suid.mtime, 1500000000987654321n, 'mtime to the nanosecond')
  const xs = debugfsXattrs('/meta/suid')
  t.ok(xs['security.capability'] && xs['security.capability'].equals(CAP), 'security.capability')
  t.equal(xs['user.comment'] && xs['user.comment'].toString(), 'hello xattr', 'user.comment')
  const acl = debugfsXattrs('/meta/acl')['system.posix_acl_access']
  t.ok(acl && acl.equals(aclExt4(ACL)), 'system.posix_acl_access (ext4 stores its own compact format)')
  t.equal(debugfsStat('/meta/acl').mode, 0o771, 'mode from the ACL')
  t.equal(debugfsStat('/meta/sticky').mode, 0o1777, 'sticky directory')
  t.equal(debugfsStat('/meta').mode, 0o2775, 'setgid directory')
  t.equal(debugfsStat('/meta/hard').inode, suid.inode, 'hard link: the same inode')
  const fast = debugfsStat('/meta/fast')
  t.deepEqual([fast.type, fast.fastLink, fast.uid, fast.gid], ['symlink', 'suid', 42, 43], 'fast symlink and its owner (lchown)')
  t.equal(debugfsStat('/meta/slow').size, LONG_TARGET.length, 'slow symlink size')
  t.equal(h.debugfsCat(file, '/meta/slow').toString(), LONG_TARGET, 'slow symlink target')
  const tty = debugfsStat('/meta/tty')
  t.deepEqual([tty.type, tty.mode, tty.device], ['character special', 0o620, '04:01'], 'char device 4:1')
  const sda = debugfsStat('/meta/sda1')
  t.deepEqual([sda.type, sda.mode, sda.device], ['block special', 0o640, '08:01'], 'block device 8:1 (mode through the umask)')
  const fifo = debugfsStat('/meta/fifo')
  t.deepEqual([fifo.type, fifo.mode], ['FIFO', 0o600], 'fifo')
  t.equal(fifo.mtime, 2n ** 33n + 5n, 'a time past 2038 (epoch bits)')
  t.equal(fifo.atime, 0n, 'the epoch')
  t.deepEqual([debugfsStat('/meta/sock').type, debugfsStat('/meta/sock').mode], ['socket', 0o755], 'socket')
  t.ok(h.fsck('ext4', file).ok, 'e2fsck clean')
})
