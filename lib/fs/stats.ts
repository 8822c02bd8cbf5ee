// SPDX-License-Identifier: GPL-2.0-only
// Stats and Dirent, shaped like node:fs's, built from the kernel's statx.

import { constants as C } from '../native'
import type { Statx, Statfs } from '../native'
import { makedev, makedevBig } from '../device-number'

function ms (sec: number, nsec: number): number {
  return sec * 1000 + nsec / 1e6
}

function ns (sec: number, nsec: number): bigint {
  return BigInt(sec) * 1000000000n + BigInt(nsec)
}

abstract class ModeChecks {
  protected abstract _fmt (): number
  isFile (): boolean { return this._fmt() === C.S_IFREG }
  isDirectory (): boolean { return this._fmt() === C.S_IFDIR }
  isSymbolicLink (): boolean { return this._fmt() === C.S_IFLNK }
  isBlockDevice (): boolean { return this._fmt() === C.S_IFBLK }
  isCharacterDevice (): boolean { return this._fmt() === C.S_IFCHR }
  isFIFO (): boolean { return this._fmt() === C.S_IFIFO }
  isSocket (): boolean { return this._fmt() === C.S_IFSOCK }
}

export class Stats extends ModeChecks {
  dev: number
  ino: number
  mode: number
  nlink: number
  uid: number
  gid: number
  rdev: number
  size: number
  blksize: number
  blocks: number
  atimeMs: number
  mtimeMs: number
  ctimeMs: number
  birthtimeMs: number
  atime: Date
  mtime: Date
  ctime: Date
  birthtime: Date
  /** Nanosecond times since the epoch (exact). */
  atimeNs: bigint
  mtimeNs: bigint
  ctimeNs: bigint
  birthtimeNs: bigint

  constructor (s: Statx) {
    super()
    this.dev = makedev(s.devMajor, s.devMinor)
    this.ino = s.ino
    this.mode = s.mode
    this.nlink = s.nlink
    this.uid = s.uid
    this.gid = s.gid
    this.rdev = makedev(s.rdevMajor, s.rdevMinor)
    this.size = s.size
    this.blksize = s.blksize
    this.blocks = s.blocks
    const hasBirth = (s.mask & C.STATX_BTIME) !== 0
    this.atimeMs = ms(s.atimeSec, s.atimeNsec)
    this.mtimeMs = ms(s.mtimeSec, s.mtimeNsec)
    this.ctimeMs = ms(s.ctimeSec, s.ctimeNsec)
    this.birthtimeMs = hasBirth ? ms(s.btimeSec, s.btimeNsec) : 0
    this.atime = new Date(this.atimeMs)
    this.mtime = new Date(this.mtimeMs)
    this.ctime = new Date(this.ctimeMs)
    this.birthtime = new Date(this.birthtimeMs)
    this.atimeNs = ns(s.atimeSec, s.atimeNsec)
    this.mtimeNs = ns(s.mtimeSec, s.mtimeNsec)
    this.ctimeNs = ns(s.ctimeSec, s.ctimeNsec)
    this.birthtimeNs = hasBirth ? ns(s.btimeSec, s.btimeNsec) : 0n
  }

  protected _fmt (): number { return this.mode & C.S_IFMT }
}

/** Stats with { bigint: true }: every number a bigint, times exact. */
export class BigIntStats extends ModeChecks {
  dev: bigint
  ino: bigint
  mode: bigint
  nlink: bigint
  uid: bigint
  gid: bigint
  rdev: bigint
  size: bigint
  blksize: bigint
  blocks: bigint
  atimeMs: bigint
  mtimeMs: bigint
  ctimeMs: bigint
  birthtimeMs: bigint
  atimeNs: bigint
  mtimeNs: bigint
  ctimeNs: bigint
  birthtimeNs: bigint
  atime: Date
  mtime: Date
  ctime: Date
  birthtime: Date

  constructor (s: Statx) {
    super()
    this.dev = makedevBig(s.devMajor, s.devMinor)
    this.ino = BigInt(s.ino)
    this.mode = BigInt(s.mode)
    this.nlink = BigInt(s.nlink)
    this.uid = BigInt(s.uid)
    this.gid = BigInt(s.gid)
    this.rdev = makedevBig(s.rdevMajor, s.rdevMinor)
    this.size = BigInt(s.size)
    this.blksize = BigInt(s.blksize)
    this.blocks = BigInt(s.blocks)
    const hasBirth = (s.mask & C.STATX_BTIME) !== 0
    this.atimeNs = ns(s.atimeSec, s.atimeNsec)
    this.mtimeNs = ns(s.mtimeSec, s.mtimeNsec)
    this.ctimeNs = ns(s.ctimeSec, s.ctimeNsec)
    this.birthtimeNs = hasBirth ? ns(s.btimeSec, s.btimeNsec) : 0n
    this.atimeMs = this.atimeNs / 1000000n
    this.mtimeMs = this.mtimeNs / 1000000n
    this.ctimeMs = this.ctimeNs / 1000000n
    this.birthtimeMs = this.birthtimeNs / 1000000n
    this.atime = new Date(Number(this.atimeMs))
    this.mtime = new Date(Number(this.mtimeMs))
    this.ctime = new Date(Number(this.ctimeMs))
    this.birthtime = new Date(Number(this.birthtimeMs))
  }

  protected _fmt (): number { return Number(this.mode) & C.S_IFMT }
}

/** statfs() results, shaped like node:fs's StatFs. */
export class StatFs<T extends number | bigint = number> {
  type: T
  bsize: T
  blocks: T
  bfree: T
  bavail: T
  files: T
  ffree: T

  constructor (s: Statfs, big: boolean) {
    const v = (n: number): T => (big ? BigInt(n) : n) as T
    this.type = v(s.type)
    this.bsize = v(s.bsize)
    this.blocks = v(s.blocks)
    this.bfree = v(s.bfree)
    this.bavail = v(s.bavail)
    this.files = v(s.files)
    this.ffree = v(s.ffree)
  }
}

// DT_* values (stable kernel ABI) -> S_IF* format.
const DT_TO_FMT: Record<number, number> = {
  1: C.S_IFIFO, 2: C.S_IFCHR, 4: C.S_IFDIR, 6: C.S_IFBLK, 8: C.S_IFREG, 10: C.S_IFLNK, 12: C.S_IFSOCK
}

export class Dirent extends ModeChecks {
  name: string
  /** The directory that was read, as the caller wrote it. */
  parentPath: string
  path: string
  private _type: number

  constructor (name: string, dtype: number, parentPath: string) {
    super()
    this.name = name
    this.parentPath = parentPath
    this.path = parentPath
    this._type = DT_TO_FMT[dtype] ?? 0
  }

  protected _fmt (): number { return this._type }
}

/** For filesystems that report DT_UNKNOWN: the type from a stat. */
export function direntFromStats (name: string, st: Stats | BigIntStats, parentPath: string): Dirent {
  const fmtToDt: Record<number, number> = {}
  for (const [dt, fmt] of Object.entries(DT_TO_FMT)) fmtToDt[fmt] = Number(dt)
  return new Dirent(name, fmtToDt[Number(st.mode) & C.S_IFMT] ?? 0, parentPath)
}
