// SPDX-License-Identifier: GPL-2.0-only
//
// imageWalk(img, root, opts): an object Readable of Entry, sorted pre-order
// (a directory before its children, names in byte order), symlinks not
// followed, hardlinks (same inode seen again) as 'hardlink' entries.
//
// Batched: one native call per directory (names + lstat + link targets +
// xattrs) and one per run of small files (their whole contents). Bigger
// files get a lazily opened ImageReadStream as content. Each _read does one
// such unit of work, so a paused consumer stops the walk.

import { Readable } from 'streamx'
import { native, ScanRec } from '../native'
import { systemError } from '../errors'
import { ImageCore, PathLike, checkPath, shown } from '../fs/core'
import { Entry, BufferContent, modeType, nsTime } from '../entry'
import { ImageReadStream } from './file-read'
import { checkOptions } from './options'

export interface WalkOptions {
  /** Read xattrs (incl. ACLs and capabilities); default true. */
  xattrs?: boolean
  /** Files up to this size are read in batches with their directory (default 256 KiB). */
  smallFile?: number
  /** Bytes of small-file content per batch (default 8 MiB). */
  batchBytes?: number
  /** Entries buffered ahead of the consumer (default 64). */
  highWaterMark?: number
}

const SCAN_XATTRS = 1
const SCAN_SELF = 2
const PARALLEL = 4
const PREFETCH_DIRS = 64

interface Frame {
  kdir: Buffer
  rel: string
  recs: ScanRec[] | null
  i: number
}

function join (rel: string, name: string): string {
  return rel === '.' ? name : rel + '/' + name
}

export class ImageWalk extends Readable {
  private _img: ImageCore
  private _kroot: Buffer
  private _shownRoot: string
  private _flags: number
  private _small: number
  private _batchBytes: number
  private _stack: Frame[] = []
  private _links = new Map<number, string>()

  constructor (img: ImageCore, root: PathLike = '/', opts: WalkOptions = {}) {
    checkPath(root, 'root')
    opts = checkOptions(opts)
    super({ highWaterMark: opts.highWaterMark ?? 64, byteLength: () => 1 })
    this._img = img
    const k = img._kpath(root)
    this._kroot = Buffer.isBuffer(k) ? k : Buffer.from(k)
    this._shownRoot = shown(root)
    this._flags = opts.xattrs === false ? 0 : SCAN_XATTRS
    this._small = opts.smallFile ?? 256 * 1024
    this._batchBytes = opts.batchBytes ?? 8 << 20
  }

  override _open (cb: (err: Error | null) => void): void {
    const site = new Error()
    this._img._op(() => native.scanDir(this._img._root, this._kroot, this._flags | SCAN_SELF)).then((r) => {
      if (typeof r === 'number') return cb(systemError(r, 'lstat', this._shownRoot, undefined, site))
      const rec = r[0]
      // The root itself is the first entry, '.'; a non-directory root is the only one.
      this._stack.push({ kdir: Buffer.alloc(0), rel: '', recs: [rec], i: 0 })
      this._rootRec = rec
      cb(null)
    }, cb)
  }

  private _rootRec: ScanRec | null = null

  override _read (cb: (err: Error | null) => void): void {
    this._step().then(() => cb(null), cb)
  }

  private async _step (): Promise<void> {
    for (;;) {
      const top = this._stack[this._stack.length - 1]
      if (!top) { this.push(null); return }
      if (top.recs === null) {
        const key = top.kdir.toString('latin1')
        const pre = this._prefetch.get(key)
        this._prefetch.delete(key)
        const r = await (pre ?? this._scan(top.kdir))
        if (typeof r === 'number') throw systemError(r, 'scandir', this._shown(top.rel))
        top.recs = r
        this._prefetchDirs(top)
      }
      if (top.i >= top.recs.length) { this._stack.pop(); continue }
      const rec = top.recs[top.i]
      const isRoot = rec === this._rootRec
      const rel = isRoot ? '.' : join(top.rel, rec.name.toString())
      const kpath = isRoot ? this._kroot : Buffer.concat([top.kdir, Buffer.from('/'), rec.name])
      if (rec.err < 0) {
        if (rec.err === -2) { top.i++; continue } // vanished since the listing
        throw systemError(rec.err, 'lstat', this._shown(rel))
      }
      const type = modeType(rec.mode)
      if (type === 'file' && rec.size <= this._small && !this._isLink(rec)) {
        await this._smallFiles(top)
        return
      }
      top.i++
      const entry = this._entry(rec, rel)
      if (entry.type === 'file' && !this._hardlink(rec, entry)) {
        entry.content = new ImageReadStream(this._img, kpath, { highWaterMark: 1 << 20, readahead: 16 << 20 })
      }
      this.push(entry)
      if (type === 'directory') this._stack.push({ kdir: kpath, rel, recs: null, i: 0 })
      return
    }
  }

  private _prefetch = new Map<string, Promise<ScanRec[] | number>>()

  private _scan (kdir: Buffer): Promise<ScanRec[] | number> {
    return this._img._op(() => native.scanDir(this._img._root, kdir, this._flags))
  }

  // Scan the subdirectories of this directory now, in one native call: the
  // walk descends into them next, and a call per directory would cost more
  // than the scan itself.
  private _prefetchDirs (frame: Frame): void {
    const recs = frame.recs as ScanRec[]
    const dirs: Buffer[] = []
    for (let i = frame.i; i < recs.length && dirs.length < PREFETCH_DIRS; i++) {
      const r = recs[i]
      if (r.err < 0 || (r.mode & 0o170000) !== 0o040000) continue
      const kdir = Buffer.concat([frame.kdir, Buffer.from('/'), r.name])
      if (!this._prefetch.has(kdir.toString('latin1'))) dirs.push(kdir)
    }
    if (dirs.length === 0) return
    const all = this._img._op(() => native.scanDirs(this._img._root, dirs, this._flags))
    all.catch(() => {})
    dirs.forEach((kdir, i) => this._prefetch.set(kdir.toString('latin1'), all.then((rs) => rs[i])))
  }

  private _isLink (rec: ScanRec): boolean {
    return rec.nlink > 1 && this._links.has(rec.ino)
  }

  // A run of small regular files in one directory: read them in one call.
  private async _smallFiles (top: Frame): Promise<void> {
    const recs = top.recs as ScanRec[]
    const batch: ScanRec[] = []
    let bytes = 0
    for (let i = top.i; i < recs.length && batch.length < 256; i++) {
      const r = recs[i]
      if (r.err < 0 || (r.mode & 0o170000) !== 0o100000 || r.size > this._small) break
      if (r.nlink > 1 && this._links.has(r.ino)) break
      if (bytes + r.size > this._batchBytes && batch.length > 0) break
      batch.push(r)
      bytes += r.size
    }
    const isRoot = batch[0] === this._rootRec
    const paths = batch.map((r) => isRoot ? this._kroot : Buffer.concat([top.kdir, Buffer.from('/'), r.name]))
    // Split over a few pool threads: the block reads of a cold cache overlap.
    const parts: Array<Array<string | Buffer>> = []
    const per = Math.max(8, Math.ceil(paths.length / PARALLEL))
    for (let i = 0; i < paths.length; i += per) parts.push(paths.slice(i, i + per))
    const datas = (await Promise.all(parts.map((ps) => this._img._op(() => native.readFiles(this._img._root, ps, this._small + 1))))).flat()
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]
      const rel = isRoot ? '.' : join(top.rel, rec.name.toString())
      const data = datas[i]
      top.i++
      if (typeof data === 'number') {
        if (data === -2) continue
        throw systemError(data, 'open', this._shown(rel))
      }
      const entry = this._entry(rec, rel)
      if (this._hardlink(rec, entry)) { this.push(entry); continue }
      entry.size = data.byteLength
      entry.content = new BufferContent(data)
      this.push(entry)
    }
  }

  // Second and later names of an inode become hardlink entries.
  private _hardlink (rec: ScanRec, entry: Entry): boolean {
    if (rec.nlink < 2 || entry.type === 'directory') return false
    const first = this._links.get(rec.ino)
    if (first === undefined) { this._links.set(rec.ino, entry.path); return false }
    entry.type = 'hardlink'
    entry.linkname = first
    entry.size = 0
    return true
  }

  private _entry (rec: ScanRec, rel: string): Entry {
    const type = modeType(rec.mode) ?? 'file'
    const e: Entry = {
      path: rel,
      type,
      mode: rec.mode & 0o7777,
      uid: rec.uid,
      gid: rec.gid,
      size: type === 'file' ? rec.size : 0,
      mtime: nsTime(rec.mtimeSec, rec.mtimeNsec),
      atime: nsTime(rec.atimeSec, rec.atimeNsec),
      ctime: nsTime(rec.ctimeSec, rec.ctimeNsec)
    }
    if (type === 'symlink' && rec.link) e.linkname = rec.link.toString()
    if (type === 'char' || type === 'block') { e.devmajor = rec.rdevMajor; e.devminor = rec.rdevMinor }
    if (rec.xattrs) {
      const x: Record<string, Buffer> = {}
      for (let i = 0; i < rec.xattrs.length; i += 2) {
        const name = rec.xattrs[i] as string
        // XFS also lists its on-disk form of the ACLs (system.posix_acl_* has them).
        if (name === 'trusted.SGI_ACL_FILE' || name === 'trusted.SGI_ACL_DEFAULT') continue
        x[name] = rec.xattrs[i + 1] as Buffer
      }
      if (Object.keys(x).length) e.xattrs = x
    }
    if (type === 'hardlink' || type === 'symlink') e.size = 0
    return e
  }

  private _shown (rel: string): string {
    if (rel === '.' || rel === '') return this._shownRoot
    return this._shownRoot.replace(/\/+$/, '') + '/' + rel
  }
}

export function imageWalk (img: ImageCore, root?: PathLike, opts?: WalkOptions): ImageWalk {
  return new ImageWalk(img, root, opts)
}
