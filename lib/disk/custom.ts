// SPDX-License-Identifier: GPL-2.0-only
//
// A disk backed by JavaScript callbacks: the slow path. The kernel's I/O
// thread for the disk (one) blocks while the JS thread runs the callback,
// so every block the kernel reads or writes costs a round trip through the
// event loop. Never blocks the JS thread, so it cannot deadlock as long as
// the callbacks do not wait for this library (see docs/threads.md).
//
// The callbacks follow fs.read/fs.write (and the file-disk package):
//   read(buffer, offset, length, position)   fill buffer[offset, +length)
//   write(buffer, offset, length, position)  store it
//   flush()                                  make written data durable
//   discard(position, length)                the range is unused (optional)
// Each may return a Promise; a rejection (or a throw) fails the request
// with the error's errno (EIO if it has none).

import { native, errno, errnoNumber, customDiskOps as OP } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'

type Io = (buffer: Buffer, offset: number, length: number, position: number) => unknown

export interface CustomDiskImpl {
  /** Bytes (rounded down to a multiple of 512). */
  size: number
  read: Io
  /** Absent: the disk is read-only. */
  write?: Io
  flush?: () => unknown
  discard?: (position: number, length: number) => unknown
  readOnly?: boolean
}

const OP_NAME: Record<number, string> = { [OP.read]: 'read', [OP.write]: 'write', [OP.flush]: 'flush', [OP.discard]: 'discard' }

// The -errno the kernel gets for a callback's error: its (negative) errno,
// else the Linux errno its code names, else EIO.
function errnoOf (err: unknown): number {
  const e = err as { errno?: unknown, code?: unknown } | null
  if (e && typeof e.errno === 'number' && e.errno < 0) return e.errno
  const n = e && typeof e.code === 'string' ? errnoNumber(e.code) : undefined
  if (n !== undefined) return -n
  return -errno.EIO
}

export class CustomDisk extends Disk {
  readonly kind: DiskKind = 'custom'
  /** The last error a callback reported (the kernel only sees an errno). */
  lastError: Error | null = null
  private _impl: CustomDiskImpl
  private _size: number

  /** @internal use lkl.disk.custom() */
  constructor (impl: CustomDiskImpl, size: number, readOnly: boolean) {
    super('<custom disk>', readOnly)
    this._impl = impl
    this._size = size
  }

  protected async _attach (): Promise<number> {
    const impl = this._impl
    const dispatch = (op: number, buffer: Buffer | null, position: number, length: number, complete: (r: number) => void): void => {
      let done = false
      const finish = (r: number): void => {
        if (done) return
        done = true
        complete(r)
      }
      const fail = (err: unknown): void => {
        this.lastError = err instanceof Error ? err : new Error(`custom disk ${OP_NAME[op]} failed: ${String(err)}`)
        finish(errnoOf(err))
      }
      try {
        let r: unknown
        if (op === OP.read) r = impl.read(buffer as Buffer, 0, length, position)
        else if (op === OP.write) r = impl.write!(buffer as Buffer, 0, length, position)
        else if (op === OP.flush) r = impl.flush!()
        else r = impl.discard!(position, length)
        if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then(() => finish(0), fail)
        } else {
          finish(0)
        }
      } catch (err) {
        fail(err)
      }
    }
    const id = await native.diskAddCustom(this._size, this.readOnly, dispatch, !!impl.flush, !!impl.discard)
    if (id < 0) throw LklError.kernel('attaching a custom disk', id)
    return id
  }
}
