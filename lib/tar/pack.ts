// SPDX-License-Identifier: GPL-2.0-only
//
// tarPack(opts): Entry objects in, pax tar bytes out (a streamx Duplex).
// Every entry gets a ustar header; a pax header comes first whenever the
// ustar fields cannot say everything: long or non-ASCII names, big sizes or
// ids, nanosecond times, xattrs (SCHILY.xattr.*, raw values, as GNU tar
// writes them) and ACLs (also as SCHILY.acl.access/default text). A file
// whose content knows its holes (HoleAware: imageWalk's) and has some is a
// GNU sparse 1.0 member: pax GNU.sparse.* records, the ustar name
// 'dir/GNUSparseFile.0/name', and a body of the map (decimal lines: the
// count, then offset and length of each data range; padded to a block)
// followed by the data ranges only. GNU tar and bsdtar restore the holes.

import { ByteDuplexBase } from '../streams/node-types'
import { Entry, Extent, isHoleAware, normalizePath, splitTime, takeBuffer } from '../tree/entry'
import { LklError, invalidArgValue } from '../errors'
import { BLOCK, encodeHeader, fitsUstar, paxRecord, formatPaxTime } from './header'
import { aclToText } from './acl'
import { checkOptions, checkBool } from '../validate'
import { nameToBytes } from '../name-bytes'
import { isUtf8 } from 'buffer'

export interface PackOptions {
  /** Also store atime and ctime (default false: mtime only, like most tools). */
  atime?: boolean
  /** Files with holes (when their content can tell) as GNU sparse 1.0 members (default true). */
  sparse?: boolean
  /** Readable-side buffering in bytes (default 1 MiB). */
  highWaterMark?: number
}

const TYPEFLAG: Record<string, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' }
const ZEROS = Buffer.alloc(BLOCK * 2)
const ENTRY_WEIGHT = 16384 // each queued entry counts as this many bytes

export class TarPack extends ByteDuplexBase {
  private _atime: boolean
  private _sparse: boolean
  private _drain: (() => void) | null = null
  private _current: Entry['content'] | null = null

  constructor (opts: PackOptions = {}) {
    opts = checkOptions(opts)
    super({
      highWaterMark: opts.highWaterMark ?? 1 << 20,
      byteLengthReadable: (b: Buffer) => b.byteLength,
      byteLengthWritable: () => ENTRY_WEIGHT
    })
    this._atime = checkBool(opts.atime, 'options.atime')
    this._sparse = opts.sparse === undefined || checkBool(opts.sparse, 'options.sparse')
  }

  override _read (cb: (err: Error | null) => void): void {
    const d = this._drain
    this._drain = null
    if (d) d()
    cb(null)
  }

  override _write (entry: Entry, cb: (err: Error | null) => void): void {
    this._entry(entry).then(() => cb(null), cb)
  }

  override _final (cb: (err: Error | null) => void): void {
    this.push(ZEROS)
    this.push(null)
    cb(null)
  }

  override _predestroy (): void {
    const d = this._drain
    this._drain = null
    if (d) d()
  }

  override _destroy (cb: (err: Error | null) => void): void {
    const c = this._current
    if (c && !c.destroyed) c.destroy()
    cb(null)
  }

  private async _out (buf: Buffer): Promise<void> {
    if (this.push(buf)) return
    if (this.destroying) return
    await new Promise<void>((resolve) => { this._drain = resolve })
  }

  private async _entry (e: Entry): Promise<void> {
    if (e === null || typeof e !== 'object' || typeof e.path !== 'string') throw invalidArgValue('entry', e, 'must be an Entry object')
    const typeflag = TYPEFLAG[e.type]
    if (typeflag === undefined) {
      if (e.type === 'socket') { this.emit('warning', new Error(`socket '${e.path}' ignored (tar cannot store sockets)`)); return }
      throw invalidArgValue('entry.type', e.type, `is not an entry type (entry '${e.path}')`)
    }
    const rel = normalizePath(e.path, true) ?? e.path
    let nameStr = rel === '.' ? './' : rel
    if (e.type === 'directory' && !nameStr.endsWith('/')) nameStr += '/'
    // Names leave as the bytes they stand for, raw in ustar and pax alike.
    const name = nameToBytes(nameStr)
    const linkname = e.linkname !== undefined ? nameToBytes(e.type === 'hardlink' ? (normalizePath(e.linkname, true) ?? e.linkname) : e.linkname) : undefined
    const size = e.type === 'file' ? e.size : 0
    const sparse = this._sparse && size > 0 ? await sparseLayout(e, size) : null
    // What the member's body holds: the whole content, or the map and the data ranges.
    const bodySize = sparse ? sparse.map.length + sparse.dataBytes : size
    const [sec, nsec] = splitTime(e.mtime)
    const pax: Buffer[] = []
    const ascii = (b: Buffer): boolean => b.every((c) => c < 0x80)
    // A name that is not UTF-8 travels raw, marked so (POSIX hdrcharset):
    // bsdtar refuses raw names without the mark; GNU tar ignores it (with a
    // warning) and takes the bytes as they are either way.
    if (!isUtf8(name) || (linkname && !isUtf8(linkname))) pax.push(paxRecord('hdrcharset', 'BINARY'))
    if (sparse) {
      pax.push(paxRecord('GNU.sparse.major', '1'), paxRecord('GNU.sparse.minor', '0'))
      pax.push(paxRecord('GNU.sparse.name', name), paxRecord('GNU.sparse.realsize', String(size)))
    } else if (!fitsUstar(name) || !ascii(name)) pax.push(paxRecord('path', name))
    if (linkname && (linkname.length > 100 || !ascii(linkname))) pax.push(paxRecord('linkpath', linkname))
    if (bodySize > 0o77777777777) pax.push(paxRecord('size', String(bodySize)))
    if (e.uid > 0o7777777) pax.push(paxRecord('uid', String(e.uid)))
    if (e.gid > 0o7777777) pax.push(paxRecord('gid', String(e.gid)))
    if (nsec !== 0 || sec < 0 || sec > 0o77777777777) pax.push(paxRecord('mtime', formatPaxTime(e.mtime)))
    if (this._atime) {
      if (e.atime !== undefined) pax.push(paxRecord('atime', formatPaxTime(e.atime)))
      if (e.ctime !== undefined) pax.push(paxRecord('ctime', formatPaxTime(e.ctime)))
    }
    if (e.uname && !ascii(Buffer.from(e.uname))) pax.push(paxRecord('uname', e.uname))
    if (e.gname && !ascii(Buffer.from(e.gname))) pax.push(paxRecord('gname', e.gname))
    if (e.xattrs) {
      for (const key of Object.keys(e.xattrs).sort()) {
        const v = e.xattrs[key]
        if (key === 'system.posix_acl_access' || key === 'system.posix_acl_default') {
          const text = aclToText(v)
          if (text) pax.push(paxRecord(key === 'system.posix_acl_access' ? 'SCHILY.acl.access' : 'SCHILY.acl.default', text))
        }
        pax.push(paxRecord('SCHILY.xattr.' + key, v))
      }
    }
    const fields = {
      name: sparse ? sparseName(nameStr) : name,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: bodySize,
      mtime: sec,
      typeflag,
      linkname,
      uname: e.uname,
      gname: e.gname,
      devmajor: e.devmajor,
      devminor: e.devminor
    }
    if (pax.length > 0) {
      const body = Buffer.concat(pax)
      const base = nameStr.replace(/\/$/, '').split('/').pop() ?? ''
      const dir = nameStr.replace(/\/$/, '').split('/').slice(0, -1).join('/')
      const pname = nameToBytes(((dir ? dir + '/' : '') + 'PaxHeaders/' + base)).subarray(0, 99)
      await this._out(encodeHeader({ ...fields, name: pname, linkname: undefined, size: body.length, typeflag: 'x' }))
      await this._out(padded(body))
    }
    await this._out(encodeHeader(fields))
    if (sparse) await this._out(sparse.map)
    if (e.type === 'file') await this._content(e, sparse ? sparse.dataBytes : size)
    else if (e.content) e.content.resume()
  }

  /** Copy `size` bytes of content (all of it, or a sparse file's data ranges), then pad. */
  private async _content (e: Entry, size: number): Promise<void> {
    const c = e.content
    let n = 0
    const b = takeBuffer(c)
    if (b) {
      if (b.byteLength !== size) throw LklError.entrySize(e.path, size, b.byteLength)
      n = b.byteLength
      await this._out(b)
    } else if (c) {
      this._current = c
      for await (const chunk of c as AsyncIterable<Buffer>) {
        n += chunk.byteLength
        if (n > size) throw LklError.entrySize(e.path, size, n)
        await this._out(chunk)
      }
      this._current = null
    }
    if (n !== size) throw LklError.entrySize(e.path, size, n)
    const pad = (BLOCK - (size % BLOCK)) % BLOCK
    if (pad) await this._out(ZEROS.subarray(0, pad))
  }
}

/**
 * A file's sparse member, if it has holes and its content can tell: the
 * map block(s) and the bytes of data after them. null: store it whole.
 */
async function sparseLayout (e: Entry, size: number): Promise<{ map: Buffer, dataBytes: number } | null> {
  if (!isHoleAware(e.content)) return null
  const extents: Extent[] = await e.content.dataMap(size)
  const dataBytes = extents.reduce((n, x) => n + x[1], 0)
  // No holes (or a file that cannot tell: one range, all data): the content
  // yields the whole file, stored as usual. Once the map is asked for, the
  // content yields the data ranges only, so a file with holes is always a
  // sparse member (even the rare one whose map costs more than its holes).
  if (dataBytes === size) return null
  const last = extents[extents.length - 1]
  // GNU tar ends the map of a file that ends in a hole with (size, 0).
  if (!last || last[0] + last[1] < size) extents.push([size, 0])
  const map = padded(Buffer.from(`${extents.length}\n${extents.map(([o, n]) => `${o}\n${n}\n`).join('')}`))
  return { map, dataBytes }
}

/** GNU tar's ustar name of a sparse 1.0 member: '%d/GNUSparseFile.%p/%f', with 0 for the pid (reproducible). */
function sparseName (nameStr: string): Buffer {
  const i = nameStr.lastIndexOf('/')
  return nameToBytes((i >= 0 ? nameStr.slice(0, i + 1) : '') + 'GNUSparseFile.0/' + nameStr.slice(i + 1))
}

function padded (b: Buffer): Buffer {
  const pad = (BLOCK - (b.length % BLOCK)) % BLOCK
  return pad ? Buffer.concat([b, Buffer.alloc(pad)]) : b
}

export function tarPack (opts?: PackOptions): TarPack {
  return new TarPack(opts)
}
