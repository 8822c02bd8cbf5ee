// SPDX-License-Identifier: GPL-2.0-only
//
// tarUnpack(opts): tar bytes in, Entry objects out (a streamx Duplex).
// Reads ustar/GNU headers, pax (local and global, binary-safe), GNU long
// names, SCHILY.xattr.* and LIBARCHIVE.xattr.* xattrs, GNU tar's
// SCHILY.acl.access/default (converted to the binary system.posix_acl_*
// xattrs) and GNU sparse members in pax formats 0.1 and 1.0 and in the old
// GNU format ('S' members with extension blocks) (holes come out
// as zeroes; imageWriter turns them back into holes).
//
// Each file's content is a Readable fed from the input; the parser waits
// when that content (or the entry queue) is full, so memory stays bounded.
// Consume or destroy each content stream.

import { Duplex, Readable } from 'streamx'
import { Entry, EntryType, BufferContent } from '../tree/entry'
import { BLOCK, RawHeader, decodeHeader, isZeroBlock, parsePax, parsePaxTime, gnuSparseMap, gnuSparseRealsize } from './header'
import { aclFromText } from './acl'
import { checkOptions } from '../validate'

export interface UnpackOptions {
  /** Entries queued ahead of the consumer (default 64). */
  highWaterMark?: number
}

const TYPES: Record<string, EntryType> = { 0: 'file', 7: 'file', 1: 'hardlink', 2: 'symlink', 3: 'char', 4: 'block', 5: 'directory', 6: 'fifo' }
const MAX_META = 64 << 20
const SMALL = 1 << 20
const ZERO = Buffer.alloc(1 << 20)

type Op = { zero: number } | { data: number }

class Content extends Readable {
  private _parser: TarUnpack
  constructor (parser: TarUnpack) {
    super({ highWaterMark: 1 << 20, byteLength: (b: Buffer) => b.byteLength })
    this._parser = parser
    // Errors also reach the tar stream; an unread content must not crash.
    this.on('error', () => {})
  }

  override _read (cb: (err: Error | null) => void): void {
    cb(null)
    this._parser._wake()
  }

  override _destroy (cb: (err: Error | null) => void): void {
    cb(null)
    this._parser._wake()
  }
}

function tarError (message: string, path?: string): Error {
  const e = new Error(message) as Error & { code: string, path?: string }
  e.code = 'ERR_LKL_TAR_INVALID'
  if (path !== undefined) e.path = path
  return e
}

function tidy (p: string): string {
  while (p.startsWith('./')) p = p.slice(2).replace(/^\/+/, '')
  if (p === '' || p === '.') return '.'
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

export class TarUnpack extends Duplex {
  private _chunks: Buffer[] = []
  private _avail = 0
  private _offset = 0 // bytes of input consumed
  private _writeCb: ((err: Error | null) => void) | null = null
  private _running = false
  private _consumer = false // the last stop waits for a consumer, not input
  private _state: 'header' | 'meta' | 'sparsemap' | 'gnusparse' | 'data' | 'skip' | 'eof' = 'header'
  private _gnuMap: number[] = [] // old-GNU sparse map collected across extension blocks
  private _need = 0 // meta: bytes of the pax/long-name body; skip: bytes to drop
  private _metaType = ''
  private _pax = new Map<string, Buffer>()
  private _global = new Map<string, Buffer>()
  private _longName: Buffer | null = null
  private _longLink: Buffer | null = null
  private _entry: Entry | null = null
  private _content: Content | null = null
  private _left = 0 // archive bytes of the current entry not yet consumed
  private _pad = 0
  private _plan: Op[] = []
  private _last = ''
  private _blocked = false

  constructor (opts: UnpackOptions = {}) {
    opts = checkOptions(opts)
    const hwm = opts.highWaterMark ?? 64
    super({ highWaterMark: hwm, byteLengthReadable: () => 1, byteLengthWritable: (b: Buffer) => Math.ceil(b.byteLength / 65536) })
  }

  override _write (data: Buffer, cb: (err: Error | null) => void): void {
    this._chunks.push(data)
    this._avail += data.byteLength
    this._writeCb = cb
    this._run()
  }

  override _read (cb: (err: Error | null) => void): void {
    cb(null)
    this._blocked = false
    this._run()
  }

  override _final (cb: (err: Error | null) => void): void {
    this._run()
    if (this._state === 'eof' || (this._state === 'header' && this._avail === 0)) {
      this.push(null)
      return cb(null)
    }
    const e = this._entry
    const err = e
      ? tarError(`Unexpected end of tar data in '${e.path}' (truncated entry)`, e.path)
      : tarError(`Unexpected end of tar data after '${this._last || '(start)'}' (truncated header)`, this._last || undefined)
    if (this._content) this._content.destroy(err)
    cb(err)
  }

  override _predestroy (): void {
    if (this._content) this._content.destroy()
    const cb = this._writeCb
    this._writeCb = null
    if (cb) cb(null)
  }

  /** @internal Content or entry queue has room again. */
  _wake (): void {
    this._run()
  }

  private _run (): void {
    if (this._running || this.destroying) return
    this._running = true
    try {
      this._consumer = false
      while (this._step()) this._consumer = false
    } catch (err) {
      if (this._content) this._content.destroy(err as Error)
      this._content = null
      this.destroy(err as Error)
    }
    this._running = false
    if (!this._consumer || this._state === 'eof') {
      if (this._state === 'eof') this._drop(this._avail)
      const cb = this._writeCb
      this._writeCb = null
      if (cb) cb(null)
    }
  }

  private _take (n: number): Buffer {
    this._avail -= n
    this._offset += n
    const first = this._chunks[0]
    if (first.byteLength === n) { this._chunks.shift(); return first }
    if (first.byteLength > n) { this._chunks[0] = first.subarray(n); return first.subarray(0, n) }
    const out = Buffer.allocUnsafe(n)
    let off = 0
    while (off < n) {
      const c = this._chunks[0]
      const k = Math.min(c.byteLength, n - off)
      c.copy(out, off, 0, k)
      off += k
      if (k === c.byteLength) this._chunks.shift()
      else this._chunks[0] = c.subarray(k)
    }
    return out
  }

  // Up to n bytes without copying (the first chunk's share).
  private _takeSome (n: number): Buffer {
    return this._take(Math.min(n, this._chunks[0].byteLength))
  }

  private _drop (n: number): void {
    while (n > 0 && this._avail > 0) n -= this._takeSome(n).byteLength
  }

  // One unit of parsing; false when it must wait for input or a consumer.
  private _step (): boolean {
    switch (this._state) {
      case 'eof':
        return false
      case 'header': {
        if (this._blocked) return this._wait()
        if (this._avail < BLOCK) return false
        const at = this._offset
        const block = this._take(BLOCK)
        if (isZeroBlock(block)) { this._state = 'eof'; return false }
        let h: RawHeader
        try {
          h = decodeHeader(block)
        } catch (err) {
          throw tarError(`Invalid tar header at byte ${at} (${(err as Error).message}), after the entry '${this._last || '(none)'}'`, this._last || undefined)
        }
        return this._header(h, block)
      }
      case 'meta': {
        const padded = Math.ceil(this._need / BLOCK) * BLOCK
        if (this._avail < padded) return false
        const body = this._take(padded).subarray(0, this._need)
        this._meta(body)
        this._state = 'header'
        return true
      }
      case 'sparsemap':
        return this._sparseMap()
      case 'gnusparse':
        return this._gnuSparseExt()
      case 'data':
        return this._data()
      case 'skip': {
        if (this._avail === 0) return this._need === 0 ? this._endEntry() : false
        if (this._need > 0) this._need -= this._takeSome(this._need).byteLength
        return this._need === 0 ? this._endEntry() : true
      }
    }
  }

  private _meta (body: Buffer): void {
    const t = this._metaType
    if (t === 'L') this._longName = body.subarray(0, body.indexOf(0) < 0 ? body.length : body.indexOf(0))
    else if (t === 'K') this._longLink = body.subarray(0, body.indexOf(0) < 0 ? body.length : body.indexOf(0))
    else {
      let recs: Map<string, Buffer>
      try {
        recs = parsePax(Buffer.from(body))
      } catch (err) {
        throw tarError(`Invalid pax header after the entry '${this._last || '(none)'}': ${(err as Error).message}`)
      }
      const into = t === 'g' ? this._global : this._pax
      for (const [k, v] of recs) into.set(k, v)
    }
  }

  private _header (h: RawHeader, block: Buffer): boolean {
    const t = h.typeflag
    // Old-GNU sparse member (GNU tar -S in its default format): a file whose
    // map is in this header and in extension blocks before the data.
    const gnuSparse = t === 'S' ? gnuSparseMap(block, 386, 4, 482) : null
    if (t === 'x' || t === 'g' || t === 'L' || t === 'K') {
      if (h.size > MAX_META) throw tarError(`A ${t} header of ${h.size} bytes after '${this._last}' is too big`)
      this._metaType = t
      this._need = h.size
      this._state = 'meta'
      return true
    }
    const pax = this._global.size ? new Map([...this._global, ...this._pax]) : this._pax
    this._pax = new Map()
    const str = (k: string): string | undefined => pax.get(k)?.toString()
    let rawName = str('path') ?? (this._longName ? this._longName.toString() : h.name.toString())
    const sparseName = str('GNU.sparse.name')
    if (sparseName !== undefined) rawName = sparseName
    const path = tidy(rawName)
    this._last = path
    const type = gnuSparse ? 'file' : TYPES[t]
    if (type === undefined) {
      if (t === 'V') { this._skipEntry(h.size); return true } // volume label
      throw tarError(`Unsupported tar entry type '${t}' for '${path}'`, path)
    }
    const num = (k: string, d: number): number => {
      const v = str(k)
      if (v === undefined) return d
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n < 0) throw tarError(`Invalid pax ${k} '${v}' for '${path}'`, path)
      return n
    }
    const time = (k: string): bigint | undefined => {
      const v = str(k)
      if (v === undefined) return undefined
      const n = parsePaxTime(v)
      if (n === null) throw tarError(`Invalid pax ${k} '${v}' for '${path}'`, path)
      return n
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
      const l = str('linkpath') ?? (this._longLink ? this._longLink.toString() : h.linkname.toString())
      e.linkname = type === 'hardlink' ? tidy(l) : l
    }
    this._longName = null
    this._longLink = null
    if (type === 'char' || type === 'block') { e.devmajor = h.devmajor; e.devminor = h.devminor }
    this._xattrs(e, pax)
    this._entry = e
    if (type !== 'file') {
      this._emit(e)
      this._skipEntry(archiveSize)
      return true
    }
    this._left = archiveSize
    this._pad = (BLOCK - (archiveSize % BLOCK)) % BLOCK
    const major = str('GNU.sparse.major')
    const map0 = str('GNU.sparse.map')
    if (archiveSize <= SMALL && this._avail >= archiveSize && !gnuSparse && major === undefined && map0 === undefined && !pax.has('GNU.sparse.offset')) {
      // A small file already in the input: its content is one Buffer (sinks take it without streaming).
      e.size = archiveSize
      e.content = new BufferContent(archiveSize ? this._take(archiveSize) : Buffer.alloc(0))
      this._left = 0
      this._state = 'data'
      this._emit(e)
      this._skipEntry(0)
      return true
    }
    this._content = new Content(this)
    e.content = this._content
    const minor = str('GNU.sparse.minor')
    const map = map0
    if (gnuSparse) {
      e.size = num('GNU.sparse.realsize', gnuSparseRealsize(block))
      this._gnuMap = gnuSparse.map
      if (gnuSparse.extended) {
        this._state = 'gnusparse'
      } else {
        this._plan = this._sparsePlan(this._gnuMap, e.size, path)
        this._state = 'data'
      }
    } else if (major === '1' && minor === '0') {
      e.size = num('GNU.sparse.realsize', 0)
      this._need = 0
      this._sparseText = ''
      this._state = 'sparsemap'
    } else if (map !== undefined || (major === '0' && minor === '1')) {
      e.size = num('GNU.sparse.realsize', num('GNU.sparse.size', 0))
      const nums = (map ?? '').split(',').filter((s) => s !== '').map(Number)
      this._plan = this._sparsePlan(nums, e.size, path)
      this._state = 'data'
    } else if (pax.has('GNU.sparse.offset')) {
      throw tarError(`Unsupported GNU sparse format 0.0 for '${path}'`, path)
    } else {
      e.size = archiveSize
      this._plan = archiveSize > 0 ? [{ data: archiveSize }] : []
      this._state = 'data'
    }
    this._emit(e)
    return true
  }

  private _sparseText = ''

  // Old-GNU sparse extension blocks: 21 more map slots each, and a flag
  // saying whether another block follows. They precede the data and are
  // not counted in the member's size.
  private _gnuSparseExt (): boolean {
    if (this._avail < BLOCK) return false
    const ext = gnuSparseMap(this._take(BLOCK), 0, 21, 504)
    this._gnuMap.push(...ext.map)
    if (this._gnuMap.length > 2 * 1024 * 1024) throw tarError(`Invalid sparse map for '${this._last}'`, this._last)
    if (ext.extended) return true
    this._plan = this._sparsePlan(this._gnuMap, (this._entry as Entry).size, this._last)
    this._state = 'data'
    return true
  }

  // PAX 1.0 sparse: the map is decimal lines at the start of the data.
  private _sparseMap (): boolean {
    if (this._avail < BLOCK) return false
    if (this._left < BLOCK) throw tarError(`Invalid sparse map for '${this._last}'`, this._last)
    this._sparseText += this._take(BLOCK).toString('latin1')
    this._left -= BLOCK
    const lines = this._sparseText.split('\n')
    const count = Number(lines[0])
    if (lines.length < 2 || !Number.isSafeInteger(count)) return true
    if (lines.length - 1 < 1 + count * 2) {
      if (this._sparseText.length > MAX_META) throw tarError(`Invalid sparse map for '${this._last}'`, this._last)
      return true
    }
    const nums = lines.slice(1, 1 + count * 2).map(Number)
    this._plan = this._sparsePlan(nums, (this._entry as Entry).size, this._last)
    this._state = 'data'
    return true
  }

  private _sparsePlan (nums: number[], realsize: number, path: string): Op[] {
    const plan: Op[] = []
    let pos = 0
    for (let i = 0; i + 1 < nums.length; i += 2) {
      const [off, len] = [nums[i], nums[i + 1]]
      if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < pos) throw tarError(`Invalid sparse map for '${path}'`, path)
      if (off > pos) plan.push({ zero: off - pos })
      if (len > 0) plan.push({ data: len })
      pos = off + len
    }
    if (realsize > pos) plan.push({ zero: realsize - pos })
    return plan
  }

  private _data (): boolean {
    const c = this._content as Content
    if (c.destroyed) {
      // The consumer does not want this content: drop the rest.
      this._plan = []
    }
    const op = this._plan[0]
    if (!op) {
      c.push(null)
      this._content = null
      this._skipEntry(this._left)
      this._left = 0
      return true
    }
    if (c.destroying) return this._wait()
    let more: boolean
    if ('zero' in op) {
      const n = Math.min(op.zero, ZERO.length)
      op.zero -= n
      if (op.zero === 0) this._plan.shift()
      more = c.push(ZERO.subarray(0, n))
    } else {
      if (this._avail === 0) return false
      if (op.data > this._left) throw tarError(`Invalid sparse data for '${this._last}'`, this._last)
      const b = this._takeSome(op.data)
      op.data -= b.byteLength
      this._left -= b.byteLength
      if (op.data === 0) this._plan.shift()
      more = c.push(b)
    }
    return more || this._wait()
  }

  private _wait (): false {
    this._consumer = true
    return false
  }

  private _skipEntry (size: number): void {
    this._need = size + (this._state === 'data' ? this._pad : (BLOCK - (size % BLOCK)) % BLOCK)
    this._state = 'skip'
  }

  private _endEntry (): boolean {
    this._entry = null
    this._state = 'header'
    return true
  }

  private _emit (e: Entry): void {
    if (!this.push(e)) this._blocked = true
  }

  private _xattrs (e: Entry, pax: Map<string, Buffer>): void {
    let x: Record<string, Buffer> | null = null
    const set = (k: string, v: Buffer): void => { (x ??= {})[k] = Buffer.from(v) }
    for (const [k, v] of pax) {
      if (k.startsWith('SCHILY.xattr.')) set(k.slice(13), v)
      else if (k.startsWith('LIBARCHIVE.xattr.')) set(decodeURIComponent(k.slice(17)), Buffer.from(v.toString(), 'base64'))
    }
    for (const [k, name] of [['SCHILY.acl.access', 'system.posix_acl_access'], ['SCHILY.acl.default', 'system.posix_acl_default']]) {
      const v = pax.get(k)
      if (v === undefined || (x && x[name])) continue
      try {
        set(name, aclFromText(v.toString()))
      } catch (err) {
        throw tarError(`Invalid ${k} for '${e.path}': ${(err as Error).message}`, e.path)
      }
    }
    if (x) e.xattrs = x
  }
}

export function tarUnpack (opts?: UnpackOptions): TarUnpack {
  return new TarUnpack(opts)
}
