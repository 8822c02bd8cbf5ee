#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# npm's pretest: the tests make images with the real mkfs tools and check
# writes with the real fsck tools. Installs what is missing with apt when
# running as root, else stops before any test with one message naming the
# Debian packages.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../deps/scripts/need-packages.sh"

# tool:Debian package, for every external command a test runs
need_packages "npm test" \
	mke2fs:e2fsprogs e2fsck:e2fsprogs debugfs:e2fsprogs tune2fs:e2fsprogs \
	mkfs.vfat:dosfstools fsck.fat:dosfstools \
	mcopy:mtools mdir:mtools mtype:mtools \
	mkfs.btrfs:btrfs-progs btrfs:btrfs-progs \
	mkfs.xfs:xfsprogs xfs_repair:xfsprogs xfs_db:xfsprogs \
	mkfs.f2fs:f2fs-tools fsck.f2fs:f2fs-tools \
	mkfs.exfat:exfatprogs fsck.exfat:exfatprogs \
	sfdisk:fdisk blkid:util-linux mount:mount script:bsdutils \
	setfacl:acl setfattr:attr getfattr:attr setcap:libcap2-bin \
	bsdtar:libarchive-tools zstd:zstd xz:xz-utils gzip:gzip tar:tar \
	debootstrap:debootstrap gcc:build-essential make:build-essential \
	mkfs.erofs:erofs-utils mksquashfs:squashfs-tools xorriso:xorriso mkudffs:udftools \
	mkntfs:ntfs-3g ntfscp:ntfs-3g flock:util-linux dumpe2fs:e2fsprogs \
	umoci:umoci skopeo:skopeo
