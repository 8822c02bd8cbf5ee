// SPDX-License-Identifier: GPL-2.0-only
//
// lkl.disk.*: the factories. They validate and build a Disk; nothing is
// attached until the disk is first used (open(), partitions(), a stream).

import { constants as bufferConstants } from 'buffer'
import { invalidArgType, invalidArgValue, outOfRange } from '../errors'
import { parseSize } from '../byte-size'
import { checkPath, checkOptions, checkBool, isObject, PathLike } from '../validate'
import { Disk } from './disk'
import { FileDisk } from './file'
import { MemoryDisk } from './memory'
import { CustomDisk, CustomDiskImpl } from './custom'
import { OverlayDisk } from './overlay'

export { Disk, FileDisk, MemoryDisk, CustomDisk, OverlayDisk }
export type { DiskKind, Partition, RawStreamOptions } from './disk'
export type { CustomDiskImpl } from './custom'

export interface FileDiskOptions {
  /** Open the host file read-only (the disk is read-only). */
  readOnly?: boolean
}

function readOnlyOption (options: { readOnly?: boolean } | undefined): boolean {
  return checkBool(checkOptions(options).readOnly, 'options.readOnly')
}

/** A host file (or block device) as a disk; the default for open(path). */
export function file (path: PathLike, options?: FileDiskOptions): FileDisk {
  return new FileDisk(checkPath(path, 'path'), readOnlyOption(options))
}

/**
 * A disk in memory: `size` bytes (a number or '64M') of zeroes, or an
 * existing Buffer used in place (its bytes are the disk's).
 */
export function memory (sizeOrBuffer: number | string | Uint8Array, options?: { readOnly?: boolean }): MemoryDisk {
  const readOnly = readOnlyOption(options)
  let buf: Buffer
  if (sizeOrBuffer instanceof Uint8Array) {
    buf = Buffer.isBuffer(sizeOrBuffer) ? sizeOrBuffer : Buffer.from(sizeOrBuffer.buffer, sizeOrBuffer.byteOffset, sizeOrBuffer.byteLength)
  } else if (typeof sizeOrBuffer === 'number' || typeof sizeOrBuffer === 'string') {
    const size = parseSize(sizeOrBuffer, 'size')
    if (size > bufferConstants.MAX_LENGTH) throw outOfRange('size', `<= ${bufferConstants.MAX_LENGTH}`, size)
    buf = Buffer.alloc(size)
  } else {
    throw invalidArgType('sizeOrBuffer', 'of type number or string or an instance of Buffer or Uint8Array', sizeOrBuffer)
  }
  if (buf.length < 512) throw outOfRange('size', '>= 512', buf.length)
  return new MemoryDisk(buf, readOnly)
}

/** A disk backed by JavaScript callbacks (the slow path). */
export function custom (impl: CustomDiskImpl): CustomDisk {
  if (!isObject(impl)) throw invalidArgType('impl', 'of type object', impl)
  const { size, read, write, flush, discard } = impl
  if (typeof size !== 'number' || !Number.isSafeInteger(size)) throw invalidArgType('impl.size', 'a safe integer', size)
  if (size < 512) throw outOfRange('impl.size', '>= 512', size)
  if (typeof read !== 'function') throw invalidArgType('impl.read', 'of type function', read)
  for (const [name, fn] of [['write', write], ['flush', flush], ['discard', discard]] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw invalidArgType(`impl.${name}`, 'of type function', fn)
  }
  const readOnly = impl.readOnly ?? write === undefined
  if (typeof readOnly !== 'boolean') throw invalidArgType('impl.readOnly', 'of type boolean', readOnly)
  if (!readOnly && write === undefined) throw invalidArgValue('impl.readOnly', readOnly, 'must be true when there is no write()')
  return new CustomDisk(impl, size, readOnly)
}

/**
 * A copy-on-write overlay over a host file (a path, or a FileDisk's file):
 * writes stay in memory, the file is never modified.
 */
export function overlay (base: PathLike | FileDisk): OverlayDisk {
  if (base instanceof FileDisk) return new OverlayDisk(base.path)
  return new OverlayDisk(checkPath(base, 'base'))
}
