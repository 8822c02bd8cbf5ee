// SPDX-License-Identifier: GPL-2.0-only
// Every img.fs function that vfat can support (no modes, owners, links,
// device nodes or xattrs: those fail with the kernel's errors).
'use strict'
const test = require('tape')
const { suite, code } = require('./helpers/fs-suite')
const lkl = require('..')

const { file } = suite('vfat', { posix: false, birthtime: false })

test('vfat: what FAT cannot store fails like the kernel says', async (t) => {
  const img = await lkl.open(file, { type: 'vfat' })
  const p = img.fs.promises
  await p.writeFile('/a', 'a')
  t.equal(await code(p.symlink('a', '/l')), 'EPERM', 'symlink')
  t.equal(await code(p.link('/a', '/b')), 'EPERM', 'link')
  t.equal(await code(p.mknod('/f', img.fs.constants.S_IFIFO | 0o644)), 'EPERM', 'mknod')
  t.equal(await code(p.setxattr('/a', 'user.x', 'y')), 'ENOTSUP', 'setxattr (errno 95, named like node:fs)')
  await img.close()
})
