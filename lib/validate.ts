// SPDX-License-Identifier: GPL-2.0-only
//
// Argument validation for the whole package, in one place: small predicates,
// and checks that throw Node's errors (ERR_INVALID_ARG_TYPE,
// ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE) synchronously, before any native
// call. A check returns the value it accepted (with its default applied), so
// callers write `const n = checkInt(v, 'n', 0, 7)`. Arguments are always
// (value, name, ...rules), like Node's own validators.

import { fileURLToPath } from 'url'
import { invalidArgType, invalidArgValue, outOfRange } from './errors'
import type { PartitionSpec } from './disk/resolve'

/** A path after checkPath: a string, or a Buffer of its exact bytes. */
export type PathLike = string | Buffer
/** What callers may pass as a path: a string, a Buffer/Uint8Array or a file: URL. */
export type PathArg = string | Uint8Array | URL

// Predicates.

export function isObject (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object'
}

export function isInteger (v: unknown): v is number {
  return Number.isSafeInteger(v)
}

function isUrlLike (v: unknown): v is URL {
  return v instanceof URL || (isObject(v) && typeof v.href === 'string' && typeof v.protocol === 'string')
}

// Checks.

const NUL_REASON = 'must be a string, Uint8Array, or URL without null bytes'

/** A path argument, like node:fs takes it (file: URLs by node's own conversion). */
export function checkPath (p: unknown, name = 'path'): PathLike {
  if (typeof p === 'string') {
    if (p.includes('\u0000')) throw invalidArgValue(name, p, NUL_REASON)
    return p
  }
  if (p instanceof Uint8Array) {
    if (p.includes(0)) throw invalidArgValue(name, p, NUL_REASON)
    return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)
  }
  if (isUrlLike(p)) {
    // ERR_INVALID_URL_SCHEME & co come from node for URLs that are not file:.
    const s = fileURLToPath(p)
    if (s.includes('\u0000')) throw invalidArgValue(name, s, NUL_REASON)
    return s
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer or URL', p)
}

/** A host directory argument (hostWalk, hostWriter): a string. */
export function checkHostDir (v: unknown, name = 'dir'): string {
  if (typeof v !== 'string') throw invalidArgType(name, 'of type string', v)
  return v
}

/** An integer in [min, max], like node's validateInteger. */
export function checkInt (v: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v)
  if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v)
  if (v < min || v > max) throw outOfRange(name, `>= ${min} && <= ${max}`, v)
  return v
}

/** checkInt for an option that may be left out. */
export function checkOptionalInt (v: unknown, name: string, min?: number, max?: number): number | undefined {
  return v === undefined ? undefined : checkInt(v, name, min, max)
}

/** A boolean option (false when left out). */
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

/** An options object: undefined gives {}, anything else but an object throws. */
export function checkOptions<T extends object> (o: T | undefined, name = 'options'): T {
  if (o === undefined) return {} as T
  if (!isObject(o)) throw invalidArgType(name, 'of type object', o)
  return o
}

/** node:fs's options argument: an object, or the value of its main key (a string or number). */
export function optionsOrKey<T extends object> (o: T | string | number | null | undefined, key: string): Partial<T> {
  if (o == null) return {}
  if (typeof o === 'string' || typeof o === 'number') return { [key]: o } as Partial<T>
  if (typeof o !== 'object') throw invalidArgType('options', 'of type object', o)
  return o
}

/** Byte-stream options: start and end (inclusive) positions and highWaterMark. */
export function checkRange (o: { start?: number, end?: number, highWaterMark?: number }): void {
  if (!isObject(o)) throw invalidArgType('options', 'of type object', o)
  checkOptionalInt(o.start, 'start', 0)
  checkOptionalInt(o.end, 'end', 0)
  checkOptionalInt(o.highWaterMark, 'highWaterMark', 1)
  if (o.start !== undefined && o.end !== undefined && o.start > o.end) {
    throw outOfRange('start', `<= "end" (here: ${o.end})`, o.start)
  }
}

/** The kernel's partition numbers: 0 (the whole disk) to 255. */
export const MAX_PARTITION = 255

/** A partition number: MBR 1-4 primary, 5+ logical; GPT 1+; 0 = the whole disk (the default). */
export function checkPartitionNumber (v: unknown, name = 'options.partition'): number {
  if (v === undefined) return 0
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v)
  if (!Number.isInteger(v) || v < 0 || v > MAX_PARTITION) throw invalidArgValue(name, v, `must be an integer from 0 to ${MAX_PARTITION}`)
  return v
}

/** What open() takes as a partition: a number, { label } or { partlabel }. */
export function checkPartitionSpec (v: unknown, name = 'options.partition'): PartitionSpec {
  if (v === undefined || typeof v === 'number') return checkPartitionNumber(v, name)
  if (isObject(v)) {
    const { label, partlabel } = v
    if (typeof label === 'string' && partlabel === undefined) return { label }
    if (typeof partlabel === 'string' && label === undefined) return { partlabel }
    throw invalidArgValue(name, v, 'must be { label: string } or { partlabel: string }')
  }
  throw invalidArgType(name, 'of type number or object', v)
}
