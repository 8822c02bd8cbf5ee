// SPDX-License-Identifier: GPL-2.0-only
//
// What the fs shim needs from an image, and path handling.
//
// Paths inside an image are written like host paths: absolute ones start at
// the image's root, relative ones are taken from the root too. The kernel
// path is the image's internal mount point + the resolved path; it is never
// shown to the caller (errors carry the path as the caller wrote it).

import * as posix from 'path/posix'
import { invalidArgType, invalidArgValue } from '../errors'

export type PathLike = string | Buffer

export interface ImageCore {
  /**
   * Run one operation on the image: rejects with ERR_LKL_IMAGE_CLOSED once
   * the image is closing; close() waits for it to settle.
   */
  _op<T> (fn: () => Promise<T>): Promise<T>
  /** The kernel path of an image path (validated first). */
  _kpath (p: PathLike, name?: string): string | Buffer
  /** Kernel fds of open FileHandles, closed by image.close(). */
  _fds: Map<number, { _forceClosed (): void }>
}

/** Validate a path argument; throws synchronously like node:fs. */
export function checkPath (p: unknown, name = 'path'): PathLike {
  if (typeof p === 'string') {
    if (p.includes('\u0000')) throw invalidArgValue(name, p, 'must be a string, Uint8Array, or URL without null bytes')
    return p
  }
  if (Buffer.isBuffer(p)) {
    if (p.includes(0)) throw invalidArgValue(name, p, 'must be a string, Uint8Array, or URL without null bytes')
    return p
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer', p)
}

/** The path as shown in errors: exactly what the caller wrote. */
export function shown (p: PathLike): string {
  return typeof p === 'string' ? p : p.toString()
}

/** Resolve an image path against the image root and prefix the mount. */
export function kernelPath (mount: string, p: PathLike): string | Buffer {
  if (typeof p === 'string') {
    const r = posix.resolve('/', p)
    return r === '/' ? mount : mount + r
  }
  // Buffers keep their exact bytes: resolve over latin1 (1 byte = 1 char).
  const r = posix.resolve('/', p.toString('latin1'))
  return Buffer.from(r === '/' ? mount : mount + r, 'latin1')
}

/** The user-visible form of a resolved image path (for return values). */
export function imagePath (p: PathLike): string {
  return posix.resolve('/', shown(p))
}
