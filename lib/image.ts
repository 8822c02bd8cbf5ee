// SPDX-License-Identifier: GPL-2.0-only
//
// lkl.open() and Image: one filesystem of a disk (a host file by default)
// mounted in the kernel, and the fs shim over it.

import { mountOptionsFor } from './mount-options'
import { native, constants as C, errno } from './native'
import { LklError, invalidArgType, systemError } from './errors'
import * as kernel from './kernel'
import { canonicalFsType, FsType } from './fstype-aliases'
import { ImageCore, kernelPath } from './image-core'
import { PathLike, checkPath, checkPartitionSpec, isObject } from './validate'
import { imageWalk, ImageWalk, WalkOptions } from './tree/image-walk'
import { imageWriter, ImageWriter, WriterOptions } from './tree/image-writer'
import { ImageReadStream, ReadStreamOptions } from './streams/file-read'
import { ImageWriteStream, WriteStreamOptions } from './streams/file-write'
import { createFs, Fs } from './fs/shim'
import { Disk, FileDisk, OverlayDisk } from './disk'
import { PartitionSpec, resolvePartition, wholeDiskOrOnlyPartition, detect, diagnose } from './disk/resolve'
import { BadNames, WarningHandler, ListingPolicy, checkBadNames } from './listing'

export interface OpenOptions {
  /** Filesystem type ('ext4', 'vfat', 'btrfs', ...) or 'auto' (default). */
  type?: FsType | 'auto'
  /**
   * Partition number (MBR: 1-4 primary, 5+ logical; GPT: 1+; 0 = whole
   * disk), or `{ label }` (filesystem label) or `{ partlabel }` (GPT name).
   */
  partition?: PartitionSpec
  /**
   * Mount read-only. A path is then opened through an overlay, so that a
   * journal replay goes to memory and the file is never written.
   */
  readOnly?: boolean
  /** Filesystem mount options, e.g. 'noatime' or 'data=journal'. */
  mountOptions?: string
  /**
   * When another process has the image file open in a conflicting way
   * (writing, or reading while this opens it for writing), wait for it
   * instead of failing with ERR_LKL_IMAGE_BUSY (default false). A path only.
   */
  wait?: boolean
  /**
   * Directory entries a corrupt filesystem hands out that must never be
   * followed (names that are empty, hold a NUL byte, or repeat '.' or '..';
   * entries the kernel finds loop): 'error' (default) fails the listing with
   * ERR_LKL_CORRUPT_NAME naming the directory; 'skip' leaves them out, with
   * one warning each (onWarning). For img.fs readdir/opendir and img.walk.
   */
  badNames?: BadNames
  /** Where this image's warnings go (skipped entries); default process.emitWarning. */
  onWarning?: WarningHandler
}

/** Like node:fs's StatFs. */
export interface StatFs {
  type: number
  bsize: number
  blocks: number
  bfree: number
  bavail: number
  files: number
  ffree: number
}

export class Image implements ImageCore, kernel.OpenImage {
  /** The host file, as given to open() (or the disk's name). */
  readonly path: string
  /** The disk the filesystem is on. */
  readonly disk: Disk
  /** The filesystem type mounted. */
  readonly type: string
  /** The partition mounted (the kernel's number; 0 = whole disk). */
  readonly partition: number
  readonly readOnly: boolean
  readonly fs: Fs
  /** @internal */ _fds = new Map<number, { _forceClosed (): void }>()
  /** @internal */ _root: number
  /** @internal */ _listing: ListingPolicy
  private _mount: string
  private _pending = 0
  private _idle: Array<() => void> = []
  private _closing: Promise<void> | null = null
  private _unmounted = false

  /** @internal use lkl.open() */
  constructor (disk: Disk, type: string, partition: number, readOnly: boolean, mount: string, root: number, listing: ListingPolicy) {
    this.disk = disk
    this._listing = listing
    this._root = root
    this.path = disk.name
    this.type = type
    this.partition = partition
    this.readOnly = readOnly
    this._mount = mount
    this.fs = createFs(this)
  }

  get closed (): boolean {
    return this._closing !== null
  }

  /** @internal */
  _op<T> (fn: () => Promise<T>): Promise<T> {
    if (this._closing) return Promise.reject(LklError.imageClosed())
    this._pending++
    const done = (): void => {
      if (--this._pending === 0) for (const resolve of this._idle.splice(0)) resolve()
    }
    return fn().finally(done)
  }

  /** @internal */
  _kpath (p: PathLike): string | Buffer {
    return kernelPath(p)
  }

  /** @internal */
  _exitState (): { fds: number[], mount: string | null } {
    return { fds: this._unmounted ? [] : [...this._fds.keys(), this._root], mount: this._unmounted ? null : this._mount }
  }

  /** Flush everything written to this image to its disk (syncfs). */
  sync (): Promise<void> {
    const site = new Error()
    return this._op(async () => {
      const fd = await native.openat(this._root, '/', C.O_RDONLY | C.O_DIRECTORY | C.O_CLOEXEC, 0)
      if (fd < 0) throw systemError(fd, 'sync', undefined, undefined, site)
      const r = await native.syncfs(fd)
      await native.close(fd)
      if (r < 0) throw systemError(r, 'sync', undefined, undefined, site)
    })
  }

  /** The filesystem's usage, like fs.promises.statfs() (numbers in blocks of bsize). */
  statfs (): Promise<StatFs> {
    const site = new Error()
    return this._op(async () => {
      const r = await native.statfs(this._root, '/')
      if (typeof r === 'number') throw systemError(r, 'statfs', undefined, undefined, site)
      return { type: r.type, bsize: r.bsize, blocks: r.blocks, bfree: r.bfree, bavail: r.bavail, files: r.files, ffree: r.ffree }
    })
  }

  /** The tree under `root` as an object Readable of Entry (see lkl.imageWalk). */
  walk (root: PathLike = '/', opts?: WalkOptions): ImageWalk {
    return imageWalk(this, root, opts)
  }

  /** An object Writable of Entry creating them under `root` (see lkl.imageWriter). */
  writer (root: PathLike = '/', opts?: WriterOptions): ImageWriter {
    return imageWriter(this, root, opts)
  }

  /** A streamx Readable of a file's bytes, like fs.createReadStream. */
  createReadStream (p: PathLike, opts?: ReadStreamOptions): ImageReadStream {
    return new ImageReadStream(this, p, opts)
  }

  /** A streamx Writable into a file, like fs.createWriteStream. */
  createWriteStream (p: PathLike, opts?: WriteStreamOptions): ImageWriteStream {
    return new ImageWriteStream(this, p, opts)
  }

  /** Wait for pending operations, close open files, sync, unmount, detach. */
  close (): Promise<void> {
    if (this._closing) return this._closing
    this._closing = (async () => {
      if (this._pending > 0) await new Promise<void>((resolve) => this._idle.push(resolve))
      for (const [fd, fh] of this._fds) {
        fh._forceClosed()
        await native.close(fd)
      }
      this._fds.clear()
      await native.close(this._root)
      const r = await native.umount(this._mount)
      if (r < 0) throw LklError.kernel(`unmount of '${this.path}'`, r)
      this._unmounted = true
      kernel.unregister(this)
      this.disk._track(this, false)
      this.disk._unclaim(this.partition)
      await this.disk._release()
    })()
    return this._closing
  }
}

function checkOptions (options: OpenOptions): Required<Omit<OpenOptions, 'type'>> & { type: string } {
  if (!isObject(options)) throw invalidArgType('options', 'of type object', options)
  const { type = 'auto', partition = 0, readOnly = false, mountOptions = '', wait = false } = options
  const onWarning: unknown = options.onWarning ?? defaultWarn
  if (typeof type !== 'string' || type === '') throw invalidArgType('options.type', 'a non-empty string', type)
  if (typeof readOnly !== 'boolean') throw invalidArgType('options.readOnly', 'of type boolean', readOnly)
  if (typeof mountOptions !== 'string') throw invalidArgType('options.mountOptions', 'of type string', mountOptions)
  if (typeof wait !== 'boolean') throw invalidArgType('options.wait', 'of type boolean', wait)
  if (typeof onWarning !== 'function') throw invalidArgType('options.onWarning', 'of type function', onWarning)
  const badNames = checkBadNames(options.badNames, 'options.badNames') ?? 'error'
  return { type: canonicalFsType(type), partition: checkPartitionSpec(partition), readOnly, mountOptions, wait, badNames, onWarning: onWarning as WarningHandler }
}

function defaultWarn (w: Error): void {
  process.emitWarning(w)
}

/**
 * The kernel's lines of a failed mount (warning level or worse, logged while
 * it ran: native disk.cc) that concern this disk: those naming it, or no
 * disk at all (another open may have logged meanwhile). The newest 16.
 */
function mountLog (disk: number, log: string[]): string[] {
  const ours = new RegExp(`\\blkl${disk}(p\\d+)?\\b`)
  return log.map((l) => l.trim()).filter((l) => l && (ours.test(l) || !/\blkl\d+/.test(l))).slice(-16)
}

/** Mount partition `partition` of an attached disk; resolves with the image. */
async function mountOn (disk: Disk, id: number, o: ReturnType<typeof checkOptions>): Promise<Image> {
  if (disk.closed) throw LklError.diskClosed(disk.name)
  let { partition, type: labelled } = await resolvePartition(disk, id, o.partition)
  if (o.type === 'auto' && o.partition === 0) {
    const found = await wholeDiskOrOnlyPartition(disk, id)
    partition = found.partition
    labelled = found.type
    if (found.picked) o.onWarning(LklError.partitionPicked(disk.name, found.picked))
  }
  disk._claim(partition)
  try {
    let type = o.type
    if (type === 'auto') {
      const found = labelled ?? (await detect(disk, id, partition)).type
      if (!found) throw LklError.unknownFsType('auto', disk.name)
      type = found
    }
    const readOnly = o.readOnly || disk.readOnly
    const flags = readOnly ? C.MS_RDONLY : 0
    const ours = mountOptionsFor(type, o.mountOptions)
    let mnt = await native.mount(id, partition, type, flags, ours)
    // Our added options suit the usual layout; one they do not fit (ext4
    // without a journal refuses commit=) mounts with the caller's alone.
    if (typeof mnt !== 'string' && mnt.errno === -errno.EINVAL && ours !== o.mountOptions) {
      mnt = await native.mount(id, partition, type, flags, o.mountOptions)
    }
    if (typeof mnt !== 'string') {
      const neg = mnt.errno
      if (neg === -errno.ENODEV) throw LklError.unknownFsType(type, disk.name)
      const bad = await diagnose(disk, id, partition)
      if (bad) throw bad
      if (neg === -errno.ENXIO || (neg === -errno.ENOENT && partition > 0)) throw LklError.noPartition(disk.name, partition)
      throw LklError.mountFailed(disk.name, type, partition, neg, mountLog(id, mnt.log))
    }
    // The image root as an O_PATH fd: path operations run chrooted into it.
    const root = await native.openat(-1, mnt, C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC, 0)
    if (root < 0 || disk.closed) {
      // disk.close() ran meanwhile: it waits for this open to let go.
      if (root >= 0) await native.close(root)
      await native.umount(mnt)
      throw root < 0 ? LklError.kernel(`opening the root of '${disk.name}'`, root) : LklError.diskClosed(disk.name)
    }
    const img = new Image(disk, type, partition, readOnly, mnt, root, { badNames: o.badNames, warn: o.onWarning })
    disk._track(img, true)
    kernel.register(img)
    return img
  } catch (err) {
    disk._unclaim(partition)
    throw err
  }
}

/**
 * Open a filesystem: of a disk image file (attached as a file disk, or
 * through an overlay when readOnly), or of a Disk. Boots the kernel if
 * needed, attaches, finds the partition and type, mounts.
 */
export function open (target: PathLike | Disk, options: OpenOptions = {}): Promise<Image> {
  const o = checkOptions(options)
  let disk: Disk
  if (target instanceof Disk) {
    disk = target
    if (disk.closed) return Promise.reject(LklError.diskClosed(disk.name))
  } else {
    const f = checkPath(target, 'path')
    const d = o.readOnly ? new OverlayDisk(f) : new FileDisk(f, false)
    d._wait = o.wait
    disk = d
    disk._owned = true
  }
  if (kernel.isHalted()) return Promise.reject(LklError.halted())
  return kernel.trackOpen((async () => {
    const id = await disk._acquire()
    try {
      return await mountOn(disk, id, o)
    } catch (err) {
      await disk._release()
      throw err
    }
  })())
}
