// SPDX-License-Identifier: GPL-2.0-only
//
// What the fs shim needs from an image, path handling, and the helpers
// shared by the shim's modules.
//
// Paths inside an image are written like host paths: absolute ones start at
// the image's root, relative ones are taken from the root too. Errors carry
// the path as the caller wrote it; the kernel's mount point never appears.

import * as posix from 'path/posix'
import { fileURLToPath } from 'url'
import { systemError, invalidArgType, invalidArgValue, outOfRange } from '../errors'

export type PathLike = string | Buffer
/** What callers may pass: a string, a Buffer/Uint8Array or a file: URL. */
export type PathArg = string | Uint8Array | URL

export interface ImageCore {
  /**
   * Run one operation on the image: rejects with ERR_LKL_IMAGE_CLOSED once
   * the image is closing; close() waits for it to settle.
   */
  _op<T> (fn: () => Promise<T>): Promise<T>
  /** The kernel path of an image path (resolved against the image root). */
  _kpath (p: PathLike): string | Buffer
  /** The image root's kernel fd: path operations run chrooted into it. */
  _root: number
  /** Kernel fds of open FileHandles, closed by image.close(). */
  _fds: Map<number, { _forceClosed (): void }>
}

const NUL_REASON = 'must be a string, Uint8Array, or URL without null bytes'

/** Validate a path argument; throws synchronously like node:fs. */
export function checkPath (p: unknown, name = 'path'): PathLike {
  if (typeof p === 'string') {
    if (p.includes('\u0000')) throw invalidArgValue(name, p, NUL_REASON)
    return p
  }
  if (p instanceof Uint8Array) {
    if (p.includes(0)) throw invalidArgValue(name, p, NUL_REASON)
    return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)
  }
  if (p instanceof URL || (p !== null && typeof p === 'object' && typeof (p as URL).href === 'string' && typeof (p as URL).protocol === 'string')) {
    // node's own conversion: ERR_INVALID_URL_SCHEME & co for other URLs.
    const s = fileURLToPath(p as URL)
    if (s.includes('\u0000')) throw invalidArgValue(name, s, NUL_REASON)
    return s
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer or URL', p)
}

/** The path as shown in errors: exactly what the caller wrote. */
export function shown (p: PathLike): string {
  return typeof p === 'string' ? p : p.toString()
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

/** The user-visible form of a resolved image path (for return values). */
export function imagePath (p: PathLike): string {
  return posix.resolve('/', shown(p))
}

/** Node's options argument: an object, or the value of its main key. */
export function opts<T extends object> (o: T | string | number | null | undefined, key: string): Partial<T> {
  if (o == null) return {}
  if (typeof o === 'string' || typeof o === 'number') return { [key]: o } as Partial<T>
  if (typeof o !== 'object') throw invalidArgType('options', 'of type object', o)
  return o
}

/** Throw the error for a negative result, else return it. */
export function check (r: number, syscall: string, p: PathLike | undefined, site: Error, dest?: PathLike): number {
  if (r < 0) throw systemError(r, syscall, p === undefined ? undefined : shown(p), dest === undefined ? undefined : shown(dest), site)
  return r
}

/** The same for calls that resolve with a value or a negative errno. */
export function checkValue<T> (r: T | number, syscall: string, p: PathLike | undefined, site: Error, dest?: PathLike): T {
  if (typeof r === 'number') {
    check(r, syscall, p, site, dest)
    throw new Error('unreachable')
  }
  return r
}

/** An integer argument in [min, max], like node's validateInteger. */
export function checkInt (v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v)
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v)
  if (v < min || v > max) throw outOfRange(name, `>= ${min} && <= ${max}`, v)
  return v
}

/** A boolean option. */
export function checkBool (v: unknown, name: string): boolean {
  if (v === undefined) return false
  if (typeof v !== 'boolean') throw invalidArgType(name, 'of type boolean', v)
  return v
}

/** A string argument without NUL bytes (xattr names, prefixes). */
export function checkString (v: unknown, name: string): string {
  if (typeof v !== 'string') throw invalidArgType(name, 'of type string', v)
  if (v.includes('\u0000')) throw invalidArgValue(name, v, 'must be a string without null bytes')
  return v
}
