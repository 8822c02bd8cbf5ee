// SPDX-License-Identifier: GPL-2.0-only
//
// The entry transforms the global options ask for (--exclude, --strip,
// --owner-map, --reproducible): the library's lkl.transforms.

import { transforms } from '../index'
import { UsageError } from './errors'
import type { Globals } from './context'
import { sourceDateEpoch } from '../mkfs'

type Transform = NodeJS.ReadWriteStream

/** `--owner-map`: `UID:GID` (everyone) or `uFROM=TO,gFROM=TO,...`. */
export function parseOwnerMap (s: string): transforms.OwnerMap | { uid: number, gid: number } {
  const all = /^(\d+):(\d+)$/.exec(s)
  if (all) return { uid: Number(all[1]), gid: Number(all[2]) }
  const uid: Record<number, number> = {}
  const gid: Record<number, number> = {}
  for (const part of s.split(',')) {
    const m = /^([ug])(\d+)=(\d+)$/.exec(part.trim())
    if (!m) throw new UsageError(`--owner-map must be UID:GID or uFROM=TO,gFROM=TO,... (got '${s}')`)
    ;(m[1] === 'u' ? uid : gid)[Number(m[2])] = Number(m[3])
  }
  return { uid, gid }
}

/** The epoch reproducible mode clamps times to. */
export function clampEpoch (g: Globals): number | undefined {
  return g.reproducible ? sourceDateEpoch() ?? 0 : undefined
}

/** Check the options that build transforms (usage errors before any work). */
export function checkTransformOptions (g: Globals): void {
  if (g.ownerMap !== undefined) parseOwnerMap(g.ownerMap)
}

/** The transforms, in order, for an entry pipeline. */
export function entryTransforms (g: Globals, opts: { clamp?: boolean } = {}): Transform[] {
  const out: Transform[] = []
  if (g.exclude.length) out.push(transforms.exclude(...g.exclude))
  if (g.strip !== undefined && Number(g.strip) > 0) out.push(transforms.strip(Number(g.strip)))
  if (g.ownerMap !== undefined) out.push(transforms.owner(parseOwnerMap(g.ownerMap)))
  const epoch = clampEpoch(g)
  if (epoch !== undefined && opts.clamp !== false) out.push(transforms.clampMtime(BigInt(epoch) * 1000000000n))
  return out
}
