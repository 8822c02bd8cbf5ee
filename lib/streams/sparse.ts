// SPDX-License-Identifier: GPL-2.0-only
//
// Sparse-aware reads: find the next data range with SEEK_DATA/SEEK_HOLE so
// that holes (unallocated ranges) are skipped instead of read as zeroes.
// Streams in sparse mode emit { position, data } chunks (object mode); a
// file's whole map (dataExtents) is what a tar sparse member stores.

import { errno } from '../native'
import type { Extent } from '../tree/entry'

export interface SparseChunk {
  /** Byte offset of `data` in the file or device. */
  position: number
  data: Buffer
}

const SEEK_DATA = 3
const SEEK_HOLE = 4

/** seek(offset, whence) -> offset or -errno. */
export type Seek = (offset: number, whence: number) => Promise<number> | number

/**
 * The data range at or after pos: [start, end), null when only a hole
 * remains, or [pos, Infinity) when the file cannot tell (everything is data).
 */
export async function nextData (seek: Seek, pos: number): Promise<[number, number] | null> {
  const start = await seek(pos, SEEK_DATA)
  if (start === -errno.ENXIO) return null
  if (start < 0) return [pos, Infinity]
  const end = await seek(start, SEEK_HOLE)
  return [start, end < 0 ? Infinity : end]
}

/**
 * The data ranges in [from, to), in order (what is not in them is a hole).
 * A file that cannot tell its holes is one range: all data.
 */
export async function dataExtents (seek: Seek, from: number, to: number): Promise<Extent[]> {
  const out: Extent[] = []
  for (let pos = from; pos < to;) {
    const r = await nextData(seek, pos)
    if (r === null) break
    const end = Math.min(r[1], to)
    if (r[0] >= end) break
    out.push([r[0], end - r[0]])
    pos = end
  }
  return out
}

export function chunkLength (c: Buffer | SparseChunk): number {
  return Buffer.isBuffer(c) ? c.byteLength : c.data.byteLength
}
