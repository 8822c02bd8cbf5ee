// SPDX-License-Identifier: GPL-2.0-only
//
// Mount options we add for a filesystem type, unless the caller's own
// options already set the same key (theirs win). A filesystem they do not
// fit (the kernel refuses one with EINVAL) is mounted again with the
// caller's options alone (lib/image.ts). Why each one: a killed
// process loses the page cache like a machine losing power, so what is
// written must reach the image soon and in an order that never exposes
// unwritten blocks (docs/api.md, "Crashes, signals and exit").
//   ext4  nodioread_nolock: writeback then allocates written extents, which
//         data=ordered writes before the commit that records the file's
//         size; with the default (dioread_nolock) a kill can leave files at
//         full size reading as zeros (unwritten extents not yet converted).
//   btrfs commit=3: commit every 3 s, not 30 s, so data written back
//         (within ~1.5 s: the flusher sysctls, with xfs's log interval, are
//         in native/sysctl.cc) is on the image ~5 s after it was written.
//         ext4 keeps its own 5 s: with commit=2 a kill during rewrites left
//         an inode whose size e2fsck corrects (test/durability.js).

const ADDED: Record<string, string[]> = {
  ext4: ['nodioread_nolock'],
  ext3: ['nodioread_nolock'],
  btrfs: ['commit=3']
}

// The key an option sets ("commit=5" -> "commit"; "nodioread_nolock" and
// "dioread_nolock" are one setting, as are "dioread_lock" and its negation).
function key (opt: string): string {
  const k = opt.split('=')[0]
  if (k === 'dioread_lock' || k === 'nodioread_nolock' || k === 'nodioread_lock') return 'dioread_nolock'
  return k.startsWith('no') ? k.slice(2) : k
}

/** The options to mount `type` with, given the caller's `user` options. */
export function mountOptionsFor (type: string, user: string): string {
  const own = user.split(',').map((o) => o.trim()).filter(Boolean)
  const keys = new Set(own.map(key))
  const added = (ADDED[type] ?? []).filter((o) => !keys.has(key(o)))
  return [...added, ...own].join(',')
}
