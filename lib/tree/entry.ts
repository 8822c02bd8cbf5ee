// SPDX-License-Identifier: GPL-2.0-only
//
// The Entry model: what every tree source (imageWalk, hostWalk, tarUnpack)
// emits and every tree sink (imageWriter, hostWriter, tarPack) accepts.

import { Readable } from 'streamx'
import { LklError, invalidArgValue } from '../errors'

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket' | 'whiteout' | 'opaque'

/**
 * The layer marks of container images (lib/oci): a 'whiteout' entry says
 * its path and everything below it is gone from the layers beneath; an
 * 'opaque' entry says its directory keeps none of the children those layers
 * gave it. Sinks that merge layers (imageWriter's `whiteouts`) act on them.
 */
export const WHITEOUT_TYPES: ReadonlySet<EntryType> = new Set(['whiteout', 'opaque'])

export interface Entry {
  /** Relative, '/'-separated, no leading '/' or './'; '.' is the tree's root. */
  path: string
  type: EntryType
  /** Permission bits incl. setuid/setgid/sticky (0o7777). */
  mode: number
  uid: number
  gid: number
  /** Bytes of content (files; 0 for everything else). */
  size: number
  /** Nanoseconds since the epoch. */
  mtime: bigint
  atime?: bigint
  ctime?: bigint
  /** Symlink target, or for a hardlink the path of the entry it links to. */
  linkname?: string
  devmajor?: number
  devminor?: number
  /** Extended attributes incl. security.capability and system.posix_acl_*. */
  xattrs?: Record<string, Buffer>
  /** User and group names, when the source knows them (tar). */
  uname?: string
  gname?: string
  /**
   * The content of a file: consume it before the next entry arrives. It may
   * also know the file's holes (HoleAware, below).
   */
  content?: Readable
  /**
   * The layer of a container image the entry comes from (0 the lowest;
   * lib/oci). Absent for every other source.
   */
  layer?: number
}

/** A data range of a file: [offset, length]. */
export type Extent = [number, number]

/**
 * A content that can tell its file's holes (imageWalk's, from SEEK_DATA /
 * SEEK_HOLE in the kernel): dataMap(size) resolves with the data ranges of
 * the first `size` bytes, in order (the rest is holes), and from then on the
 * content yields only the bytes of those ranges. Call it before reading.
 * Sinks that store holes (tarPack's sparse members) ask for it; the others
 * read the whole content, holes as zeroes.
 */
export interface HoleAware {
  dataMap (size: number): Promise<Extent[]>
}

export function isHoleAware (c: unknown): c is HoleAware {
  return c !== null && typeof c === 'object' && typeof (c as HoleAware).dataMap === 'function'
}

const S_IFMT = 0o170000
const TYPES: Array<[number, EntryType]> = [
  [0o100000, 'file'], [0o040000, 'directory'], [0o120000, 'symlink'],
  [0o020000, 'char'], [0o060000, 'block'], [0o010000, 'fifo'], [0o140000, 'socket']
]

/** The entry type of a st_mode, or null. */
export function modeType (mode: number): EntryType | null {
  const fmt = mode & S_IFMT
  for (const [bits, t] of TYPES) if (bits === fmt) return t
  return null
}

/** The S_IFMT bits of an entry type (hardlink: 0). */
export function typeBits (type: EntryType): number {
  for (const [bits, t] of TYPES) if (t === type) return bits
  return 0
}

/** sec + nsec -> ns since the epoch. */
export function nsTime (sec: number, nsec: number): bigint {
  return BigInt(sec) * 1000000000n + BigInt(nsec)
}

/** ns since the epoch -> [sec, nsec] (nsec always 0..999999999). */
export function splitTime (t: bigint): [number, number] {
  let sec = t / 1000000000n
  let nsec = t % 1000000000n
  if (nsec < 0n) { nsec += 1000000000n; sec -= 1n }
  return [Number(sec), Number(nsec)]
}

/**
 * An entry's [sec, nsec] time from what a user may have put there: ns
 * (bigint, the Entry model), a Date, or seconds (number); a missing mtime
 * is now (as tar packers do), a missing atime the mtime. Anything else is a
 * clear error naming the entry.
 */
export function entryTimes (e: { path: string, mtime?: unknown, atime?: unknown }): { atime: [number, number], mtime: [number, number] } {
  const ns = (t: unknown, field: string): bigint => {
    if (typeof t === 'bigint' || t instanceof Date || (typeof t === 'number' && Number.isFinite(t))) return toNs(t)
    throw invalidArgValue(`entry.${field}`, t, `must be a bigint (ns), a Date or a number of seconds (entry '${e.path}')`)
  }
  const m = e.mtime === undefined || e.mtime === null ? BigInt(Date.now()) * 1000000n : ns(e.mtime, 'mtime')
  const a = e.atime === undefined || e.atime === null ? m : ns(e.atime, 'atime')
  return { atime: splitTime(a), mtime: splitTime(m) }
}

/** A time from a Date, seconds (number) or ns (bigint). */
export function toNs (t: Date | number | bigint): bigint {
  if (typeof t === 'bigint') return t
  if (t instanceof Date) return BigInt(t.getTime()) * 1000000n
  return BigInt(Math.round(t * 1e9))
}

/**
 * Normalise an entry path: '/'-separated, no './' or empty components, no
 * trailing '/'. Returns null for a path that leaves the tree ('..') or is
 * absolute, unless `allowAbsolute` (which then strips the leading '/').
 */
export function normalizePath (p: string, allowAbsolute = false): string | null {
  if (p.startsWith('/') && !allowAbsolute) return null
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') return null
    out.push(part)
  }
  return out.length === 0 ? '.' : out.join('/')
}

/** The error for a path that would leave the tree. */
export function unsafePath (p: string, why?: string): LklError {
  return LklError.unsafePath(p, why)
}

/** A finished content stream over one buffer (sinks may take `.buffer` directly). */
export class BufferContent extends Readable {
  buffer: Buffer | null

  constructor (buf: Buffer) {
    super({ highWaterMark: 0 })
    this.buffer = buf
  }

  override _read (cb: (err: Error | null) => void): void {
    const b = this.buffer
    this.buffer = null
    if (b && b.byteLength) this.push(b)
    this.push(null)
    cb(null)
  }
}

/**
 * The content's bytes if they are already one Buffer in memory (a
 * BufferContent not read yet), taken without a copy: the stream is ended.
 * null for any other content (which is left untouched). Every sink takes
 * buffered content through here.
 */
export function takeBuffer (content: Readable | undefined | null): Buffer | null {
  if (!(content instanceof BufferContent) || !content.buffer) return null
  const b = content.buffer
  content.buffer = null
  content.push(null)
  content.resume()
  return b
}

/**
 * Take all of an entry's content as one Buffer (sinks use this for small
 * files). Consumes the stream.
 */
export async function readContent (content: Readable | undefined, limit = Infinity): Promise<Buffer> {
  if (!content) return Buffer.alloc(0)
  const buffered = takeBuffer(content)
  if (buffered) return buffered
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of content as AsyncIterable<Buffer>) {
    parts.push(chunk)
    n += chunk.byteLength
    if (n > limit) throw new RangeError('entry content larger than its size')
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, n)
}
