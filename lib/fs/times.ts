// SPDX-License-Identifier: GPL-2.0-only
// Times for utimes/lutimes/futimes: what node:fs accepts (numbers and
// numeric strings in seconds, Dates) plus bigint nanoseconds, as exact
// (seconds, nanoseconds) pairs for the kernel.

import { invalidArgType } from '../errors'

// (a string: digits, as node:fs takes; 'now' is not one)
export type TimeLike = number | `${number}` | Date | bigint

const NS = 1000000000n

export function toTimespec (t: unknown, name: string): [number, number] {
  if (typeof t === 'bigint') {
    // Exact nanoseconds since the epoch (floor division for negatives).
    let sec = t / NS
    let nsec = t % NS
    if (nsec < 0n) { nsec += NS; sec -= 1n }
    return [Number(sec), Number(nsec)]
  }
  if (t instanceof Date) {
    // Whole milliseconds: split without going through a float of seconds.
    const ms = t.getTime()
    if (!Number.isFinite(ms)) throw invalidArgType(name, 'a valid Date', t)
    const sec = Math.floor(ms / 1000)
    return [sec, (ms - sec * 1000) * 1e6]
  }
  let s: number
  if (typeof t === 'string' && t.trim() !== '' && Number.isFinite(Number(t))) s = Number(t)
  else if (typeof t === 'number' && Number.isFinite(t)) s = t < 0 ? Date.now() / 1000 : t // node: negative = now
  else throw invalidArgType(name, 'of type number or bigint, a numeric string, or an instance of Date', t)
  const sec = Math.floor(s)
  let nsec = Math.round((s - sec) * 1e9)
  if (nsec >= 1e9) return [sec + 1, 0]
  if (nsec < 0) nsec = 0
  return [sec, nsec]
}
