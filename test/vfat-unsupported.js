// SPDX-License-Identifier: GPL-2.0-only
// vfat and exfat cannot hold owners, setuid/setgid/sticky bits, xattrs,
// symlinks, hardlinks or device nodes. From a rootfs-like tar: `lkl create`
// fails naming the first entry it cannot hold (a symlink); with
// --skip-unsupported it stores the rest and prints one summary warning with
// counts per kind. The library's writer.dropped has the same counts.
// fsck.fat -n / fsck.exfat -n clean; vfat content read with mtools.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const lkl = require('..')
const h = require('./helpers')
const { lkl: cli } = require('./helpers/cli')

const dir = h.tmpdir('lkl-fat-unsupported')
const MTIME = 1700000000n * 1000000000n
const BUSYBOX = h.pattern(70000, 3)

// Entries in tar order; the first one FAT cannot hold is bin/sh.
const E = (p, type, mode, more = {}) => ({ path: p, type, mode, uid: 0, gid: 0, size: 0, mtime: MTIME, ...more })
const F = (p, mode, data, more = {}) => E(p, 'file', mode, { size: data.length, content: Readable.from([data]), ...more })
function rootfs () {
  return [
    E('.', 'directory', 0o755),
    E('bin', 'directory', 0o755),
    F('bin/busybox', 0o755, BUSYBOX),
    E('bin/sh', 'symlink', 0o777, { linkname: 'busybox' }),
    E('dev', 'directory', 0o755),
    E('dev/initctl', 'fifo', 0o600),
    E('dev/null', 'char', 0o666, { devmajor: 1, devminor: 3 }),
    E('dev/sda', 'block', 0o660, { devmajor: 8, devminor: 0, gid: 6 }),
    E('etc', 'directory', 0o755),
    F('etc/motd', 0o444, Buffer.from('read only\n')),
    E('home', 'directory', 0o755),
    E('home/user', 'directory', 0o700, { uid: 1000, gid: 1000 }),
    F('home/user/notes.txt', 0o640, Buffer.from('notes\n'), { uid: 1000, gid: 1000, xattrs: { 'user.tag': Buffer.from('x') } }),
    E('tmp', 'directory', 0o1777),
    E('usr', 'directory', 0o755),
    E('usr/bin', 'directory', 0o755),
    F('usr/bin/su', 0o4755, Buffer.from('su\n')),
    E('usr/bin/su-link', 'hardlink', 0o4755, { linkname: 'usr/bin/su' }),
    F('usr/bin/wall', 0o2755, Buffer.from('wall\n'), { gid: 5 })
  ]
}
const DROPPED = { owners: 3, setuid: 1, setgid: 1, sticky: 1, xattrs: 1, symlink: 1, hardlink: 1, char: 1, block: 1, fifo: 1 }
const SUMMARY = 'cannot hold: owners (3), setuid bits (1), setgid bits (1), sticky bits (1), xattrs (1), symlinks (1, skipped), hardlinks (1, skipped), character devices (1, skipped), block devices (1, skipped), fifos (1, skipped)'

const tar = path.join(dir, 'rootfs.tar')
test('the rootfs tar (GNU tar reads it back)', async (t) => {
  await pipeline(Readable.from(rootfs(), { objectMode: true }), lkl.tarPack(), fs.createWriteStream(tar))
  const list = h.must('tar', ['-tvf', tar]).stdout.toString()
  t.match(list, /^drwxrwxrwt .* \.\/tmp\/?$|^drwxrwxrwt .* tmp\/?$/m, 'a 1777 tmp')
  t.match(list, /^-rwsr-xr-x .*usr\/bin\/su$/m, 'a setuid file')
  t.match(list, /^lrwxrwxrwx .*bin\/sh -> busybox$/m, 'a symlink')
  t.match(list, /^crw-rw-rw- .* 1,3 .*dev\/null$/m, 'a device')
  t.match(list, /^-rw-r----- 1000\/1000 .*notes\.txt$/m, 'owners 1000:1000')
  t.end()
})

for (const type of ['vfat', 'exfat']) {
  test(`${type}: create fails naming the symlink; --skip-unsupported stores the rest with one warning`, (t) => {
    const img = path.join(dir, `${type}.img`)
    let r = cli(['create', img, '--type', type, '--from', tar])
    t.equal(r.status, 1, 'fails')
    t.equal(r.stderr, `lkl create: ${img}: ${type} cannot hold symlinks: 'bin/sh'\n`, 'naming the entry and the filesystem')
    t.notOk(fs.existsSync(img), 'no image left behind')

    r = cli(['create', img, '--type', type, '--from', tar, '--skip-unsupported'])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stderr, `lkl create: warning: ${img}: ${type} ${SUMMARY}\n`, 'one summary warning, counts per kind')
    const fsck = h.fsck(type, img)
    t.ok(fsck.ok, `fsck clean${fsck.ok ? '' : ': ' + fsck.output}`)
    const ls = cli(['ls', '-R', `${img}:/`]).stdout.toString()
    t.doesNotMatch(ls, /\bsh\b|initctl|null|sda|su-link/, 'no skipped entry in the image')
    t.ok(cli(['cat', `${img}:/bin/busybox`]).stdout.equals(BUSYBOX), 'content through lkl')
    t.match(cli(['ls', '-l', `${img}:/etc/motd`]).stdout.toString(), /^-r-xr-xr-x /, 'a file without write bits is read-only')
    t.match(cli(['ls', '-l', `${img}:/usr/bin/su`]).stdout.toString(), /^-rwxr-xr-x /, 'no setuid bit')
    if (type === 'vfat') {
      t.ok(h.must('mtype', ['-i', img, '::/bin/busybox']).stdout.equals(BUSYBOX), 'mtype: busybox byte-exact')
      t.equal(h.must('mtype', ['-i', img, '::/home/user/notes.txt']).stdout.toString(), 'notes\n', 'mtype: notes')
      t.match(h.must('mattrib', ['-i', img, '::/etc/motd']).stdout.toString(), /^ *A? *R +::\/etc\/motd/m, 'mattrib: motd has the read-only attribute')
      t.doesNotMatch(h.must('mattrib', ['-i', img, '::/usr/bin/su']).stdout.toString(), /R +::/, 'mattrib: su is writable')
      const names = h.must('mdir', ['-b', '-i', img, '::/dev']).stdout.toString().trim()
      t.equal(names, '', 'mdir: /dev is empty')
    }
    t.end()
  })
}

test('the library: ERR_LKL_UNSUPPORTED_ENTRY, or unsupported: "skip" and writer.dropped', async (t) => {
  const img = path.join(dir, 'lib.img')
  h.sparse(img, 32 * h.MB)
  h.must('mkfs.vfat', [img])
  const fat = await lkl.open(img)
  let err = null
  try {
    await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), fat.writer('/a'))
  } catch (e) {
    err = e
  }
  t.ok(err instanceof lkl.LklError, 'an LklError')
  t.equal(err && err.code, 'ERR_LKL_UNSUPPORTED_ENTRY', err && err.message)
  t.equal(err && err.path, 'bin/sh', 'path: the entry')
  t.equal(err && err.message, "vfat cannot hold symlinks: 'bin/sh'")
  const w = fat.writer('/b', { unsupported: 'skip' })
  await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), w)
  t.deepEqual(w.dropped, DROPPED, 'writer.dropped counts per kind')
  t.equal(lkl.describeDropped(fat.type, w.dropped), `vfat ${SUMMARY}`, 'describeDropped: the CLI\'s line')
  t.equal((await fat.fs.promises.readFile('/b/usr/bin/wall', 'utf8')), 'wall\n')
  t.throws(() => fat.writer('/c', { unsupported: 'ignore' }), /unsupported/, 'a bad option value')
  await fat.close()
  t.ok(h.fsck('vfat', img).ok, 'fsck.fat clean')
  t.ok(h.must('mtype', ['-i', img, '::/b/bin/busybox']).stdout.equals(BUSYBOX), 'mtype reads what the writer wrote')
  t.deepEqual(lkl.fsCapabilities('ext4').types.has('symlink'), true, 'ext4 holds symlinks')
  t.end()
})

test('unpack and cp into vfat: the same policy', (t) => {
  const img = path.join(dir, 'cp.img')
  t.equal(cli(['create', img, '--type', 'vfat', '--size', '32M']).status, 0)
  let r = cli(['unpack', `${img}:/u`, tar])
  t.equal(r.status, 1)
  t.match(r.stderr, /vfat cannot hold symlinks: 'bin\/sh'/, 'unpack names the entry')
  r = cli(['unpack', '--skip-unsupported', `${img}:/u`, tar])
  t.equal(r.status, 0, r.stderr)
  t.equal(r.stderr, `lkl unpack: warning: ${img}: vfat ${SUMMARY}\n`, 'unpack: one warning')
  // cp -r without -a: the caller's owner and GNU modes (sticky kept on
  // directories, which FAT cannot hold); the symlink needs the flag.
  const src = path.join(dir, 'host')
  fs.mkdirSync(path.join(src, 'tmp'), { recursive: true })
  fs.chmodSync(path.join(src, 'tmp'), 0o1777)
  fs.writeFileSync(path.join(src, 'file.txt'), 'file\n')
  fs.symlinkSync('file.txt', path.join(src, 'link'))
  r = cli(['cp', '-r', src, `${img}:/c`])
  t.equal(r.status, 1)
  t.match(r.stderr, /vfat cannot hold symlinks: 'c\/link'/, 'cp names the entry')
  r = cli(['cp', '-r', '--skip-unsupported', src, `${img}:/c`])
  t.equal(r.status, 0, r.stderr)
  t.equal(r.stderr, `lkl cp: warning: ${img}: vfat cannot hold: sticky bits (1), symlinks (1, skipped)\n`, 'cp: one warning')
  t.ok(h.fsck('vfat', img).ok, 'fsck.fat clean')
  t.equal(h.must('mtype', ['-i', img, '::/c/file.txt']).stdout.toString(), 'file\n', 'mtype: the copy')
  t.end()
})
