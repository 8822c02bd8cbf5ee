// SPDX-License-Identifier: GPL-2.0-only
//
// What each filesystem can hold of the Entry model, in one table. The image
// writer stores what fits, drops (and counts) the attributes that do not,
// and refuses, or with `unsupported: 'skip'` skips and counts, the entries
// of a kind the filesystem cannot create at all. Filesystems not in the
// table hold everything the model has; the kernel's errors say otherwise.

import type { EntryType } from './entry'

export interface FsCapabilities {
  /** The entry types it can create. */
  types: ReadonlySet<EntryType>
  /** A numeric owner (uid, gid) per file. */
  owners: boolean
  /**
   * 'posix': every mode bit (0o7777). 'readonly': FAT's read-only attribute
   * only (a file without its owner's write bit); every file and directory
   * shows the mount's mode otherwise, with no setuid, setgid or sticky bit.
   */
  modes: 'posix' | 'readonly'
  /** Extended attributes (ACLs and capabilities included). */
  xattrs: boolean
}

const EVERY: FsCapabilities = {
  types: new Set<EntryType>(['file', 'directory', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'socket']),
  owners: true,
  modes: 'posix',
  xattrs: true
}

// vfat (the kernel's FAT12/16/32 with long names) and exfat: names, content,
// times and the read-only attribute. Owners are the mount's (uid=, gid=).
const FAT: FsCapabilities = {
  types: new Set<EntryType>(['file', 'directory']),
  owners: false,
  modes: 'readonly',
  xattrs: false
}

const TABLE: Record<string, FsCapabilities> = { vfat: FAT, msdos: FAT, exfat: FAT }

/** What a filesystem type (the kernel's name, as img.type) can hold. */
export function fsCapabilities (type: string): FsCapabilities {
  return TABLE[type] ?? EVERY
}

/** Whether `type` is an entry type the filesystem cannot create (unknown types are not). */
export function isUnsupported (caps: FsCapabilities, type: EntryType): boolean {
  return EVERY.types.has(type) && !caps.types.has(type)
}

/** The kinds counted in writer.dropped, in the order a summary lists them. */
export const DROPPED_KINDS = {
  // Attributes dropped from entries that were written.
  owners: 'owners',
  setuid: 'setuid bits',
  setgid: 'setgid bits',
  sticky: 'sticky bits',
  xattrs: 'xattrs',
  // Entries skipped (unsupported: 'skip').
  symlink: 'symlinks',
  hardlink: 'hardlinks',
  char: 'character devices',
  block: 'block devices',
  fifo: 'fifos',
  socket: 'sockets'
} as const

export type DroppedKind = keyof typeof DROPPED_KINDS

/** Counts per kind; a kind that never happened is absent. */
export type Dropped = Partial<Record<DroppedKind, number>>

const SKIPPED = new Set<string>(['symlink', 'hardlink', 'char', 'block', 'fifo', 'socket'])

/** The plural noun of an entry type the filesystem cannot create ('symlinks'). */
export function kindName (type: EntryType): string {
  return (DROPPED_KINDS as Record<string, string>)[type] ?? type
}

/**
 * One line for the dropped counts, or '' when nothing was dropped:
 * "vfat cannot hold: owners (12), sticky bits (1), symlinks (3, skipped)".
 */
export function describeDropped (type: string, dropped: Dropped): string {
  const parts: string[] = []
  for (const [kind, label] of Object.entries(DROPPED_KINDS)) {
    const n = dropped[kind as DroppedKind]
    if (n) parts.push(`${label} (${n}${SKIPPED.has(kind) ? ', skipped' : ''})`)
  }
  return parts.length ? `${type} cannot hold: ${parts.join(', ')}` : ''
}

/** Add the counts of `more` into `into` (several writers, one summary). */
export function addDropped (into: Dropped, more: Dropped): Dropped {
  for (const [k, n] of Object.entries(more)) into[k as DroppedKind] = (into[k as DroppedKind] ?? 0) + (n as number)
  return into
}
