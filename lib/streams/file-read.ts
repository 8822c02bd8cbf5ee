// SPDX-License-Identifier: GPL-2.0-only
//
// img.createReadStream(path, { start, end, highWaterMark }): a streamx
// Readable over a file in an image, like node's fs.ReadStream (inclusive
// `end`, fd opened in _open, closed in _destroy, one read per _read).
// Piped to a host file it stays an ordinary stream and never touches the
// other end; lkl.copyOut is the explicit native copy.

import { Readable } from 'streamx'
import { native, constants as C } from '../native'
import { systemError } from '../errors'
import { ImageCore, shown } from '../image-core'
import { PathLike, checkPath, checkRange } from '../validate'
import { nextData, dataExtents, chunkLength } from './sparse'
import type { Extent, HoleAware } from '../tree/entry'

export interface ReadStreamOptions {
  start?: number
  /** Inclusive, like node's. */
  end?: number
  /** Bytes per read (default 1 MiB). */
  highWaterMark?: number
  /** An open kernel fd to read instead of opening `path` (not closed unless autoClose). */
  fd?: number
  autoClose?: boolean
  /** Skip holes (SEEK_DATA/SEEK_HOLE): emit { position, data } chunks of the data ranges only. */
  sparse?: boolean
  /** Ask the kernel to read ahead this many bytes at a time (default 0: its own readahead). */
  readahead?: number
  /**
   * Drop the file's pages from the kernel's cache behind the reads (every
   * DROP_STEP bytes) and when the stream closes (a tree walk reads each
   * file once: its pages would only grow the process's memory; a 50 MiB
   * file read through would fill a 64 MiB kernel). Default false.
   */
  dropBehind?: boolean
}

const DEFAULT_CHUNK = 1 << 20
// dropBehind: the pages before the read position are dropped in steps of this.
const DROP_STEP = 4 << 20

export class ImageReadStream extends Readable implements HoleAware {
  readonly path: string
  bytesRead = 0
  fd: number
  private _img: ImageCore
  private _kpath: string | Buffer
  private _pos: number
  private _end: number
  private _chunk: number
  private _autoClose: boolean
  private _registered = false
  private _sparse: boolean
  private _dataEnd = -1
  private _ra: number
  private _dropBehind: boolean
  private _raEnd = 0
  private _dropped = 0 // dropBehind: pages before this offset were dropped
  /** Set by dataMap(): the ranges still to read (plain bytes, holes skipped). */
  private _extents: Extent[] | null = null

  constructor (img: ImageCore, p: PathLike, opts: ReadStreamOptions = {}) {
    const chunk = opts.highWaterMark ?? DEFAULT_CHUNK
    super({ highWaterMark: chunk, byteLength: chunkLength })
    checkPath(p)
    checkRange(opts)
    this._img = img
    this.path = shown(p)
    this._kpath = img._kpath(p)
    this._pos = opts.start ?? 0
    this._end = opts.end ?? Infinity
    this._chunk = chunk
    this.fd = opts.fd ?? -1
    this._autoClose = opts.fd === undefined || opts.autoClose === true
    this._sparse = opts.sparse === true
    this._ra = opts.readahead ?? 0
    this._dropBehind = opts.dropBehind === true
  }

  override _open (cb: (err: Error | null) => void): void {
    this._openFd().then(() => cb(null), cb)
  }

  private _opening: Promise<void> | null = null

  // Open the file once, for _open or for dataMap(), whichever comes first.
  private _openFd (): Promise<void> {
    if (this.fd >= 0) return Promise.resolve()
    const site = new Error()
    this._opening ??= this._img._op(() => native.openat(this._img._root, this._kpath, C.O_RDONLY | C.O_CLOEXEC, 0)).then((fd) => {
      if (fd < 0) throw systemError(fd, 'open', this.path, undefined, site)
      // Destroyed while dataMap() opened it (streamx waits only for _open): let go.
      if (this.destroyed) return native.close(fd).then(() => { throw new Error('The stream was destroyed') })
      this.fd = fd
      this._registered = true
      // Closed by img.close(): the next read or write fails with ERR_LKL_IMAGE_CLOSED.
      this._img._fds.set(fd, { _forceClosed: () => { this.fd = -1 } })
      this.emit('ready')
    })
    return this._opening
  }

  /**
   * The data ranges of the file up to `size` bytes from the stream's start
   * (and not past its `end`), from SEEK_DATA/SEEK_HOLE in the kernel; from
   * then on the stream yields only their bytes, in order (HoleAware: what
   * tarPack stores as a sparse member). Before the first read only.
   */
  async dataMap (size: number): Promise<Extent[]> {
    if (this.bytesRead > 0 || this._extents || this._sparse) throw new Error('dataMap() must come before the first read')
    await this._openFd()
    const to = Math.min(this._pos + size, this._end + 1)
    const fd = this.fd
    const extents = await this._img._op(() => dataExtents((off, whence) => native.lseek(fd, off, whence), this._pos, to))
    this._extents = extents.slice()
    this._dataEnd = this._pos
    return extents
  }

  override _read (cb: (err: Error | null) => void): void {
    this._read2().then(() => cb(null), cb)
  }

  private async _read2 (): Promise<void> {
    const ranged = this._sparse || this._extents !== null
    if (ranged && this._pos >= this._dataEnd) {
      const r = this._extents ? this._nextExtent() : await this._img._op(() => nextData((off, whence) => native.lseek(this.fd, off, whence), this._pos))
      if (r === null) { this.push(null); return }
      this._pos = r[0]
      this._dataEnd = r[1]
    }
    const left = Math.min(this._end + 1, ranged ? this._dataEnd : Infinity) - this._pos
    if (left <= 0) { this.push(null); return }
    if (this._ra > 0 && this._pos + this._ra / 2 >= this._raEnd) {
      // Keep a large window of reads submitted ahead of this one.
      const from = Math.max(this._pos, this._raEnd)
      const len = Math.min(this._ra, this._end + 1 - from)
      this._raEnd = from + len
      const fd = this.fd
      if (len > 0) this._img._op(() => native.readahead(fd, from, len)).catch(() => {})
    }
    const len = Math.min(this._chunk, left)
    const buf = Buffer.allocUnsafe(len)
    const pos = this._pos
    const n = await this._img._op(() => native.read(this.fd, buf, 0, len, pos))
    if (n < 0) throw systemError(n, 'read', this.path)
    if (n === 0) { this.push(null); return }
    this._pos += n
    this.bytesRead += n
    if (this._dropBehind && this._pos - this._dropped >= DROP_STEP) {
      // Only what was read: the readahead window after it stays.
      const from = this._dropped
      const len = this._pos - from
      this._dropped = this._pos
      const fd = this.fd
      this._img._op(() => native.dropCache(fd, from, len)).catch(() => {})
    }
    const data = n === len ? buf : buf.subarray(0, n)
    this.push(this._sparse ? { position: pos, data } : data)
  }

  private _nextExtent (): [number, number] | null {
    const x = (this._extents as Extent[]).shift()
    return x ? [x[0], x[0] + x[1]] : null
  }

  override _destroy (cb: (err: Error | null) => void): void {
    const fd = this.fd
    this.fd = -1
    if (fd < 0 || !this._autoClose) return cb(null)
    if (this._registered) this._img._fds.delete(fd)
    // A failed drop only leaves pages cached: not the stream's error.
    const drop = this._dropBehind ? this._img._op(() => native.dropCache(fd)).catch(() => 0) : Promise.resolve(0)
    drop.then(() => native.close(fd)).then(() => cb(null), cb)
  }
}
