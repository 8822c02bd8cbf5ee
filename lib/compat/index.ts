// SPDX-License-Identifier: GPL-2.0-only
//
// The node-lkl 1.x API, on top of the current one, so that code written for
// the old package runs unchanged (docs/api.md, "node-lkl 1.x compatibility"):
//
//   lkl.startKernelSync(bytes); const disk = new lkl.disk.FileDisk('x.img')
//   lkl.mount(disk, { filesystem: 'ext4' }, (err, mountpoint) => {
//     lkl.fs.createReadStream(mountpoint + '/etc/passwd').pipe(process.stdout)
//   })
//
// mount() is lkl.open(disk) plus a mountpoint name (mounts.ts); lkl.fs
// routes paths by that name (fs.ts); umount() closes the image. The kernel
// calls are synchronous, as node-lkl's were (kernel.bootSync/haltSync).

import * as kernel from '../kernel'
import { open } from '../image'
import { Disk } from '../disk'
import { errno } from '../native'
import { invalidArgType, systemError } from '../errors'
import { checkOptions, checkBool } from '../validate'
import type { PartitionSpec } from '../disk/resolve'
import { addMount, removeMount } from './mounts'
import { untypedFsType } from '../fstype-aliases'

export { fs } from './fs'

/** mount()'s options, as node-lkl named them. */
export interface MountOptions {
  /** The filesystem type (open()'s `type`); default 'auto' (detected). */
  filesystem?: string
  /** Mount read-only (default false). */
  readOnly?: boolean
  /** The partition (open()'s `partition`): 0 = the whole disk (default). */
  partition?: PartitionSpec
}

type MountCallback = (err: Error | null, mountpoint?: string) => void

function checkCallback (cb: unknown): void {
  if (typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb)
}

/**
 * Boot the kernel with `memory` bytes (a number or a size string), and
 * return once it runs. A kernel already running (booted by an earlier call,
 * boot() or open()) is fine unless it has another memory size.
 */
export function startKernelSync (memory?: number | string): void {
  kernel.bootSync(memory === undefined ? {} : { memory })
}

/**
 * Halt the kernel and return once it is halted. Final, like lkl.halt().
 * Throws ERR_LKL_BUSY while anything is mounted or attached: umount first.
 */
export function haltKernelSync (): void {
  kernel.haltSync()
}

/**
 * Mount a filesystem of `disk`; `callback(err, mountpoint)`. The mountpoint
 * ('/mnt/' and 8 hex digits) starts the paths of lkl.fs on that filesystem.
 * A FileDisk that is not attached yet is attached for this mount and
 * detached by umount(), so the same FileDisk can be mounted again later.
 */
export function mount (disk: Disk, options: MountOptions, callback: MountCallback): void {
  if (!(disk instanceof Disk)) throw invalidArgType('disk', 'an instance of Disk (e.g. new lkl.disk.FileDisk(path))', disk)
  const o = checkOptions(options)
  const { filesystem = 'auto', partition = 0 } = o
  const readOnly = checkBool(o.readOnly, 'options.readOnly')
  if (typeof filesystem !== 'string') throw invalidArgType('options.filesystem', 'of type string', filesystem)
  checkCallback(callback)
  // node-lkl attached the disk for each mount and let go of it at umount;
  // a FileDisk keeps nothing of its own in between, so it may do the same.
  if (disk.kind === 'file' && !disk.attached && !disk.closed) disk._owned = true
  open(disk, { type: untypedFsType(filesystem), partition, readOnly }).then(
    (img) => process.nextTick(callback, null, addMount(img).point),
    (err: Error) => process.nextTick(callback, err))
}

/**
 * Unmount what mount() mounted at `mountpoint` (wait for its pending
 * operations, close its open files, sync, unmount); `callback(err)`. Its
 * paths fail with ENOENT from this call on.
 */
export function umount (mountpoint: string, callback: (err: Error | null) => void): void {
  if (typeof mountpoint !== 'string') throw invalidArgType('mountpoint', 'of type string', mountpoint)
  checkCallback(callback)
  const m = removeMount(mountpoint)
  // umount(2)'s answer for a directory that is not a mountpoint.
  if (!m) { process.nextTick(callback, systemError(-errno.EINVAL, 'umount', mountpoint, undefined, new Error())); return }
  m.img.close().then(() => process.nextTick(callback, null), (err: Error) => process.nextTick(callback, err))
}
