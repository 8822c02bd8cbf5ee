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

import { EntryReadableBase } from '../streams/node-types'
import { native, constants as C, errno, scanFlags, ScanRec, ListingFlaws } from '../native'
import { LklError, systemError } from '../errors'
import { ImageCore, shown } from '../image-core'
import { Entry, BufferContent, modeType, nsTime } from './entry'
import { ImageReadStream } from '../streams/file-read'
import { PathLike, checkPath, checkOptions } from '../validate'
import { BadNames, ListingPolicy, MAX_DEPTH, checkBadNames, judgeListing, judgeEntry } from '../listing'
import { nameFromBytes } from '../name-bytes'

export interface WalkOptions {
  /** Read xattrs (incl. ACLs and capabilities); default true. */
  xattrs?: boolean
  /** Files up to this size are read in batches with their directory (default 256 KiB). */
  smallFile?: number
  /** Bytes of small-file content per native call (default 2 MiB; a few calls run ahead). */
  batchBytes?: number
  /** Entries buffered ahead of the consumer (default 64). */
  highWaterMark?: number
  /**
   * Corrupt directory entries (see open({ badNames })): 'error' fails the
   * walk naming the directory, 'skip' leaves them out with a warning each.
   * Default: the image's.
   */
  badNames?: BadNames
}

const LOOKAHEAD = 512
const SCAN_BUDGET = 8 << 20
const BATCH_FILES = 128
const PREFETCH_DIRS = 64

interface Frame {
  kdir: Buffer
  rel: string
  recs: ScanRec[] | null
  i: number
  /** Small-file reads are issued up to this index. */
  issued: number
  /** Directories between the walk's root and this one (the root: 0). */
  depth: number
}

function join (rel: string, name: string): string {
  return rel === '.' ? name : rel + '/' + name
}

export class ImageWalk extends EntryReadableBase {
  private _img: ImageCore
  private _kroot: Buffer
  private _shownRoot: string
  private _flags: number
  private _small: number
  private _batchBytes: number
  private _stack: Frame[] = []
  private _links = new Map<number, string>()
  private _listing: ListingPolicy

  constructor (img: ImageCore, root: PathLike = '/', opts: WalkOptions = {}) {
    checkPath(root, 'root')
    opts = checkOptions(opts)
    super({ highWaterMark: opts.highWaterMark ?? 64, byteLength: () => 1 })
    this._img = img
    const k = img._kpath(root)
    this._kroot = Buffer.isBuffer(k) ? k : Buffer.from(k)
    this._shownRoot = shown(root)
    this._flags = opts.xattrs === false ? 0 : scanFlags.xattrs
    this._small = opts.smallFile ?? 256 * 1024
    this._batchBytes = opts.batchBytes ?? 2 << 20
    this._listing = { ...img._listing, badNames: checkBadNames(opts.badNames, 'options.badNames') ?? img._listing.badNames }
  }

  override _open (cb: (err: Error | null) => void): void {
    const site = new Error()
    this._img._op(() => native.scanDir(this._img._root, this._kroot, this._flags | scanFlags.self)).then((r) => {
      if (typeof r === 'number') return cb(systemError(r, 'lstat', this._shownRoot, undefined, site))
      const rec = r[0]
      // The root itself is the first entry, '.'; a non-directory root is the only one.
      this._stack.push({ kdir: Buffer.alloc(0), rel: '', recs: [rec], i: 0, issued: 0, depth: -1 })
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
        judgeListing(r, this._shown(top.rel), this._listing)
        top.recs = r
        this._prefetchDirs(top)
      }
      if (top.i >= top.recs.length) { this._stack.pop(); continue }
      const rec = top.recs[top.i]
      const isRoot = rec === this._rootRec
      const rel = isRoot ? '.' : join(top.rel, nameFromBytes(rec.name))
      const kpath = isRoot ? this._kroot : Buffer.concat([top.kdir, Buffer.from('/'), rec.name])
      if (rec.err < 0) {
        if (rec.err === -errno.ENOENT) { top.i++; continue } // vanished since the listing
        if (!isRoot && judgeEntry(rec.err, this._shown(top.rel), rec.name, this._listing)) { top.i++; continue }
        throw systemError(rec.err, 'lstat', this._shown(rel))
      }
      const type = modeType(rec.mode)
      if (this._isSmall(rec) && !(rec.nlink > 1 && this._links.has(rec.ino))) {
        let data: Buffer | number
        if (rec.data) {
          data = rec.data // read with its directory
          rec.data = undefined
        } else {
          this._issue(top)
          const pending = this._data.get(rec)
          this._data.delete(rec)
          data = await (pending ?? this._img._op(() => native.readFiles(this._img._root, [kpath], this._small + 1)).then((d) => d[0]))
        }
        top.i++
        if (typeof data === 'number') {
          if (data === -errno.ENOENT) continue
          throw systemError(data, 'open', this._shown(rel))
        }
        const entry = this._entry(rec, rel)
        if (!this._hardlink(rec, entry)) {
          entry.size = data.byteLength
          entry.content = new BufferContent(data)
        }
        this.push(entry)
        return
      }
      top.i++
      const entry = this._entry(rec, rel)
      if (entry.type === 'file' && !this._hardlink(rec, entry)) {
        entry.content = new ImageReadStream(this._img, kpath, { highWaterMark: 1 << 20, readahead: 16 << 20, dropBehind: true })
      }
      this.push(entry)
      if (type === 'directory') {
        const depth = top.depth + 1
        if (depth > MAX_DEPTH) throw LklError.tooDeep(this._shown(rel), MAX_DEPTH)
        this._stack.push({ kdir: kpath, rel, recs: null, i: 0, issued: 0, depth })
      }
      return
    }
  }

  private _prefetch = new Map<string, Promise<(ScanRec[] & ListingFlaws) | number>>()

  private _scan (kdir: Buffer): Promise<(ScanRec[] & ListingFlaws) | number> {
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
      if (r.err < 0 || (r.mode & C.S_IFMT) !== C.S_IFDIR) continue
      const kdir = Buffer.concat([frame.kdir, Buffer.from('/'), r.name])
      if (!this._prefetch.has(kdir.toString('latin1'))) dirs.push(kdir)
    }
    if (dirs.length === 0) return
    const all = this._img._op(() => native.scanDirs(this._img._root, dirs, this._flags, this._small, SCAN_BUDGET))
    all.catch(() => {})
    dirs.forEach((kdir, i) => {
      const one = all.then((rs) => rs[i])
      one.catch(() => {}) // the walk may end (or the image close) before it is used
      this._prefetch.set(kdir.toString('latin1'), one)
    })
  }

  private _isSmall (r: ScanRec): boolean {
    return r.err >= 0 && (r.mode & C.S_IFMT) === C.S_IFREG && r.size <= this._small
  }

  // Small files are read whole, many per native call, a few calls ahead of
  // the walk (bounded: LOOKAHEAD entries, BATCH_FILES/batchBytes per call).
  private _data = new Map<ScanRec, Promise<Buffer | number>>()

  private _issue (frame: Frame): void {
    const recs = frame.recs as ScanRec[]
    if (frame.issued < frame.i) frame.issued = frame.i
    while (frame.issued < recs.length && frame.issued - frame.i < LOOKAHEAD) {
      const batch: ScanRec[] = []
      let bytes = 0
      let i = frame.issued
      for (; i < recs.length && batch.length < BATCH_FILES && bytes < this._batchBytes; i++) {
        const r = recs[i]
        if (!this._isSmall(r) || r.data || (r.nlink > 1 && this._links.has(r.ino))) continue
        batch.push(r)
        bytes += r.size
      }
      frame.issued = i
      if (batch.length === 0) continue
      const paths = batch.map((r) => frame.rel === '' ? this._kroot : Buffer.concat([frame.kdir, Buffer.from('/'), r.name]))
      const p = this._img._op(() => native.readFiles(this._img._root, paths, this._small + 1))
      p.catch(() => {})
      batch.forEach((r, k) => {
        const one = p.then((d) => d[k])
        one.catch(() => {})
        this._data.set(r, one)
      })
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
    if (type === 'symlink' && rec.link) e.linkname = nameFromBytes(rec.link)
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
