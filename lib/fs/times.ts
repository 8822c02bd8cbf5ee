// SPDX-License-Identifier: GPL-2.0-only
// Times for utimes/lutimes/futimes: what node:fs accepts (numbers and
// numeric strings in seconds, Dates), stored as node:fs stores them, plus
// bigint nanoseconds (exact), as (seconds, nanoseconds) pairs for the kernel.

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
  // node:fs turns the rest into float seconds (a Date: getTime() / 1000)
  // and libuv splits them like uvTimespec below: the same here, so that the
  // same call stores the same time on the host and in an image.
  if (t instanceof Date) {
    const ms = t.getTime()
    if (!Number.isFinite(ms)) throw invalidArgType(name, 'a valid Date', t)
    return uvTimespec(ms / 1000)
  }
  let s: number
  if (typeof t === 'string' && t.trim() !== '' && Number.isFinite(Number(t))) s = Number(t)
  else if (typeof t === 'number' && Number.isFinite(t)) s = t < 0 ? Date.now() / 1000 : t // node: negative = now
  else throw invalidArgType(name, 'of type number or bigint, a numeric string, or an instance of Date', t)
  return uvTimespec(s)
}

/**
 * libuv's split of float seconds (uv__fs_to_timespec): both parts truncated
 * toward zero, then the nanoseconds cut to whole microseconds (libuv keeps
 * microsecond resolution on every platform), negatives carried into seconds.
 */
function uvTimespec (time: number): [number, number] {
  let sec = Math.trunc(time)
  let nsec = Math.trunc((time - sec) * 1e9)
  nsec -= nsec % 1000
  if (nsec < 0) { nsec += 1e9; sec -= 1 }
  return [sec, nsec === 0 ? 0 : nsec]
}
