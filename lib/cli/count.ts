// SPDX-License-Identifier: GPL-2.0-only
// A pass-through object stream that counts entries and bytes for progress.

import { EntryTransformBase, EntryTransform } from '../streams/node-types'
import type { Progress } from './progress'
import type { Entry } from '../index'

/** Counts entries, and file bytes unless the bytes are counted elsewhere (tar input). */
export function counter (p: Progress, bytes = true): EntryTransform {
  return new EntryTransformBase({
    highWaterMark: 16,
    byteLength: () => 1,
    transform (e: Entry, cb: (err: Error | null, e?: Entry) => void) {
      p.add(bytes && e.type === 'file' ? e.size : 0, 1)
      cb(null, e)
    }
  })
}
