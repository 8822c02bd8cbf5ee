// SPDX-License-Identifier: GPL-2.0-only
// Option validation shared by the streams (throws before any native call).

import { invalidArgType, outOfRange } from '../errors'

function checkInt (name: string, v: unknown, min = 0): void {
  if (v === undefined) return
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v)
  if (!Number.isSafeInteger(v) || v < min) throw outOfRange(name, `an integer >= ${min}`, v)
}

export function checkRange (o: { start?: number, end?: number, highWaterMark?: number }): void {
  if (o === null || typeof o !== 'object') throw invalidArgType('options', 'of type object', o)
  checkInt('start', o.start)
  checkInt('end', o.end)
  checkInt('highWaterMark', o.highWaterMark, 1)
  if (o.start !== undefined && o.end !== undefined && o.start > o.end) {
    throw outOfRange('start', `<= "end" (here: ${o.end})`, o.start)
  }
}

export function checkOptions<T extends object> (o: T | undefined): T {
  if (o === undefined) return {} as T
  if (o === null || typeof o !== 'object') throw invalidArgType('options', 'of type object', o)
  return o
}
