// SPDX-License-Identifier: GPL-2.0-only
//
// A disk in host memory: a Buffer the kernel reads and writes in place
// (in C, on the host library's I/O threads). The bytes are current once the
// filesystem is synced or its image closed.

import { native } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'

export class MemoryDisk extends Disk {
  readonly kind: DiskKind = 'memory'
  /** The disk's bytes (do not write to it while the disk is attached). */
  readonly buffer: Buffer

  /** @internal use lkl.disk.memory() */
  constructor (buffer: Buffer, readOnly: boolean) {
    super('<memory disk>', readOnly)
    this.buffer = buffer
  }

  protected async _attach (): Promise<number> {
    // The buffer stays referenced by this object for as long as the disk
    // is attached; the kernel uses its memory in place.
    const id = await native.diskAddMemory(this.buffer, this.readOnly)
    if (id < 0) throw LklError.kernel('attaching a memory disk', id)
    return id
  }
}
