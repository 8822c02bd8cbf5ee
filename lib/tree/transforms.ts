// SPDX-License-Identifier: GPL-2.0-only
//
// Plain object transforms on the Entry stream: what users ask for most,
// written the way a user would write their own (through2 works the same):
// take an entry, change it or drop it (destroying its content), pass it on.

import * as fs from 'fs'
import { EntryTransformBase, EntryTransform } from '../streams/node-types'
import { Entry, EntryType, normalizePath, toNs } from './entry'
import { invalidArgType } from '../errors'
import { checkOptions } from '../validate'
import { tarPatternMatcher } from './tar-exclude'

type Cb = (err: Error | null, data?: Entry) => void

type MapResult = Entry | null | undefined

/**
 * A Transform of entries from a function returning the entry, a new one, or
 * null to drop it; or a promise of one (an async function: the next entry
 * waits for it, so the order and the image's state between entries hold).
 */
export function mapEntries (fn: (e: Entry) => MapResult | PromiseLike<MapResult>): EntryTransform {
  if (typeof fn !== 'function') throw invalidArgType('fn', 'of type function', fn)
  const done = (e: Entry, out: MapResult, cb: Cb): void => {
    if (out) return cb(null, out)
    const c = e.content
    if (c && !c.destroyed) c.destroy()
    cb(null)
  }
  return new EntryTransformBase({
    highWaterMark: 16,
    byteLength: () => 1,
    transform (this: EntryTransform, e: unknown, cb: Cb) {
      let out: MapResult | PromiseLike<MapResult>
      try {
        out = fn(e as Entry)
      } catch (err) {
        return cb(err as Error)
      }
      if (out && typeof (out as PromiseLike<MapResult>).then === 'function') {
        Promise.resolve(out).then((r) => done(e as Entry, r, cb), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))))
        return
      }
      done(e as Entry, out as MapResult, cb)
    }
  })
}

/** Keep the entries for which fn returns true. */
export function filter (fn: (e: Entry) => boolean): EntryTransform {
  if (typeof fn !== 'function') throw invalidArgType('fn', 'of type function', fn)
  return mapEntries((e) => fn(e) ? e : null)
}

function matcher (pattern: string | RegExp): (p: string) => boolean {
  if (pattern instanceof RegExp) return (p) => pattern.test(p)
  return tarPatternMatcher(pattern)
}

/**
 * Drop entries matching any pattern and everything below them: a glob
 * string with GNU tar's --exclude meaning (./tar-exclude), or a RegExp
 * tested on the entry path.
 */
export function exclude (...patterns: Array<string | RegExp>): EntryTransform {
  const ms = patterns.flat().map(matcher)
  return filter((e) => e.path === '.' || !ms.some((m) => m(e.path)))
}

function stripPath (p: string, n: number): string | null {
  if (p === '.') return null
  const parts = p.split('/')
  if (parts.length <= n) return null
  return parts.slice(n).join('/')
}

/** Remove the first n path components (entries that vanish are dropped), like tar --strip-components. */
export function strip (n: number): EntryTransform {
  if (!Number.isInteger(n) || n < 0) throw invalidArgType('n', 'a non-negative integer', n)
  return mapEntries((e) => {
    const p = stripPath(e.path, n)
    if (p === null) return null
    e.path = p
    if (e.type === 'hardlink' && e.linkname) e.linkname = stripPath(e.linkname, n) ?? e.linkname
    return e
  })
}

/** Put every entry under a directory prefix ('.' becomes the prefix itself). */
export function prefix (dir: string): EntryTransform {
  if (typeof dir !== 'string') throw invalidArgType('dir', 'of type string', dir)
  const pre = normalizePath(dir, true) ?? dir
  const join = (p: string): string => pre === '.' ? p : p === '.' ? pre : pre + '/' + p
  return mapEntries((e) => {
    e.path = join(e.path)
    if (e.type === 'hardlink' && e.linkname) e.linkname = join(e.linkname)
    return e
  })
}

export interface OwnerMap {
  /** uid -> uid (a map, an object, or a function). */
  uid?: Map<number, number> | Record<number, number> | ((uid: number, e: Entry) => number)
  gid?: Map<number, number> | Record<number, number> | ((gid: number, e: Entry) => number)
}

function mapper (m: OwnerMap['uid']): ((id: number, e: Entry) => number) | null {
  if (!m) return null
  if (typeof m === 'function') return m
  if (m instanceof Map) return (id) => m.get(id) ?? id
  return (id) => (m as Record<number, number>)[id] ?? id
}

/** Change owners: numbers for everyone ({ uid: 0, gid: 0 } squashes), or maps. */
export function owner (o: { uid?: number, gid?: number } | OwnerMap): EntryTransform {
  if (o === null || typeof o !== 'object') throw invalidArgType('owner', 'of type object', o)
  const u = typeof o.uid === 'number' ? ((n: number) => () => n)(o.uid) : mapper(o.uid as OwnerMap['uid'])
  const g = typeof o.gid === 'number' ? ((n: number) => () => n)(o.gid) : mapper(o.gid as OwnerMap['gid'])
  return mapEntries((e) => {
    if (u) e.uid = u(e.uid, e)
    if (g) e.gid = g(e.gid, e)
    delete e.uname
    delete e.gname
    return e
  })
}

/** Squash every owner to root (or the given ids), like --owner=0 --group=0. */
export function squashOwners (uid = 0, gid = 0): EntryTransform {
  return owner({ uid, gid })
}

/**
 * Clamp times to at most `t` (SOURCE_DATE_EPOCH style; default: the
 * SOURCE_DATE_EPOCH environment variable). t: seconds, a Date or ns.
 */
export function clampMtime (t?: number | Date | bigint): EntryTransform {
  let limit: bigint
  if (t === undefined) {
    const env = process.env.SOURCE_DATE_EPOCH
    if (env === undefined || !/^\d+$/.test(env)) throw invalidArgType('t', 'given, or SOURCE_DATE_EPOCH set to an integer', env)
    limit = BigInt(env) * 1000000000n
  } else {
    limit = toNs(t)
  }
  return mapEntries((e) => {
    if (e.mtime > limit) e.mtime = limit
    if (e.atime !== undefined && e.atime > limit) e.atime = limit
    if (e.ctime !== undefined && e.ctime > limit) e.ctime = limit
    return e
  })
}

/**
 * The mode GNU `cp -r` without `-p` gives a copy (measured with coreutils
 * 9.1 as root): setuid and setgid are dropped, the sticky bit is kept on
 * directories only (it restricts, never grants), and the umask applies.
 */
export function plainCopyMode (type: EntryType, mode: number, umask: number): number {
  return mode & (type === 'directory' ? 0o1777 : 0o777) & ~umask
}

export interface NoPreserveOptions {
  /** Mode bits to clear (default: the process umask). */
  umask?: number
  /** The owner every entry gets (default: the process's uid and gid). */
  uid?: number
  gid?: number
}

/**
 * What `cp` without `-p` does to each entry (`cp --no-preserve=mode,ownership`):
 * modes by plainCopyMode, owners set to the copying user's. Times, types
 * and content are left alone.
 */
export function noPreserve (opts: NoPreserveOptions = {}): EntryTransform {
  checkOptions(opts)
  for (const k of ['umask', 'uid', 'gid'] as const) {
    const v = opts[k]
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw invalidArgType(`options.${k}`, 'a non-negative integer', v)
  }
  const umask = opts.umask ?? processUmask()
  const uid = opts.uid ?? process.getuid?.() ?? 0
  const gid = opts.gid ?? process.getgid?.() ?? 0
  return mapEntries((e) => {
    e.mode = plainCopyMode(e.type, e.mode, umask)
    e.uid = uid
    e.gid = gid
    delete e.uname
    delete e.gname
    return e
  })
}

/**
 * The process umask, read from /proc without changing it (process.umask()
 * with no argument writes it twice, racing other threads).
 */
export function processUmask (): number {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(fs.readFileSync('/proc/self/status', 'latin1'))
    if (m) return parseInt(m[1], 8)
  } catch {}
  return process.umask()
}
