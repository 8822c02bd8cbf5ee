// SPDX-License-Identifier: GPL-2.0-only
//
// One tar member's header, with the pax records and GNU long names that
// came before it, turned into an Entry (no content yet). Pure: no stream
// state, throws ERR_LKL_TAR_INVALID on values it cannot use.
// Pax records win over the ustar fields; xattrs come from SCHILY.xattr.*
// (raw values) and LIBARCHIVE.xattr.* (base64), GNU tar's SCHILY.acl.*
// text becomes the binary system.posix_acl_* xattrs.

import { Entry, EntryType } from '../tree/entry'
import { LklError } from '../errors'
import { RawHeader, parsePaxTime } from './header'
import { aclFromText } from './acl'
import { SparseStart, sparseStart } from './sparse'
import { nameFromBytes } from '../name-bytes'

/** What came before a member's header: its pax records (global ones merged in) and GNU long names. */
export interface Extensions {
  pax: Map<string, Buffer>
  longName: Buffer | null
  longLink: Buffer | null
}

export interface Member {
  /** The entry's path (also for a skipped member). */
  path: string
  /** null for a member that carries no entry (a volume label): skip its body. */
  entry: Entry | null
  /** Bytes of the member's body in the archive (before padding). */
  archiveSize: number
  /** How a sparse file's map is stored; null for everything else. */
  sparse: SparseStart | null
}

const TYPES: Record<string, EntryType> = { 0: 'file', 7: 'file', S: 'file', 1: 'hardlink', 2: 'symlink', 3: 'char', 4: 'block', 5: 'directory', 6: 'fifo' }
const ACLS = [['SCHILY.acl.access', 'system.posix_acl_access'], ['SCHILY.acl.default', 'system.posix_acl_default']]

/** An archive path as an entry path: no './' prefix, no trailing '/'. */
export function tidyPath (p: string): string {
  while (p.startsWith('./')) p = p.slice(2).replace(/^\/+/, '')
  if (p === '' || p === '.') return '.'
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

/** The member described by `h` (decoded from `block`) and the extensions before it. */
export function entryFromHeader (h: RawHeader, block: Buffer, ext: Extensions): Member {
  const { pax } = ext
  const str = (k: string): string | undefined => pax.get(k)?.toString()
  // Names are bytes, as GNU tar writes them (raw, also in pax records).
  const name = (k: string): string | undefined => { const v = pax.get(k); return v && nameFromBytes(v) }
  const path = tidyPath(name('GNU.sparse.name') ?? name('path') ?? nameFromBytes(ext.longName ?? h.name))
  const invalid = (k: string, v: string): LklError => LklError.tarInvalid(`Invalid pax ${k} '${v}' for '${path}'`, path)
  const num = (k: string, d: number): number => {
    const v = str(k)
    if (v === undefined) return d
    const n = Number(v)
    if (!Number.isSafeInteger(n) || n < 0) throw invalid(k, v)
    return n
  }
  const time = (k: string): bigint | undefined => {
    const v = str(k)
    if (v === undefined) return undefined
    const n = parsePaxTime(v)
    if (n === null) throw invalid(k, v)
    return n
  }

  const t = h.typeflag
  const type = TYPES[t]
  if (type === undefined) {
    if (t === 'V') return { path, entry: null, archiveSize: h.size, sparse: null } // volume label
    throw LklError.tarInvalid(`Unsupported tar entry type '${t}' for '${path}'`, path)
  }
  const archiveSize = num('size', h.size)
  const e: Entry = {
    path,
    type,
    mode: h.mode & 0o7777,
    uid: num('uid', h.uid),
    gid: num('gid', h.gid),
    size: 0,
    mtime: time('mtime') ?? BigInt(h.mtime) * 1000000000n
  }
  const at = time('atime')
  if (at !== undefined) e.atime = at
  const ct = time('ctime')
  if (ct !== undefined) e.ctime = ct
  const uname = str('uname') ?? h.uname
  const gname = str('gname') ?? h.gname
  if (uname) e.uname = uname
  if (gname) e.gname = gname
  if (type === 'symlink' || type === 'hardlink') {
    const l = name('linkpath') ?? nameFromBytes(ext.longLink ?? h.linkname)
    e.linkname = type === 'hardlink' ? tidyPath(l) : l
  }
  if (type === 'char' || type === 'block') { e.devmajor = h.devmajor; e.devminor = h.devminor }
  const xattrs = xattrsFromPax(pax, path)
  if (xattrs) e.xattrs = xattrs
  if (type !== 'file') return { path, entry: e, archiveSize, sparse: null }

  const sparse = sparseStart(t, block, pax, path)
  if (sparse === null) e.size = archiveSize
  else if (sparse.format === 'old-gnu') e.size = num('GNU.sparse.realsize', sparse.headerRealsize)
  else if (sparse.format === 'pax-1.0') e.size = num('GNU.sparse.realsize', 0)
  else e.size = num('GNU.sparse.realsize', num('GNU.sparse.size', 0))
  return { path, entry: e, archiveSize, sparse }
}

function xattrsFromPax (pax: Map<string, Buffer>, path: string): Record<string, Buffer> | null {
  let x: Record<string, Buffer> | null = null
  const set = (k: string, v: Buffer): void => { (x ??= {})[k] = Buffer.from(v) }
  for (const [k, v] of pax) {
    if (k.startsWith('SCHILY.xattr.')) set(k.slice(13), v)
    else if (k.startsWith('LIBARCHIVE.xattr.')) set(decodeURIComponent(k.slice(17)), Buffer.from(v.toString(), 'base64'))
  }
  // A raw system.posix_acl_* xattr, when present, wins over the ACL text.
  for (const [k, name] of ACLS) {
    const v = pax.get(k)
    if (v === undefined || (x !== null && x[name] !== undefined)) continue
    try {
      set(name, aclFromText(v.toString()))
    } catch (err) {
      throw LklError.tarInvalid(`Invalid ${k} for '${path}': ${(err as Error).message}`, path)
    }
  }
  return x
}
