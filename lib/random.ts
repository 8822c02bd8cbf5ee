// SPDX-License-Identifier: GPL-2.0-only
//
// crypto.randomBytes, loading node:crypto on first use: require('crypto')
// evaluates 36 builtin modules (node:stream among them), ~3 ms of a
// require('lkl') that never names a temporary file (bench/jobs/lkl-start.js).

/** `n` random bytes (crypto.randomBytes). */
export function randomBytes (n: number): Buffer {
  return (require('crypto') as typeof import('crypto')).randomBytes(n)
}
