// SPDX-License-Identifier: GPL-2.0-only
//
// Raw block-device streams for disk.createReadStream/createWriteStream: a
// kernel fd on the disk's (or a partition's) block device, read or written
// in large chunks through the kernel's page cache, so a mounted filesystem
// and the raw bytes agree (sync the image first for a consistent view).
// The disk stays attached while a stream is open.

import { Readable, Writable } from 'streamx'
import { native, constants as C } from '../native'
import { systemError, invalidArgType } from '../errors'
import { checkRange } from './options'

/** What the streams need from a Disk (lib/disk). */
export interface BlockDisk {
  readonly name: string
  _acquire (): Promise<number>
  _release (): Promise<void>
}

export interface BlockStreamOptions {
  /** Partition number (0 = whole disk, default). */
  partition?: number
  start?: number
  /** Inclusive (read streams). */
  end?: number
  highWaterMark?: number
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

function checkPartition (p: unknown): number {
  if (p === undefined) return 0
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) throw invalidArgType('options.partition', 'a non-negative integer', p)
  return p
}

export class BlockReadStream extends Readable {
  fd = -1
  bytesRead = 0
  private _disk: BlockDisk
  private _part: number
  private _pos: number
  private _end: number
  private _chunk: number

  constructor (disk: BlockDisk, opts: BlockStreamOptions = {}) {
    checkRange(opts)
    const chunk = opts.highWaterMark ?? CHUNK
    super({ highWaterMark: chunk, byteLength: (b: Buffer) => b.byteLength })
    this._disk = disk
    this._part = checkPartition(opts.partition)
    this._pos = opts.start ?? 0
    this._end = opts.end ?? Infinity
    this._chunk = chunk
  }

  override _open (cb: (err: Error | null) => void): void {
    openDev(this._disk, this._part, C.O_RDONLY).then((fd) => { this.fd = fd; cb(null) }, cb)
  }

  override _read (cb: (err: Error | null) => void): void {
    const left = this._end - this._pos + 1
    if (left <= 0) { this.push(null); return cb(null) }
    const len = Math.min(this._chunk, left)
    const buf = Buffer.allocUnsafe(len)
    native.read(this.fd, buf, 0, len, this._pos).then((n) => {
      if (n < 0) return cb(systemError(n, 'read', this._disk.name))
      if (n === 0) { this.push(null); return cb(null) }
      this._pos += n
      this.bytesRead += n
      this.push(n === len ? buf : buf.subarray(0, n))
      cb(null)
    }, cb)
  }

  override _destroy (cb: (err: Error | null) => void): void {
    const fd = this.fd
    this.fd = -1
    closeDev(this._disk, fd).then(() => cb(null), cb)
  }
}

export class BlockWriteStream extends Writable {
  fd = -1
  bytesWritten = 0
  private _disk: BlockDisk
  private _part: number
  private _pos: number

  constructor (disk: BlockDisk, opts: BlockStreamOptions = {}) {
    checkRange(opts)
    super({ highWaterMark: opts.highWaterMark ?? CHUNK, byteLength: (b: Buffer) => b.byteLength })
    this._disk = disk
    this._part = checkPartition(opts.partition)
    this._pos = opts.start ?? 0
  }

  override _open (cb: (err: Error | null) => void): void {
    openDev(this._disk, this._part, C.O_RDWR).then((fd) => { this.fd = fd; cb(null) }, cb)
  }

  override _writev (batch: Buffer[], cb: (err: Error | null) => void): void {
    this._write2(batch.length === 1 ? batch[0] : Buffer.concat(batch)).then(() => cb(null), cb)
  }

  private async _write2 (buf: Buffer): Promise<void> {
    for (let off = 0; off < buf.byteLength;) {
      const n = await native.write(this.fd, buf, off, Math.min(buf.byteLength - off, CHUNK * 2), this._pos)
      if (n < 0) throw systemError(n, 'write', this._disk.name)
      off += n
      this._pos += n
      this.bytesWritten += n
    }
  }

  override _final (cb: (err: Error | null) => void): void {
    native.fsync(this.fd).then((r) => cb(r < 0 ? systemError(r, 'fsync', this._disk.name) : null), cb)
  }

  override _destroy (cb: (err: Error | null) => void): void {
    const fd = this.fd
    this.fd = -1
    closeDev(this._disk, fd).then(() => cb(null), cb)
  }
}
