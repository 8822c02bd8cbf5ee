// SPDX-License-Identifier: GPL-2.0-only
//
// dev_t: the one number a device's (major, minor) pair becomes in stat's
// st_dev/st_rdev and mknod's argument. The encoding is glibc's 64-bit one
// (the same as Linux's new_encode_dev in its low 32 bits):
//   bits  0-7   minor  0-7
//   bits  8-19  major  0-11
//   bits 20-43  minor  8-31
//   bits 44-63  major 12-31
// so both halves go up to 32 bits. The arithmetic is done in BigInt: JS
// bit operators are 32-bit and would sign-extend or drop the high parts.
// As a plain number (node's Stats.rdev), dev_t is exact up to 2^53.

const M8 = 0xffn
const M12 = 0xfffn
const M32 = 0xffffffffn

/** (major, minor) -> dev_t, as a BigInt. */
export function makedevBig (major: number, minor: number): bigint {
  const ma = BigInt(major) & M32
  const mi = BigInt(minor) & M32
  return ((ma & M12) << 8n) | ((ma & ~M12) << 32n) | (mi & M8) | ((mi & ~M8) << 12n)
}

/** (major, minor) -> dev_t, as a number (node's Stats). */
export function makedev (major: number, minor: number): number {
  return Number(makedevBig(major, minor))
}

/** dev_t (a number or a BigInt, from any Stats) -> [major, minor]. */
export function splitDev (dev: number | bigint): [number, number] {
  const d = BigInt(dev)
  const major = ((d >> 8n) & M12) | ((d >> 32n) & (M32 & ~M12))
  const minor = (d & M8) | ((d >> 12n) & (M32 & ~M8))
  return [Number(major), Number(minor)]
}
