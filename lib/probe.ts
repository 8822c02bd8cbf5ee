// SPDX-License-Identifier: GPL-2.0-only
//
// Reading the host file directly (not through the kernel): find where a
// partition starts (MBR incl. logical partitions, GPT) and detect the
// filesystem type from its superblock magic, for `type: 'auto'`.
// Partition numbers follow the kernel's: GPT entry i is partition i + 1,
// MBR primaries are 1-4 by slot, logical partitions start at 5.

import type { FileHandle } from 'fs/promises'

const SECTOR = 512

async function readAt (fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len)
  let done = 0
  while (done < len) {
    const { bytesRead } = await fh.read(buf, done, len - done, pos + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return buf
}

interface Extent { start: number, size: number }

const EXTENDED = new Set([0x05, 0x0f, 0x85])

async function gptPartitions (fh: FileHandle): Promise<Map<number, Extent> | null> {
  const hdr = await readAt(fh, SECTOR, SECTOR)
  if (hdr.toString('latin1', 0, 8) !== 'EFI PART') return null
  const entriesLba = Number(hdr.readBigUInt64LE(72))
  const count = Math.min(hdr.readUInt32LE(80), 1024)
  const entSize = hdr.readUInt32LE(84)
  if (entSize < 128) return null
  const table = await readAt(fh, entriesLba * SECTOR, count * entSize)
  const parts = new Map<number, Extent>()
  for (let i = 0; i < count; i++) {
    const e = table.subarray(i * entSize, (i + 1) * entSize)
    if (e.subarray(0, 16).every((b) => b === 0)) continue
    const first = Number(e.readBigUInt64LE(32))
    const last = Number(e.readBigUInt64LE(40))
    parts.set(i + 1, { start: first * SECTOR, size: (last - first + 1) * SECTOR })
  }
  return parts
}

async function mbrPartitions (fh: FileHandle, mbr: Buffer): Promise<Map<number, Extent>> {
  const parts = new Map<number, Extent>()
  let extended: Extent | null = null
  for (let i = 0; i < 4; i++) {
    const e = mbr.subarray(446 + i * 16, 446 + (i + 1) * 16)
    const type = e[4]
    const start = e.readUInt32LE(8) * SECTOR
    const size = e.readUInt32LE(12) * SECTOR
    if (type === 0 || size === 0) continue
    if (EXTENDED.has(type)) extended = { start, size }
    else parts.set(i + 1, { start, size })
  }
  // Logical partitions: a chain of EBRs inside the extended partition.
  let n = 5
  let ebr = extended ? extended.start : -1
  for (let guard = 0; extended && ebr >= 0 && guard < 128; guard++) {
    const b = await readAt(fh, ebr, SECTOR)
    if (b[510] !== 0x55 || b[511] !== 0xaa) break
    const size = b.readUInt32LE(446 + 12) * SECTOR
    if (b[446 + 4] !== 0 && size > 0) parts.set(n++, { start: ebr + b.readUInt32LE(446 + 8) * SECTOR, size })
    const next = b.readUInt32LE(462 + 8)
    ebr = b[462 + 4] !== 0 && next > 0 ? extended.start + next * SECTOR : -1
  }
  return parts
}

/** Byte offset of partition `n` (0 = whole disk), or -1 if there is none. */
export async function partitionOffset (fh: FileHandle, n: number): Promise<number> {
  if (n === 0) return 0
  const mbr = await readAt(fh, 0, SECTOR)
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return -1
  const protective = [0, 1, 2, 3].some((i) => mbr[446 + i * 16 + 4] === 0xee)
  const parts = (protective ? await gptPartitions(fh) : null) ?? await mbrPartitions(fh, mbr)
  return parts.get(n)?.start ?? -1
}

const PROBE_BYTES = 0x10040 + 64

/** Detect a filesystem from its first bytes; null if none is recognised. */
export function detectType (b: Buffer): string | null {
  const str = (at: number, len: number): string => b.toString('latin1', at, at + len)
  if (str(0x10040, 8) === '_BHRfS_M') return 'btrfs'
  if (str(0, 4) === 'XFSB') return 'xfs'
  if (str(0, 4) === 'hsqs') return 'squashfs'
  if (b.readUInt32LE(1024) === 0xf2f52010) return 'f2fs'
  if (b.readUInt32LE(1024) === 0xe0f5e1e2) return 'erofs'
  if (b.readUInt16LE(1024 + 56) === 0xef53) {
    const compat = b.readUInt32LE(1024 + 92)
    const incompat = b.readUInt32LE(1024 + 96)
    const roCompat = b.readUInt32LE(1024 + 100)
    // extents, 64bit, flex_bg, mmp, ... or ro features ext2/3 lack -> ext4
    if ((incompat & ~0x0006) !== 0 || (roCompat & ~0x0007) !== 0) return 'ext4'
    return (compat & 0x4) !== 0 ? 'ext3' : 'ext2'
  }
  if (str(1024, 2) === 'H+' || str(1024, 2) === 'HX') return 'hfsplus'
  if (str(0x8001, 5) === 'CD001') return 'iso9660'
  if (['BEA01', 'NSR02', 'NSR03'].includes(str(0x8001, 5)) || str(0x8801, 5) === 'NSR02' || str(0x8801, 5) === 'NSR03') return 'udf'
  if (str(3, 8) === 'EXFAT   ') return 'exfat'
  if (str(3, 8) === 'NTFS    ') return 'ntfs3'
  if (b[510] === 0x55 && b[511] === 0xaa && (str(54, 3) === 'FAT' || str(82, 5) === 'FAT32')) return 'vfat'
  return null
}

/** Detect the filesystem of partition `n` of an open host file. */
export async function probe (fh: FileHandle, n: number): Promise<{ offset: number, type: string | null }> {
  const offset = await partitionOffset(fh, n)
  if (offset < 0) return { offset, type: null }
  return { offset, type: detectType(await readAt(fh, offset, PROBE_BYTES)) }
}
