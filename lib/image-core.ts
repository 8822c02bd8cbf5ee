// SPDX-License-Identifier: GPL-2.0-only
//
// What the fs shim, the file streams and the tree streams need of an open
// image (lib/image.ts implements it), and how an image path becomes the
// path the kernel resolves.
//
// Paths inside an image are written like host paths: absolute ones start at
// the image's root, relative ones are taken from the root too. Errors carry
// the path as the caller wrote it; the kernel's mount point never appears.

import * as posix from 'path/posix'
import type { PathLike } from './validate'
import type { ListingPolicy } from './listing'
import { nameFromBytes } from './name-bytes'

export interface ImageCore {
  /** The filesystem type mounted (the kernel's name: 'ext4', 'vfat', ...). */
  readonly type: string
  /**
   * Run one operation on the image: rejects with ERR_LKL_IMAGE_CLOSED once
   * the image is closing; close() waits for it to settle.
   */
  _op<T> (fn: () => Promise<T>): Promise<T>
  /** The kernel path of an image path (resolved against the image root). */
  _kpath (p: PathLike): string | Buffer
  /** The image root's kernel fd: path operations run chrooted into it. */
  _root: number
  /** Kernel fds of open FileHandles and file streams, closed by image.close(). */
  _fds: Map<number, { _forceClosed (): void }>
  /** What listings do with corrupt names, and where warnings go (open({ badNames, onWarning })). */
  _listing: ListingPolicy
}

/**
 * Resolve an image path against the image root. The kernel runs path
 * operations chrooted into the image (native root.cc), so this is also the
 * kernel path.
 */
export function kernelPath (p: PathLike): string | Buffer {
  if (typeof p === 'string') return posix.resolve('/', p)
  // Buffers keep their exact bytes: resolve over latin1 (1 byte = 1 char).
  return Buffer.from(posix.resolve('/', p.toString('latin1')), 'latin1')
}

/** The path as shown in errors: exactly what the caller wrote. */
export function shown (p: PathLike): string {
  return typeof p === 'string' ? p : nameFromBytes(p)
}
