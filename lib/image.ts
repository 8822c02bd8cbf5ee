// SPDX-License-Identifier: GPL-2.0-only
//
// lkl.open() and Image: a host file attached as a kernel disk, one of its
// partitions mounted, and the fs shim over it.

import * as fs from 'fs'
import { native, constants as C } from './native'
import { LklError, invalidArgType, invalidArgValue, systemError } from './errors'
import * as kernel from './kernel'
import { probe, partitionOffset } from './probe'
import { kernelPath, checkPath, ImageCore, PathLike } from './fs/core'
import { createPromises, FsPromises } from './fs/promises'

export interface OpenOptions {
  /** Filesystem type ('ext4', 'vfat', 'btrfs', ...) or 'auto' (default). */
  type?: string
  /** Partition number (MBR: 1-4 primary, 5+ logical; GPT: 1+); 0 = whole disk. */
  partition?: number
  readOnly?: boolean
  /** Filesystem mount options, e.g. 'noatime' or 'data=journal'. */
  mountOptions?: string
}

// Host files open in this process: "dev:ino" -> partitions mounted.
const openFiles = new Map<string, Set<number>>()

function overlaps (parts: Set<number> | undefined, partition: number): boolean {
  if (!parts || parts.size === 0) return false
  return partition === 0 || parts.has(0) || parts.has(partition)
}

const ALIASES: Record<string, string> = { fat: 'vfat', fat32: 'vfat', fat16: 'vfat', fat12: 'vfat', ntfs: 'ntfs3' }
const ENODEV = -19
const ENXIO = -6
const ENOENT = -2

export class Image implements ImageCore, kernel.OpenImage {
  /** The host file, as given to open(). */
  readonly path: string
  /** The filesystem type mounted. */
  readonly type: string
  readonly partition: number
  readonly readOnly: boolean
  readonly fs: { promises: FsPromises }
  /** @internal */ _fds = new Map<number, { _forceClosed (): void }>()
  /** @internal */ _root: number
  private _mount: string
  private _disk: number
  private _pending = 0
  private _idle: Array<() => void> = []
  private _closing: Promise<void> | null = null
  private _unmounted = false
  private _key: string

  /** @internal use lkl.open() */
  constructor (file: string, type: string, partition: number, readOnly: boolean, mount: string, root: number, disk: number, key: string) {
    this._key = key
    this._root = root
    this.path = file
    this.type = type
    this.partition = partition
    this.readOnly = readOnly
    this._mount = mount
    this._disk = disk
    this.fs = { promises: createPromises(this) }
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

  /** Flush everything written to this image to the host file. */
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
      const d = await native.diskRemove(this._disk)
      openFiles.get(this._key)?.delete(this.partition)
      kernel.unregister(this)
      if (d < 0) throw LklError.kernel(`detach of '${this.path}'`, d)
    })()
    return this._closing
  }
}

function checkOptions (options: OpenOptions): Required<OpenOptions> {
  if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options)
  const { type = 'auto', partition = 0, readOnly = false, mountOptions = '' } = options
  if (typeof type !== 'string' || type === '') throw invalidArgType('options.type', 'a non-empty string', type)
  if (!Number.isInteger(partition) || partition < 0 || partition > 255) throw invalidArgValue('options.partition', partition, 'must be an integer from 0 to 255')
  if (typeof readOnly !== 'boolean') throw invalidArgType('options.readOnly', 'of type boolean', readOnly)
  if (typeof mountOptions !== 'string') throw invalidArgType('options.mountOptions', 'of type string', mountOptions)
  return { type: ALIASES[type] ?? type, partition, readOnly, mountOptions }
}

/** The kernel's last log lines about this disk, as a hint for a failed mount. */
async function mountHint (disk: number): Promise<string> {
  const log = await kernel.kernelLog(4096)
  const dev = new RegExp(`\\blkl${disk}(p\\d+)?\\b`)
  const lines = log.split('\n').map((l) => l.replace(/^\[[ \d.]+\]\s*/, '').trim()).filter((l) => dev.test(l))
  return lines.slice(-2).join('; ')
}

/** Open a disk image file: boots the kernel if needed, attaches, mounts. */
export function open (file: PathLike, options: OpenOptions = {}): Promise<Image> {
  const f = checkPath(file, 'path')
  const o = checkOptions(options)
  const shownPath = f.toString()
  if (kernel.isHalted()) return Promise.reject(LklError.halted())
  return kernel.trackOpen((async () => {
    const fh = await fs.promises.open(f, o.readOnly ? 'r' : 'r+')
    let disk: number
    let type = o.type
    let key: string
    try {
      const st = await fh.stat()
      key = `${st.dev}:${st.ino}`
      if (overlaps(openFiles.get(key), o.partition)) throw LklError.imageBusy(shownPath, o.partition)
      if (type === 'auto') {
        const found = await probe(fh, o.partition)
        if (found.offset < 0) throw LklError.noPartition(shownPath, o.partition)
        if (!found.type) throw LklError.unknownFsType('auto', shownPath)
        type = found.type
      } else if (o.partition > 0 && await partitionOffset(fh, o.partition) < 0) {
        throw LklError.noPartition(shownPath, o.partition)
      }
      await kernel.ensureBooted()
      disk = await native.diskAddFd(fh.fd, o.readOnly)
      if (disk < 0) throw LklError.kernel(`attaching '${shownPath}'`, disk)
    } finally {
      await fh.close()
    }
    // Claim the partition before the first await that could interleave.
    if (overlaps(openFiles.get(key), o.partition)) {
      await native.diskRemove(disk)
      throw LklError.imageBusy(shownPath, o.partition)
    }
    if (!openFiles.has(key)) openFiles.set(key, new Set())
    openFiles.get(key)!.add(o.partition)
    const flags = o.readOnly ? C.MS_RDONLY : 0
    const mnt = await native.mount(disk, o.partition, type, flags, o.mountOptions)
    if (typeof mnt === 'number') {
      const hint = mnt === ENODEV ? '' : await mountHint(disk)
      await native.diskRemove(disk)
      openFiles.get(key)?.delete(o.partition)
      if (mnt === ENODEV) throw LklError.unknownFsType(type, shownPath)
      if (mnt === ENXIO || (mnt === ENOENT && o.partition > 0)) throw LklError.noPartition(shownPath, o.partition)
      throw LklError.mountFailed(shownPath, type, o.partition, mnt, hint)
    }
    // The image root as an O_PATH fd: path operations run chrooted into it.
    const root = await native.openat(-1, mnt, C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC, 0)
    if (root < 0) {
      await native.umount(mnt)
      await native.diskRemove(disk)
      openFiles.get(key)?.delete(o.partition)
      throw LklError.kernel(`opening the root of '${shownPath}'`, root)
    }
    const img = new Image(shownPath, type, o.partition, o.readOnly, mnt, root, disk, key)
    kernel.register(img)
    return img
  })())
}
