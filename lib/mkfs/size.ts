// SPDX-License-Identifier: GPL-2.0-only
//
// Sizing an image from its content (`size: 'auto'`): count what a tree
// holds (Usage), then add each filesystem's own overhead. The formulas
// were fitted to measurements (docs/cli.md) and err on the large side.

const K4 = 4096
const MiB = 1024 * 1024

/** What a tree holds, counted from its entries. */
export class Usage {
  files = 0
  dirs = 0
  symlinks = 0
  hardlinks = 0
  other = 0
  /** Bytes of file content. */
  bytes = 0
  /** File content rounded up to 4 KiB blocks, in blocks. */
  blocks = 0
  /** Files of 1..2048 bytes (inline candidates on btrfs). */
  smallFiles = 0
  smallBytes = 0
  /** Bytes of all names (last path components). */
  nameBytes = 0
  /** Bytes of symlink targets longer than 60 (they need a block on ext4). */
  longLinks = 0
  /** Bytes of extended attributes (names and values). */
  xattrBytes = 0
  /** Entries with any xattr. */
  xattrEntries = 0

  get entries (): number {
    return this.files + this.dirs + this.symlinks + this.hardlinks + this.other
  }

  /** Count one entry ({ type, path, size, linkname, xattrs } as in the Entry model). */
  add (e: { type: string, path: string, size?: number, linkname?: string, xattrs?: Record<string, Uint8Array> }): void {
    const name = e.path.slice(e.path.lastIndexOf('/') + 1)
    this.nameBytes += Buffer.byteLength(name)
    const size = e.size ?? 0
    switch (e.type) {
      case 'file':
        this.files++
        this.bytes += size
        this.blocks += Math.ceil(size / K4)
        if (size > 0 && size <= 2048) { this.smallFiles++; this.smallBytes += size }
        break
      case 'directory': this.dirs++; break
      case 'symlink':
        this.symlinks++
        if (e.linkname && Buffer.byteLength(e.linkname) > 60) this.longLinks++
        break
      case 'hardlink': this.hardlinks++; break
      default: this.other++
    }
    if (e.xattrs) {
      let n = 0
      for (const [k, v] of Object.entries(e.xattrs)) n += k.length + v.byteLength + 16
      if (n) { this.xattrBytes += n; this.xattrEntries++ }
    }
  }

  /** Merge another count into this one. */
  merge (u: Usage): this {
    for (const k of Object.keys(u) as Array<keyof Usage>) {
      if (typeof this[k] === 'number') (this as unknown as Record<string, number>)[k] += u[k] as number
    }
    return this
  }
}

export interface AutoSize {
  /** Filesystem size in bytes (a multiple of 1 MiB). */
  size: number
  /** ext*: inode count to pass to mke2fs. */
  inodes?: number
  /** Extra mkfs arguments the estimate assumes (block/cluster sizes). */
  args: string[]
}

const roundMiB = (n: number): number => Math.ceil(n / MiB) * MiB

// Directory blocks: each directory has at least one block; entries take
// about 8 bytes + the name, rounded to 4.
function dirBytes (u: Usage, block: number, perEntry = 12): number {
  const names = u.nameBytes + u.entries * perEntry
  return u.dirs * block + Math.ceil(names / block) * block
}

// mke2fs makes no journal below 2048 blocks: ext3/ext4 get at least 16 MiB.
const JOURNAL_FLOOR = 16 * MiB

function ext4 (u: Usage, journal = true): AutoSize {
  const inodes = Math.ceil((u.entries - u.hardlinks) * 1.1) + 64
  // Xattrs beyond the ~100 bytes that fit in a 256-byte inode take a block.
  const xattrBlocks = u.xattrBytes / Math.max(1, u.xattrEntries) > 100 ? u.xattrEntries : 0
  const data = (u.blocks + u.longLinks + xattrBlocks) * K4 + dirBytes(u, K4)
  // Extent tree blocks for large fragmented files, and the lost+found dir.
  const core = data * 1.02 + inodes * 256 + 4 * K4 * 4
  let size = core
  for (let i = 0; i < 4; i++) {
    const blocks = size / K4
    const journal = blocks < 32768 ? 1024 : blocks < 256 * 1024 ? 4096 : blocks < 512 * 1024 ? 8192 : blocks < 4096 * 1024 ? 16384 : blocks < 8192 * 1024 ? 32768 : 65536
    const groups = Math.ceil(blocks / 32768)
    // Bitmaps, group descriptors, reserved GDT blocks, backup superblocks.
    const meta = groups * 2 * K4 + Math.min(1024, Math.ceil(groups * 1024 / 128) + 1) * K4 + 16 * groups * 64
    // 5% reserved for root: the kernel writes as root, but users want room.
    size = (core + journal * K4 + meta) / 0.95
  }
  return { size: roundMiB(Math.max(size * 1.05 + MiB, journal ? JOURNAL_FLOOR : 0)), inodes, args: ['-b', '4096', '-I', '256'] }
}

function vfat (u: Usage): AutoSize {
  const cluster = K4
  // Long names: one 32-byte slot per 13 characters plus the short entry.
  const dirs = u.dirs * cluster + Math.ceil((u.nameBytes / 13 + 2 * u.entries) * 32 / cluster) * cluster
  const data = (u.blocks + u.other) * K4 + dirs
  // 4 KiB clusters; the FAT type follows from the cluster count
  // (FAT12 < 4085 clusters <= FAT16 < 65525 clusters <= FAT32).
  let size = (data + 2 * (data / cluster) * 4) * 1.05 + 2 * MiB
  let fat = '12'
  if (size > 15 * MiB) { fat = '16'; size = Math.max(size, 17 * MiB) }
  if (size > 250 * MiB) { fat = '32'; size = Math.max(size, 264 * MiB) }
  return { size: roundMiB(size), args: ['-F', fat, '-s', '8', '-S', '512'] }
}

function exfat (u: Usage): AutoSize {
  const cluster = K4
  const dirs = u.dirs * cluster + Math.ceil((u.entries * 3 + u.nameBytes / 15) * 32 / cluster) * cluster
  const data = u.blocks * K4 + dirs
  const clusters = data / cluster
  return { size: roundMiB((data + clusters * 4 + clusters / 8) * 1.05 + 4 * MiB), args: ['-c', '4K'] }
}

function btrfs (u: Usage): AutoSize {
  // Data in chunks; metadata (inodes, names, inline files, xattrs) DUP.
  const data = (u.blocks - Math.ceil(u.smallBytes / K4)) * K4 + u.longLinks * K4
  const meta = (u.entries * 400 + u.nameBytes * 3 + u.smallBytes + u.xattrBytes * 2) * 2 * 1.5
  const size = data * 1.1 + meta + 80 * MiB
  return { size: roundMiB(Math.max(size, 128 * MiB)), args: [] }
}

function xfs (u: Usage): AutoSize {
  const data = u.blocks * K4 + u.longLinks * K4 + dirBytes(u, K4, 16)
  const inodes = (u.entries + 64) * 512
  // The log (xfsprogs sizes it from the fs) and per-AG headers.
  const size = (data + inodes * 1.1) * 1.08 + 80 * MiB
  return { size: roundMiB(Math.max(size, 300 * MiB)), args: [] }
}

function f2fs (u: Usage): AutoSize {
  const data = u.blocks * K4 + (u.dirs + u.entries) * K4 + dirBytes(u, K4)
  // Over-provisioning, reserved and the six active segments of 2 MiB:
  // fitted as 1.1 x data + 55 MiB (minimal sizes measured), plus 8%.
  const size = (data * 1.1 + 55 * MiB) * 1.08
  return { size: roundMiB(Math.max(size, 64 * MiB)), args: [] }
}

const ESTIMATES: Record<string, (u: Usage) => AutoSize> = { ext2: (u) => ext4(u, false), ext3: ext4, ext4, vfat, exfat, btrfs, xfs, f2fs }

/** The filesystem size (and mkfs parameters) to hold `usage` with headroom. */
export function autoSize (type: string, usage: Usage): AutoSize {
  const f = ESTIMATES[type]
  if (!f) throw new RangeError(`no size estimate for '${type}'`)
  return f(usage)
}
