// SPDX-License-Identifier: GPL-2.0-only
//
// What a partition's first bytes say, read through any reader (lib/disk
// reads through the kernel's block device, so it works for every kind of
// disk): the filesystem type from its superblock magic (for `type: 'auto'`)
// and the filesystem label (for `partition: { label }`). Partition tables
// are read by the host library (deps/host/disk-info.c: native.diskPartitions
// and native.diskTable), not here.

/** Reads `len` bytes at `pos`; short at the end of the device (zero-filled). */
export type Reader = (pos: number, len: number) => Promise<Buffer>

/** How many bytes detectType() and readLabel() need from the start. */
export const PROBE_BYTES = 0x10000 + 0x12b + 256

/** Detect a filesystem from its first PROBE_BYTES; null if none is recognised. */
export function detectType (b: Buffer): string | null {
  if (b.length < PROBE_BYTES) b = Buffer.concat([b, Buffer.alloc(PROBE_BYTES - b.length)])
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

function cstr (b: Buffer, at: number, len: number, enc: BufferEncoding = 'utf8'): string {
  const s = b.subarray(at, at + len)
  const end = s.indexOf(0)
  return s.subarray(0, end < 0 ? s.length : end).toString(enc)
}

function utf16z (b: Buffer, at: number, chars: number): string {
  let s = ''
  for (let i = 0; i < chars && at + 2 * i + 1 < b.length; i++) {
    const c = b.readUInt16LE(at + 2 * i)
    if (c === 0) break
    s += String.fromCharCode(c)
  }
  return s
}

/**
 * The filesystem label, or '' if it has none (or its type keeps the label
 * where this does not look: ntfs3, hfsplus, udf, squashfs). exFAT keeps it
 * in the root directory, which costs one more read.
 */
export async function readLabel (b: Buffer, type: string, read: Reader): Promise<string> {
  switch (type) {
    case 'ext2': case 'ext3': case 'ext4': return cstr(b, 1024 + 0x78, 16)
    case 'btrfs': return cstr(b, 0x10000 + 0x12b, 256)
    case 'xfs': return cstr(b, 108, 12)
    case 'f2fs': return utf16z(b, 1024 + 0x7c, 512)
    case 'erofs': return cstr(b, 1024 + 64, 16)
    case 'iso9660': return b.toString('latin1', 0x8000 + 40, 0x8000 + 72).trimEnd()
    case 'vfat': {
      const at = b.toString('latin1', 82, 87) === 'FAT32' ? 71 : 43
      const label = b.toString('latin1', at, at + 11).trimEnd()
      return label === 'NO NAME' ? '' : label
    }
    case 'exfat': {
      const sectorShift = b[108]
      const clusterShift = b[109]
      if (sectorShift < 9 || sectorShift > 12 || clusterShift > 25) return ''
      const heap = b.readUInt32LE(88) * 2 ** sectorShift
      const root = heap + (b.readUInt32LE(96) - 2) * 2 ** (sectorShift + clusterShift)
      const dir = await read(root, Math.min(2 ** (sectorShift + clusterShift), 64 * 1024))
      for (let at = 0; at + 32 <= dir.length && dir[at] !== 0; at += 32) {
        if (dir[at] === 0x83) return utf16z(dir, at + 2, Math.min(dir[at + 1], 11))
      }
      return ''
    }
  }
  return ''
}

/** 16 bytes as the usual 8-4-4-4-12 lowercase hex UUID. */
function uuid16 (b: Buffer, at: number): string {
  const h = b.toString('hex', at, at + 16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A FAT/exFAT volume serial (little-endian u32) as blkid shows it: 'ABCD-1234'. */
function serial (b: Buffer, at: number): string {
  const h = b.readUInt32LE(at).toString(16).toUpperCase().padStart(8, '0')
  return `${h.slice(0, 4)}-${h.slice(4)}`
}

/**
 * The filesystem UUID as blkid shows it (vfat, exfat: the volume serial),
 * from the first PROBE_BYTES; '' for types whose UUID this does not read.
 */
export function readUuid (b: Buffer, type: string): string {
  switch (type) {
    case 'ext2': case 'ext3': case 'ext4': return uuid16(b, 1024 + 0x68)
    case 'btrfs': return uuid16(b, 0x10000 + 0x20)
    case 'xfs': return uuid16(b, 32)
    case 'f2fs': return uuid16(b, 1024 + 0x6c)
    case 'erofs': return uuid16(b, 1024 + 48)
    case 'vfat': return serial(b, b.toString('latin1', 82, 87) === 'FAT32' ? 67 : 39)
    case 'exfat': return serial(b, 100)
  }
  return ''
}
