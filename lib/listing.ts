// SPDX-License-Identifier: GPL-2.0-only
//
// Corrupt directory listings: what the fs shim (readdir, opendir), the
// tree walk and the CLI do with the names native/dirents.cc never follows
// (empty, with a NUL byte, a second '.' or '..': following one would list
// the same directory, or its parent, again and again) and with a listing
// the kernel ended early. One policy per image (open({ badNames })), which
// a walk may override: 'error' (the default) throws ERR_LKL_CORRUPT_NAME
// naming the directory; 'skip' drops the entry and reports one warning.

import { errno } from './native'
import type { ListingFlaws } from './native'
import { LklError, invalidArgValue, systemError } from './errors'

export type BadNames = 'error' | 'skip'

/** Where an image's warnings go (open({ onWarning }); default process.emitWarning). */
export type WarningHandler = (warning: LklError) => void

/**
 * Directories deeper than this below a walk's root (or `lkl ls -R`'s
 * start) are an error: no real tree is, and a filesystem whose entries
 * loop must not make a walk run forever.
 */
export const MAX_DEPTH = 4096

// Listing failures that 'skip' turns into a warning (keeping the entries
// listed before): the kernel's EIO for a name it refuses (empty, or with
// '/', at that entry every time) and its words for damaged directories.
const CUT_SHORT = [errno.EIO, errno.EUCLEAN, errno.EBADMSG]

// lstat failures of a listed entry that say the entry itself is corrupt:
// ELOOP (the kernel's dcache found the name leads back to a directory above
// it) and EUCLEAN (the filesystem's own check, e.g. ext4's entry linked to
// its own directory).
const CORRUPT_ENTRY = [errno.ELOOP, errno.EUCLEAN]

export function checkBadNames (v: unknown, name: string): BadNames | undefined {
  if (v === undefined || v === 'error' || v === 'skip') return v
  throw invalidArgValue(name, v, "must be 'error' or 'skip'")
}

/** Why native refused `name` (see native/dirents.h). */
function whyBad (name: Buffer): string {
  if (name.length === 0) return 'an empty name'
  if (name.includes(0)) return 'the name holds a NUL byte'
  if (name.includes(0x2f)) return "the name holds a '/'"
  return `a second '${name.toString()}' entry`
}

export interface ListingPolicy {
  badNames: BadNames
  warn: WarningHandler
}

/**
 * Judge one listing of `dir` (as the user sees it): throws by the policy,
 * or warns once per flaw and returns so the caller uses the good entries.
 * `syscall` and `site` (the caller's stack) shape a kernel error.
 */
export function judgeListing (flaws: ListingFlaws, dir: string, policy: ListingPolicy, syscall = 'scandir', site?: Error): void {
  for (const name of flaws.bad ?? []) {
    if (policy.badNames === 'error') throw LklError.corruptName(dir, name, whyBad(name), -errno.EUCLEAN)
    policy.warn(LklError.corruptName(dir, name, whyBad(name), -errno.EUCLEAN, true))
  }
  const neg = flaws.listErr
  if (neg === undefined) return
  if (policy.badNames === 'error' || !CUT_SHORT.includes(-neg)) throw systemError(neg, syscall, dir, undefined, site)
  policy.warn(LklError.listingCut(dir, neg))
}

/**
 * An entry whose lstat failed with `neg`: true if the policy skips it (after
 * warning). Under 'error', ELOOP becomes ERR_LKL_CORRUPT_NAME (the kernel's
 * text, "too many symbolic links", would mislead); false for the rest (the
 * caller reports the kernel's error, e.g. EUCLEAN as it is).
 */
export function judgeEntry (neg: number, dir: string, name: Buffer, policy: ListingPolicy): boolean {
  if (!CORRUPT_ENTRY.includes(-neg)) return false
  const loop = neg === -errno.ELOOP
  const why = loop ? 'it leads back to a directory above it (the kernel found a loop)' : 'the filesystem says it is corrupt (EUCLEAN)'
  if (policy.badNames === 'skip') {
    policy.warn(LklError.corruptName(dir, name, why, neg, true))
    return true
  }
  if (loop) throw LklError.corruptName(dir, name, why, neg)
  return false
}
