// SPDX-License-Identifier: GPL-2.0-only
// Stats and Dirent, shaped like node:fs's, built from the kernel's statx.

import { constants as C } from '../native'
import type { Statx } from '../native'

// The host C library's dev_t encoding (major/minor -> one number).
function makedev (major: number, minor: number): number {
  return (major & 0xfff) * 256 + (minor & 0xff) + (minor & ~0xff) * 4096 + Math.floor(major / 4096) * 2 ** 32
}

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
export function direntFromStats (name: string, st: Stats, parentPath: string): Dirent {
  const fmtToDt: Record<number, number> = {}
  for (const [dt, fmt] of Object.entries(DT_TO_FMT)) fmtToDt[fmt] = Number(dt)
  return new Dirent(name, fmtToDt[st.mode & C.S_IFMT] ?? 0, parentPath)
}
