// SPDX-License-Identifier: GPL-2.0-only
//
// Disk: something the kernel sees as a block device. The kinds (file,
// memory, custom, overlay) differ only in how they attach; this base class
// owns the lifecycle shared by all of them:
//   - attached lazily (on the first open() or raw access), at most once;
//   - counted users (images, raw streams, probes) keep it attached;
//   - a disk made by open(path) is owned by that image and detached with
//     it; a disk the user made stays attached until disk.close() (or
//     halt()), so an overlay or a memory disk keeps its contents between
//     images;
//   - each mounted partition is claimed, so the same filesystem is never
//     mounted twice (partition 0, the whole disk, overlaps every other).

import { native, constants as C } from '../native'
import * as kernel from '../kernel'
import { LklError, systemError, invalidArgValue } from '../errors'
import type { Reader } from '../probe'
import { detect } from './resolve'
import { BlockReadStream, BlockWriteStream, BlockStreamOptions, RawHolder } from '../streams/block'

export type DiskKind = 'file' | 'memory' | 'custom' | 'overlay'

/** A partition as the kernel found it. */
export interface Partition {
  /** The kernel's number: MBR 1-4 primary, 5+ logical; GPT entry index + 1. */
  number: number
  /** Byte offset on the disk. */
  start: number
  /** Bytes. */
  size: number
  /** GPT partition name ('' on MBR). */
  name: string
  /** GPT type GUID (lowercase) or MBR type byte ('0x83'). */
  type: string
  /** GPT partition GUID, or the MBR form 'xxxxxxxx-NN'. */
  uuid: string
}

interface Closable { close (): Promise<void> }

export type RawStreamOptions = BlockStreamOptions

export abstract class Disk {
  abstract readonly kind: DiskKind
  readonly readOnly: boolean
  /** How the disk is named in messages: its host path, or '<memory disk>'. */
  readonly name: string
  /** @internal made by open(path): detached when its image closes */
  _owned = false
  private _id = -1
  private _attaching: Promise<void> | null = null
  private _users = 0
  private _idle: Array<() => void> = []
  private _claimed = new Set<number>()
  private _images = new Set<Closable>()
  private _raw = new Set<RawHolder>()
  private _closing: Promise<void> | null = null

  /** @internal */
  constructor (name: string, readOnly: boolean) {
    this.name = name
    this.readOnly = readOnly
  }

  /** Attach to the kernel; resolves with the disk id or rejects. */
  protected abstract _attach (): Promise<number>
  /** After the kernel let go of the disk (release host-side claims). */
  protected _detached (): void {}

  /** True once close() was called. */
  get closed (): boolean {
    return this._closing !== null
  }

  /** @internal the kernel's disk id, -1 when not attached */
  get _diskId (): number {
    return this._id
  }

  /** True while the kernel has the disk. */
  get attached (): boolean {
    return this._id >= 0
  }

  /** @internal Attach if needed and count a user; resolves with the id. */
  async _acquire (): Promise<number> {
    if (this._closing) throw LklError.diskClosed(this.name)
    this._users++
    try {
      if (this._id < 0) {
        this._attaching ??= this._doAttach()
        await this._attaching
      }
      return this._id
    } catch (err) {
      this._release().catch(() => {})
      throw err
    }
  }

  private async _doAttach (): Promise<void> {
    try {
      await kernel.ensureBooted()
      this._id = await this._attach()
      kernel.registerDisk(this)
    } finally {
      this._attaching = null
    }
  }

  /** @internal A user is done; an owned disk detaches with its last user. */
  async _release (): Promise<void> {
    if (--this._users > 0) return
    try {
      if (this._owned && !this._closing) await this._detach()
    } finally {
      for (const wake of this._idle.splice(0)) wake()
    }
  }

  private async _detach (): Promise<void> {
    if (this._id < 0) return
    const id = this._id
    this._id = -1
    const r = await native.diskRemove(id)
    kernel.unregisterDisk(this)
    this._detached()
    if (r < 0) throw LklError.kernel(`detach of '${this.name}'`, r)
  }

  /** @internal Claim a partition for a mount; throws ERR_LKL_IMAGE_BUSY. */
  _claim (partition: number): void {
    const busy = this._claimed.size > 0 && (partition === 0 || this._claimed.has(0) || this._claimed.has(partition))
    if (busy) throw LklError.imageBusy(this.name, partition)
    this._claimed.add(partition)
  }

  /** @internal */
  _unclaim (partition: number): void {
    this._claimed.delete(partition)
  }

  /** @internal Raw streams whose device fds close() closes. */
  _trackRaw (s: RawHolder, add: boolean): void {
    if (add) this._raw.add(s)
    else this._raw.delete(s)
  }

  /** @internal Images to close before the disk detaches. */
  _track (img: Closable, add: boolean): void {
    if (add) this._images.add(img)
    else this._images.delete(img)
  }

  /**
   * Close every image open on this disk and the raw streams reading or
   * writing it (their next read or write fails), wait for probes,
   * then detach it from the kernel. Final: the disk cannot be used again.
   * A memory disk's buffer keeps the bytes.
   */
  close (): Promise<void> {
    if (this._closing) return this._closing
    this._closing = (async () => {
      if (this._attaching) await this._attaching.catch(() => {})
      const closed = await Promise.allSettled([...this._images].map((img) => img.close()))
      // Raw streams are closed under their owners: their next read or
      // write fails with ERR_LKL_DISK_CLOSED (a paused one would hold the
      // disk, and halt(), forever).
      await Promise.allSettled([...this._raw].map((s) => s._forceClose()))
      if (this._users > 0) await new Promise<void>((resolve) => this._idle.push(resolve))
      await this._detach()
      const failed = closed.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
    })()
    return this._closing
  }

  /** The disk's size in bytes as the kernel sees it (attaches the disk). */
  async size (): Promise<number> {
    const id = await this._acquire()
    try {
      const r = await native.diskSize(id)
      if (r < 0) throw LklError.kernel(`size of '${this.name}'`, r)
      return r
    } finally {
      await this._release()
    }
  }

  /** The partitions the kernel found (MBR incl. logical, GPT); [] if none. */
  async partitions (): Promise<Partition[]> {
    const id = await this._acquire()
    try {
      const r = await native.diskPartitions(id)
      if (typeof r === 'number') throw LklError.kernel(`reading the partitions of '${this.name}'`, r)
      return r
    } finally {
      await this._release()
    }
  }

  /**
   * The filesystem on a partition (0 = the whole disk), read from its
   * superblock without mounting: `{ type, label }`, type null when no
   * known filesystem is there.
   */
  async probe (partition = 0): Promise<{ type: string | null, label: string }> {
    if (!Number.isSafeInteger(partition) || partition < 0) throw invalidArgValue('partition', partition, 'must be a partition number >= 0')
    const id = await this._acquire()
    try {
      return await detect(this, id, partition)
    } finally {
      await this._release()
    }
  }

  /**
   * @internal Run fn with a reader over a block device of the attached
   * disk (partition 0 = whole disk), through the kernel's page cache.
   */
  async _read<T> (id: number, partition: number, fn: (read: Reader) => Promise<T>): Promise<T> {
    const fd = await native.diskOpen(id, partition, C.O_RDONLY | C.O_CLOEXEC)
    if (fd < 0) throw systemError(fd, 'open', this.name)
    try {
      return await fn(async (pos, len) => {
        const buf = Buffer.alloc(len)
        let done = 0
        while (done < len) {
          const n = await native.read(fd, buf, done, len - done, pos + done)
          if (n < 0) throw systemError(n, 'read', this.name)
          if (n === 0) break
          done += n
        }
        return buf
      })
    } finally {
      await native.close(fd)
    }
  }

  /**
   * A Readable of the raw bytes (of a partition with `partition`), from
   * `start` to `end` inclusive, like fs.createReadStream. Reads go through
   * the kernel's page cache, so they agree with a mounted filesystem (sync
   * the image first). The disk stays attached while the stream is open.
   */
  createReadStream (options: RawStreamOptions = {}): BlockReadStream {
    return new BlockReadStream(this, options)
  }

  /** A Writable of raw bytes at `start` (of a partition with `partition`); fsyncs at the end. */
  createWriteStream (options: RawStreamOptions = {}): BlockWriteStream {
    if (this.readOnly) throw LklError.readOnlyDisk(this.name)
    return new BlockWriteStream(this, options)
  }
}
