// SPDX-License-Identifier: GPL-2.0-only
//
// Other names users write for a filesystem type, and the kernel driver's
// name each stands for. open() and mkfs() (and the CLI's --type) read the
// same table; the FAT names all mean the vfat driver, which mounts FAT12/16/32
// alike (mkfs.fat picks the FAT width from the image size).

// The filesystem drivers our kernel is built with (deps/config/lkl.config),
// by the kernel's names: what open({ type }) mounts, and the types'
// source of truth (mkfs makes a subset: lib/mkfs/tools.ts).
export const FS_TYPES = ['ext4', 'ext2', 'ext3', 'vfat', 'exfat', 'btrfs', 'xfs', 'f2fs', 'ntfs3', 'hfsplus', 'iso9660', 'udf', 'squashfs', 'erofs'] as const

const ALIASES = {
  fat: 'vfat',
  fat12: 'vfat',
  fat16: 'vfat',
  fat32: 'vfat',
  msdos: 'vfat',
  ntfs: 'ntfs3'
} as const satisfies Readonly<Record<string, typeof FS_TYPES[number]>>

/** A filesystem type name: the kernel's, or an alias ('fat32', 'ntfs'). */
export type FsType = typeof FS_TYPES[number] | keyof typeof ALIASES

/** The kernel's name for a filesystem type ('fat32' -> 'vfat'); other names unchanged. */
export function canonicalFsType (type: string): string {
  return Object.prototype.hasOwnProperty.call(ALIASES, type) ? ALIASES[type as keyof typeof ALIASES] : type
}

/**
 * A type name from outside TypeScript (the CLI's --type, node-lkl 1.x's
 * mount()): any string, checked by open() and mkfs() at run time as ever.
 */
export function untypedFsType (name: string): FsType {
  return name as FsType
}
