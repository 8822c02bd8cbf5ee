// SPDX-License-Identifier: GPL-2.0-only
//
// Names as bytes <-> names as strings, for the places in lib/ where a name
// arrives as a Buffer (scan records, readlink, tar headers, host readdir)
// or must leave as one. The mapping itself lives in the addon
// (native/name_codec.h: bytes that are not valid UTF-8 become the lone
// surrogates U+DC80..U+DCFF and back), the same one every native call
// applies to string arguments; these wrappers only skip the call for the
// common case of plain UTF-8.

import { native } from './native'

const SURROGATE = /[\uD800-\uDFFF]/

/** A name from the kernel or the host as a string; exact bytes survive nameToBytes(). */
export function nameFromBytes (b: Buffer): string {
  const s = b.toString()
  // U+FFFD in node's decoding means an invalid sequence (or a real U+FFFD).
  return s.includes('\uFFFD') ? native.nameFromBytes(b) : s
}

/** The bytes a name string stands for (the inverse of nameFromBytes). */
export function nameToBytes (s: string): Buffer {
  return SURROGATE.test(s) ? native.nameToBytes(s) : Buffer.from(s)
}

/**
 * A path for node:fs: as is, or as its bytes when it holds escapes (node
 * would turn a lone surrogate into U+FFFD).
 */
export function hostPath (s: string): string | Buffer {
  return SURROGATE.test(s) ? native.nameToBytes(s) : s
}
