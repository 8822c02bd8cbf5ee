// SPDX-License-Identifier: GPL-2.0-only
//
// Other names users write for a filesystem type, and the kernel driver's
// name each stands for. open() and mkfs() (and the CLI's --type) read the
// same table; the FAT names all mean the vfat driver, which mounts FAT12/16/32
// alike (mkfs.fat picks the FAT width from the image size).

const ALIASES: Readonly<Record<string, string>> = {
  fat: 'vfat',
  fat12: 'vfat',
  fat16: 'vfat',
  fat32: 'vfat',
  msdos: 'vfat',
  ntfs: 'ntfs3'
}

/** The kernel's name for a filesystem type ('fat32' -> 'vfat'); other names unchanged. */
export function canonicalFsType (type: string): string {
  return Object.prototype.hasOwnProperty.call(ALIASES, type) ? ALIASES[type] : type
}
