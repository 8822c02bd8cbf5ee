// SPDX-License-Identifier: GPL-2.0-only
//
// GNU sparse members: where each format keeps its map, and the map turned
// into a plan (runs of zeroes and of archive data, in file order). The
// formats: pax 0.1 (the map in a GNU.sparse.map record), pax 1.0 (decimal
// lines at the start of the member's data), and old GNU ('S' members: map
// slots in the header, continued in extension blocks before the data).
// Pax 0.0 (repeated GNU.sparse.offset/numbytes records) is refused.

import { LklError } from '../errors'
import { gnuSparseMap, gnuSparseRealsize } from './header'

/** One step of a sparse file's content: `zero` bytes of hole or `data` bytes from the archive. */
export type PlanOp = { zero: number } | { data: number }

/** How a member says it is sparse, read from its header and pax records. */
export type SparseStart =
  | { format: 'old-gnu', map: number[], extended: boolean, headerRealsize: number }
  | { format: 'pax-0.1', map: number[] }
  | { format: 'pax-1.0' }

const MAX_MAP_TEXT = 64 << 20 // a pax 1.0 map longer than this is corrupt
const MAX_MAP_NUMBERS = 2 * 1024 * 1024 // likewise an old-GNU map

function invalidMap (path: string): LklError {
  return LklError.tarInvalid(`Invalid sparse map for '${path}'`, path)
}

/** The sparse format of a member, or null for an ordinary one. */
export function sparseStart (typeflag: string, block: Buffer, pax: Map<string, Buffer>, path: string): SparseStart | null {
  if (typeflag === 'S') {
    const { map, extended } = gnuSparseMap(block, 386, 4, 482)
    return { format: 'old-gnu', map, extended, headerRealsize: gnuSparseRealsize(block) }
  }
  const major = pax.get('GNU.sparse.major')?.toString()
  const minor = pax.get('GNU.sparse.minor')?.toString()
  const map = pax.get('GNU.sparse.map')?.toString()
  if (major === '1' && minor === '0') return { format: 'pax-1.0' }
  if (map !== undefined || (major === '0' && minor === '1')) {
    return { format: 'pax-0.1', map: (map ?? '').split(',').filter((s) => s !== '').map(Number) }
  }
  if (pax.has('GNU.sparse.offset')) throw LklError.tarInvalid(`Unsupported GNU sparse format 0.0 for '${path}'`, path)
  return null
}

/** The plan of (offset, length) pairs for a file of `realsize` bytes. */
export function planFromMap (nums: number[], realsize: number, path: string): PlanOp[] {
  const plan: PlanOp[] = []
  let pos = 0
  for (let i = 0; i + 1 < nums.length; i += 2) {
    const [off, len] = [nums[i], nums[i + 1]]
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < pos) throw invalidMap(path)
    if (off > pos) plan.push({ zero: off - pos })
    if (len > 0) plan.push({ data: len })
    pos = off + len
  }
  if (realsize > pos) plan.push({ zero: realsize - pos })
  return plan
}

/**
 * A sparse member's map, complete from its headers or collected block by
 * block from the archive; `plan` is set once the map is complete.
 */
export class SparseMap {
  plan: PlanOp[] | null = null
  /** The map's blocks are part of the member's data (pax 1.0), not extra blocks before it (old GNU). */
  readonly inData: boolean
  private _start: SparseStart
  private _realsize: number
  private _path: string
  private _nums: number[] = []
  private _text = ''

  constructor (start: SparseStart, realsize: number, path: string) {
    this._start = start
    this._realsize = realsize
    this._path = path
    this.inData = start.format === 'pax-1.0'
    if (start.format === 'pax-0.1') this._done(start.map)
    else if (start.format === 'old-gnu') {
      this._nums = start.map
      if (!start.extended) this._done(this._nums)
    }
  }

  /** Feed the next 512-byte block of the map. */
  addBlock (block: Buffer): void {
    if (this._start.format === 'old-gnu') {
      // An extension block: 21 more slots and a flag saying whether another follows.
      const ext = gnuSparseMap(block, 0, 21, 504)
      this._nums.push(...ext.map)
      if (this._nums.length > MAX_MAP_NUMBERS) throw invalidMap(this._path)
      if (!ext.extended) this._done(this._nums)
      return
    }
    // Pax 1.0: the count of pairs, then offset and length, one per line.
    this._text += block.toString('latin1')
    const lines = this._text.split('\n')
    const count = Number(lines[0])
    if (lines.length < 2 || !Number.isSafeInteger(count)) return
    if (lines.length - 1 < 1 + count * 2) {
      if (this._text.length > MAX_MAP_TEXT) throw invalidMap(this._path)
      return
    }
    this._done(lines.slice(1, 1 + count * 2).map(Number))
  }

  private _done (nums: number[]): void {
    this.plan = planFromMap(nums, this._realsize, this._path)
  }
}
