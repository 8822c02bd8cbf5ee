// SPDX-License-Identifier: GPL-2.0-only
//
// From open()'s `partition` and `type` options to a partition number and a
// filesystem type, reading through the attached disk's block devices (so
// it works the same for every kind of disk).

import { native } from '../native'
import { LklError } from '../errors'
import { PROBE_BYTES, detectType, readLabel } from '../probe'
import type { Disk, Partition } from './disk'
import { formatSize } from '../byte-size'

/** A partition number (0 = whole disk), or a filesystem / GPT label. */
export type PartitionSpec = number | { label: string } | { partlabel: string }

async function kernelPartitions (disk: Disk, id: number): Promise<Partition[]> {
  const r = await native.diskPartitions(id)
  if (typeof r === 'number') throw LklError.kernel(`reading the partitions of '${disk.name}'`, r)
  return r
}

/** The filesystem type found on a partition (null: none recognised). */
export async function detect (disk: Disk, id: number, partition: number): Promise<{ type: string | null, label: string }> {
  return disk._read(id, partition, async (read) => {
    const b = await read(0, PROBE_BYTES)
    const type = detectType(b)
    return { type, label: type ? await readLabel(b, type, read) : '' }
  })
}

/**
 * A partition the kernel does not have, or one that failed to mount: if
 * the table on the disk declares it past the disk's end, say so.
 */
export async function diagnose (disk: Disk, id: number, partition: number): Promise<LklError | null> {
  if (partition === 0) return null
  try {
    const size = await native.diskSize(id)
    const table = await native.diskTable(id)
    const p = typeof table === 'number' ? undefined : table.find((q) => q.number === partition)
    if (!p || size < 0 || p.start + p.size <= size) return null
    const where = p.start >= size ? `starts at byte ${p.start}` : `ends at byte ${p.start + p.size}`
    return LklError.diskTooSmall(disk.name, `partition ${partition} ${where}, past the end of the disk (${size} bytes); the image is truncated or its partition table is wrong`)
  } catch {
    return null
  }
}

/** Resolve a partition spec to the kernel's partition number. */
export async function resolvePartition (disk: Disk, id: number, spec: PartitionSpec): Promise<{ partition: number, type?: string }> {
  if (spec === 0) return { partition: 0 }
  const parts = await kernelPartitions(disk, id)
  if (typeof spec === 'number') {
    if (parts.some((p) => p.number === spec)) return { partition: spec }
    throw (await diagnose(disk, id, spec)) ?? LklError.noPartition(disk.name, spec)
  }
  if ('partlabel' in spec) {
    const p = parts.find((q) => q.name === spec.partlabel)
    if (p) return { partition: p.number }
    throw LklError.noPartitionMatching(disk.name, `GPT name '${spec.partlabel}'`)
  }
  const candidates = parts.length > 0 ? parts.map((p) => p.number) : [0]
  for (const n of candidates) {
    const found = await detect(disk, id, n).catch(() => null)
    if (found?.type && found.label === spec.label) return { partition: n, type: found.type }
  }
  throw LklError.noPartitionMatching(disk.name, `filesystem label '${spec.label}'`)
}

/**
 * No partition asked for and type 'auto': the whole disk when it holds a
 * filesystem; else the one partition that does (`picked` set, so the caller
 * can say so); else an error listing the partitions and how to pick one.
 */
export async function wholeDiskOrOnlyPartition (disk: Disk, id: number): Promise<{ partition: number, type: string, picked?: string }> {
  const whole = await detect(disk, id, 0)
  if (whole.type) return { partition: 0, type: whole.type }
  const parts = await kernelPartitions(disk, id)
  if (parts.length === 0) throw LklError.unknownFsType('auto', disk.name)
  const rows: Array<{ p: Partition, type: string | null, label: string }> = []
  for (const p of parts) {
    const found = await detect(disk, id, p.number).catch(() => ({ type: null, label: '' }))
    rows.push({ p, ...found })
  }
  const describe = (r: { p: Partition, type: string | null, label: string }): string => {
    const label = r.label || r.p.name
    return `${r.p.number}: ${r.type ?? 'no filesystem'}${label ? ` '${label}'` : ''}, ${formatSize(r.p.size)}`
  }
  const usable = rows.filter((r) => r.type !== null)
  if (usable.length === 1) {
    const r = usable[0]
    return { partition: r.p.number, type: r.type!, picked: describe(r) }
  }
  throw LklError.partitionNeeded(disk.name, rows.map(describe))
}
