// SPDX-License-Identifier: GPL-2.0-only
// The anchors the host kernel and e2fsprogs run: each is one `sh -c` so the
// whole job (mkfs, loop mount, GNU tar, umount) is one timed process. Needs
// root for mount -o loop.
'use strict'

const { mkfsArgv } = require('./mkfs')
const TAR = require('./gnu-tar')

const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`
const line = (argv) => argv.map(q).join(' ')
const sh = (script) => ['sh', '-c', 'set -e\n' + script]

// tar -> image: fresh image + mkfs + loop mount + tar -x + umount.
function unpack (type, img, tar, mnt, size) {
  return sh([
    `rm -f ${q(img)}; truncate -s ${size} ${q(img)}`,
    line([...mkfsArgv(type), img]),
    `mount -o loop ${q(img)} ${q(mnt)}`,
    `tar ${line(TAR.EXTRACT)} -C ${q(mnt)} -xf ${q(tar)} || { umount ${q(mnt)}; exit 1; }`,
    `umount ${q(mnt)}`
  ].join('\n'))
}

// image -> tar, job level: mount -o loop,ro + tar -cf - + umount.
function pack (img, out, mnt) {
  return sh([
    `mount -o loop,ro ${q(img)} ${q(mnt)}`,
    `tar ${line(TAR.CREATE)} --exclude=./lost+found -C ${q(mnt)} -cf - . > ${q(out)} || { umount ${q(mnt)}; exit 1; }`,
    `umount ${q(mnt)}`
  ].join('\n'))
}

// image -> tar from a filesystem that stays mounted between runs.
function packMounted (mnt, out) {
  return ['tar', ...TAR.CREATE, '--exclude=./lost+found', '-C', mnt, '-cf', out, '.']
}

// tar -> ext4 the e2fsprogs way: extract to a directory, mke2fs -d it.
function mke2fsD (img, tar, dir, size) {
  return sh([
    `rm -rf ${q(dir)}; mkdir ${q(dir)}`,
    `tar ${line(TAR.EXTRACT)} -C ${q(dir)} -xf ${q(tar)}`,
    `rm -f ${q(img)}; truncate -s ${size} ${q(img)}`,
    `mke2fs -q -F -t ext4 -d ${q(dir)} ${q(img)}`,
    `rm -rf ${q(dir)}`
  ].join('\n'))
}

// Start-up anchor: mount, read one file, umount.
function start (img, file, mnt) {
  return sh([
    `mount -o loop,ro ${q(img)} ${q(mnt)}`,
    `cat ${q(mnt + file)} > /dev/null`,
    `umount ${q(mnt)}`
  ].join('\n'))
}

module.exports = { unpack, pack, packMounted, mke2fsD, start }
