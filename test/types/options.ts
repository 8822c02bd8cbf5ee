// SPDX-License-Identifier: GPL-2.0-only
// Options typed as string-literal unions: filesystem types (the kernel's
// names and the aliases, lib/fstype-aliases.ts), and what must not compile.

import * as lkl from 'lkl'

export async function types (): Promise<void> {
  const img = await lkl.open('disk.img', { type: 'auto', partition: 2 })
  await lkl.open('disk.img', { type: 'ext4', readOnly: true, mountOptions: 'noatime' })
  await lkl.open('disk.img', { type: 'fat32', partition: { label: 'rootfs' } })
  await lkl.open('disk.img', { type: 'ntfs', partition: { partlabel: 'esp' }, badNames: 'skip' })
  const all: lkl.FsType[] = ['ext2', 'ext3', 'ext4', 'vfat', 'exfat', 'btrfs', 'xfs', 'f2fs', 'ntfs3', 'hfsplus', 'iso9660', 'udf', 'squashfs', 'erofs', 'fat', 'fat12', 'fat16', 'msdos']
  for (const type of all) await lkl.open('disk.img', { type })
  const made = await lkl.mkfs('out.img', { type: 'ext4', size: 'auto', usage: new lkl.Usage(), partition: 'gpt' })
  await lkl.open('out.img', { partition: made.partition, mountOptions: made.mountOptions })
  await made.finalize()
  // @ts-expect-error no zfs driver
  await lkl.open('disk.img', { type: 'zfs' })
  // @ts-expect-error 'auto' is open()'s, not mkfs()'s
  await lkl.mkfs('out.img', { type: 'auto' })
  // @ts-expect-error a type is a name
  await lkl.mkfs('out.img', { type: 4 })
  // @ts-expect-error a mistyped name
  await lkl.open('disk.img', { type: 'ext5' })
  // @ts-expect-error badNames is 'error' or 'skip'
  await lkl.open('disk.img', { badNames: 'ignore' })
  await img.close()
}
