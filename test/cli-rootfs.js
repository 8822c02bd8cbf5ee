// SPDX-License-Identifier: GPL-2.0-only
// The acceptance path of `lkl create`, on the debootstrap rootfs that the
// tests share through a cache in os.tmpdir(): GNU tar
// (--xattrs --acls) -> `lkl create --size auto` for ext4, btrfs, xfs ->
// checker clean -> the host kernel mounts it with every file and attribute
// (when this process may loop-mount) -> `lkl pack | tar -x` gives the tree
// back. vfat: names, contents and times of a tree it can hold.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const h = require('./helpers')
const { sh } = require('./helpers/cli')
const tree = require('./helpers/tree')

// Builds the debootstrap rootfs into the shared cache if no test has yet.
tree.debianRootfs()
const TAR_X = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '--same-owner', '-p']
const IGNORE = { ext4: ['lost+found'], btrfs: [], xfs: [] }

{
  const dir = h.tmpdir('lkl-cli-rootfs')
  const src = path.join(dir, 'src')
  const srcTar = path.join(dir, 'rootfs.tar')
  const mnt = path.join(dir, 'mnt')
  fs.mkdirSync(mnt)

  // Loop-mount with the host kernel, or null if this process may not.
  function hostMount (img) {
    const r = h.sh('mount', ['-o', 'loop,ro', img, mnt])
    return r.status === 0 ? mnt : null
  }

  function sameButSgiAcl (diff) {
    const m = /\n {2}want (.*)\n {2}got {2}(.*)$/s.exec(diff)
    if (!m) return false
    const got = m[2].replace(/,"trusted\.SGI_ACL_(FILE|DEFAULT)":"0x[0-9a-f]+"/g, '')
    return got === m[1]
  }

  test('setup: decorated rootfs, packed by GNU tar', (t) => {
    tree.decoratedRootfs(src)
    h.must('tar', ['--xattrs', '--xattrs-include=*', '--acls', '--format=posix', '--numeric-owner', '-C', src, '-cf', srcTar, '.'])
    t.ok(fs.statSync(srcTar).size > 100 * h.MB)
    t.end()
  })

  for (const type of ['ext4', 'btrfs', 'xfs']) {
    test(`lkl create --type ${type} --size auto --from rootfs.tar`, (t) => {
      const img = path.join(dir, `${type}.img`)
      let r = sh(`lkl create '${img}' --type ${type} --size auto --from '${srcTar}'`)
      t.equal(r.status, 0, r.stderr)
      const check = h.fsck(type, img)
      t.ok(check.ok, `${type} checker clean` + (check.ok ? '' : ': ' + check.output.slice(0, 2000)))
      r = sh(`lkl pack '${img}' | tar -t | wc -l`)
      t.equal(r.status, 0, r.stderr)
      const srcCount = Number(h.must('sh', ['-c', `tar -tf '${srcTar}' | wc -l`]).stdout.toString())
      t.equal(Number(r.stdout.toString()) - IGNORE[type].length, srcCount, '`lkl pack | tar -t` lists every entry')
      const out = path.join(dir, `${type}-out`)
      fs.mkdirSync(out)
      r = sh(`lkl pack '${img}' | tar ${TAR_X.map((a) => `'${a}'`).join(' ')} -C '${out}' -x`)
      t.equal(r.status, 0, r.stderr)
      const diffs = tree.compareTrees(src, out, { ignore: IGNORE[type] })
      t.deepEqual(diffs.slice(0, 10), [], 'lkl pack gives the tree back')
      const m = hostMount(img)
      if (m) {
        try {
          // XFS on the host also lists its on-disk ACL names (trusted.SGI_ACL_*).
          const d = tree.compareTrees(src, m, { ignore: IGNORE[type] }).filter((x) => !sameButSgiAcl(x))
          t.deepEqual(d.slice(0, 10), [], 'the host kernel sees every file and attribute')
        } finally {
          h.sh('umount', [m])
        }
      } else {
        t.comment('loop mount not permitted here: host-kernel check skipped')
      }
      t.end()
    })
  }

  test('vfat: names, contents and times', (t) => {
    const doc = path.join(src, 'usr/share/doc')
    const plain = path.join(dir, 'vfat-src.tar')
    // What vfat can hold: regular files and directories.
    h.must('sh', ['-c', `cd '${doc}' && find . -type f -o -type d | sort | tar --no-recursion -cf '${plain}' -T -`])
    const img = path.join(dir, 'vfat.img')
    let r = sh(`lkl create '${img}' --type vfat --from '${plain}'`)
    t.equal(r.status, 0, r.stderr)
    t.ok(h.fsck('vfat', img).ok, 'fsck.fat clean')
    const out = path.join(dir, 'vfat-out')
    fs.mkdirSync(out)
    r = sh(`lkl pack '${img}' | tar -C '${out}' -x`)
    t.equal(r.status, 0, r.stderr)
    const names = h.must('tar', ['-tf', plain]).stdout.toString().trim().split('\n')
    let bad = 0
    for (const n of names) {
      const a = fs.statSync(path.join(doc, n))
      const b = fs.statSync(path.join(out, n))
      if (a.isFile() && !fs.readFileSync(path.join(doc, n)).equals(fs.readFileSync(path.join(out, n)))) bad++
      // FAT keeps mtimes to 2 s.
      if (a.isFile() && Math.abs(a.mtimeMs - b.mtimeMs) > 2000) bad++
    }
    t.equal(bad, 0, `${names.length} names, contents and mtimes kept`)
    t.end()
  })
}
