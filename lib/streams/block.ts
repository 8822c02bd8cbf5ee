// SPDX-License-Identifier: GPL-2.0-only
//
// Raw block-device streams for disk.createReadStream/createWriteStream: a
// kernel fd on the disk's (or a partition's) block device, read or written
// in large chunks through the kernel's page cache, so a mounted filesystem
// and the raw bytes agree (sync the image first for a consistent view).
// The disk stays attached while a stream is open; disk.close() (and so
// lkl.halt()) closes a stream's device fd under it (_forceClose), and the
// stream's next read or write fails with ERR_LKL_DISK_CLOSED.

import { Readable, Writable } from 'streamx'
import { native, constants as C } from '../native'
import { systemError, LklError } from '../errors'
import { checkRange, checkPartitionNumber } from '../validate'
import { nextData, chunkLength } from './sparse'
import * as fs from 'fs'

/** What the streams need from a Disk (lib/disk). */
export interface BlockDisk {
  readonly name: string
  readonly kind?: string
  readonly path?: string | Buffer
  partitions? (): Promise<Array<{ number: number, start: number }>>
  _acquire (): Promise<number>
  _release (): Promise<void>
  /** Streams disk.close() closes: added once open, removed once closed. */
  _trackRaw? (s: RawHolder, add: boolean): void
}

/** A raw stream as its disk sees it: a device fd it can close. */
export interface RawHolder { _forceClose (): Promise<void> }

export interface BlockStreamOptions {
  /** Partition number (0 = whole disk, default). */
  partition?: number
  start?: number
  /** Inclusive (read streams). */
  end?: number
  highWaterMark?: number
  /**
   * Read streams: skip unallocated ranges and emit { position, data }
   * chunks. On a file disk the holes of the host file are skipped (sync the
   * image first: data still in the kernel's cache is not in the file yet);
   * on other disks, all-zero chunks.
   */
  sparse?: boolean
}

const CHUNK = 4 << 20

async function openDev (disk: BlockDisk, partition: number, flags: number): Promise<number> {
  const id = await disk._acquire()
  const fd = await native.diskOpen(id, partition, flags | C.O_CLOEXEC)
  if (fd < 0) {
    await disk._release()
    throw systemError(fd, 'open', disk.name + (partition ? `:${partition}` : ''))
  }
  return fd
}

async function closeDev (disk: BlockDisk, fd: number): Promise<void> {
  if (fd < 0) return
  await native.close(fd)
  await disk._release()
}

// The stream's fd, taken from it (the stream keeps -1): for _destroy and
// for the disk's _forceClose, whichever runs first; the other gets -1.
function takeFd (s: { fd: number, _disk: BlockDisk } & RawHolder): number {
  const fd = s.fd
  s.fd = -1
  if (fd >= 0) s._disk._trackRaw?.(s, false)
  return fd
}

// A stream's read or write call in flight on a pool thread, awaited before
// its fd is closed under it (disk.close(), destroy): closing first would
// make that call fail with EBADF, or reach whatever reused the fd number.
// The call completes; the stream's next one finds fd -1 (ERR_LKL_DISK_CLOSED).
interface InFlight { _inflight: Promise<number> | null }

async function call (s: InFlight, p: Promise<number>): Promise<number> {
  s._inflight = p
  try {
    return await p
  } finally {
    s._inflight = null
  }
}

async function closeUnder (s: { fd: number, _disk: BlockDisk } & RawHolder & InFlight): Promise<void> {
  const fd = takeFd(s)
  if (s._inflight) await s._inflight.catch(() => 0)
  await closeDev(s._disk, fd)
}

function usable (s: { fd: number, _disk: BlockDisk }): void {
  if (s.fd < 0) throw LklError.diskClosed(s._disk.name)
}

export class BlockReadStream extends Readable implements RawHolder, InFlight {
  fd = -1
  /** @internal */
  _inflight: Promise<number> | null = null
  bytesRead = 0
  /** @internal */
  _disk: BlockDisk
  private _part: number
  private _pos: number
  private _end: number
  private _chunk: number
  private _sparse: boolean
  private _hostFd = -1
  private _base = 0
  private _dataEnd = -1

  constructor (disk: BlockDisk, opts: BlockStreamOptions = {}) {
    checkRange(opts)
    const chunk = opts.highWaterMark ?? CHUNK
    super({ highWaterMark: chunk, byteLength: chunkLength })
    this._disk = disk
    this._part = checkPartitionNumber(opts.partition)
    this._pos = opts.start ?? 0
    this._end = opts.end ?? Infinity
    this._chunk = chunk
    this._sparse = opts.sparse === true
  }

  override _open (cb: (err: Error | null) => void): void {
    this._open2().then(() => cb(null), cb)
  }

  private async _open2 (): Promise<void> {
    this.fd = await openDev(this._disk, this._part, C.O_RDONLY)
    this._disk._trackRaw?.(this, true)
    if (!this._sparse || this._disk.kind !== 'file' || this._disk.path === undefined) return
    // Holes of the host file: asked of the host with SEEK_DATA/SEEK_HOLE.
    if (this._part > 0 && this._disk.partitions) {
      const p = (await this._disk.partitions()).find((x) => x.number === this._part)
      if (!p) return
      this._base = p.start
    }
    this._hostFd = await new Promise<number>((resolve, reject) => fs.open(this._disk.path as string, 'r', (err, fd) => err ? reject(err) : resolve(fd)))
  }

  override _read (cb: (err: Error | null) => void): void {
    this._read2().then(() => cb(null), cb)
  }

  private async _read2 (): Promise<void> {
    for (;;) {
      if (this._hostFd >= 0 && this._pos >= this._dataEnd) {
        const seek = (off: number, whence: number): number => {
          const r = native.hostSeek(this._hostFd, off + this._base, whence)
          return r < 0 ? r : r - this._base
        }
        const r = await nextData(seek, this._pos)
        if (r === null) { this.push(null); return }
        this._pos = Math.max(this._pos, r[0])
        this._dataEnd = r[1]
      }
      const limit = Math.min(this._end + 1, this._hostFd >= 0 ? this._dataEnd : Infinity)
      const left = limit - this._pos
      if (left <= 0) {
        if (this._hostFd >= 0 && this._pos < this._end + 1) continue
        this.push(null)
        return
      }
      const len = Math.min(this._chunk, left)
      const buf = Buffer.allocUnsafe(len)
      const pos = this._pos
      usable(this)
      const n = await call(this, native.read(this.fd, buf, 0, len, pos))
      if (n < 0) throw systemError(n, 'read', this._disk.name)
      if (n === 0) { this.push(null); return }
      this._pos += n
      this.bytesRead += n
      const data = n === len ? buf : buf.subarray(0, n)
      if (!this._sparse) { this.push(data); return }
      if (this._hostFd < 0 && isZero(data)) continue
      this.push({ position: pos, data })
      return
    }
  }

  /** @internal disk.close(): close the device fd under the stream. */
  async _forceClose (): Promise<void> {
    await closeUnder(this)
  }

  override _destroy (cb: (err: Error | null) => void): void {
    if (this._hostFd >= 0) fs.close(this._hostFd, () => {})
    this._hostFd = -1
    closeUnder(this).then(() => cb(null), cb)
  }
}

const ZERO = Buffer.alloc(64 * 1024)

function isZero (b: Buffer): boolean {
  for (let off = 0; off < b.byteLength; off += ZERO.byteLength) {
    const end = Math.min(b.byteLength, off + ZERO.byteLength)
    if (b.compare(ZERO, 0, end - off, off, end) !== 0) return false
  }
  return true
}

export class BlockWriteStream extends Writable implements RawHolder, InFlight {
  fd = -1
  /** @internal */
  _inflight: Promise<number> | null = null
  bytesWritten = 0
  /** @internal */
  _disk: BlockDisk
  private _part: number
  private _pos: number

  constructor (disk: BlockDisk, opts: BlockStreamOptions = {}) {
    checkRange(opts)
    super({ highWaterMark: opts.highWaterMark ?? CHUNK, byteLength: (b: Buffer) => b.byteLength })
    this._disk = disk
    this._part = checkPartitionNumber(opts.partition)
    this._pos = opts.start ?? 0
  }

  override _open (cb: (err: Error | null) => void): void {
    openDev(this._disk, this._part, C.O_RDWR).then((fd) => {
      this.fd = fd
      this._disk._trackRaw?.(this, true)
      cb(null)
    }, cb)
  }

  override _writev (batch: Buffer[], cb: (err: Error | null) => void): void {
    this._write2(batch.length === 1 ? batch[0] : Buffer.concat(batch)).then(() => cb(null), cb)
  }

  private async _write2 (buf: Buffer): Promise<void> {
    for (let off = 0; off < buf.byteLength;) {
      usable(this)
      const n = await call(this, native.write(this.fd, buf, off, Math.min(buf.byteLength - off, CHUNK * 2), this._pos))
      if (n < 0) throw systemError(n, 'write', this._disk.name)
      off += n
      this._pos += n
      this.bytesWritten += n
    }
  }

  override _final (cb: (err: Error | null) => void): void {
    if (this.fd < 0) return cb(LklError.diskClosed(this._disk.name))
    native.fsync(this.fd).then((r) => cb(r < 0 ? systemError(r, 'fsync', this._disk.name) : null), cb)
  }

  /** @internal disk.close(): close the device fd under the stream. */
  async _forceClose (): Promise<void> {
    await closeUnder(this)
  }

  override _destroy (cb: (err: Error | null) => void): void {
    closeUnder(this).then(() => cb(null), cb)
  }
}
