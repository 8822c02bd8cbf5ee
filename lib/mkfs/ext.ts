// SPDX-License-Identifier: GPL-2.0-only
//
// Reproducible ext2/3/4 images. With the kernel's clock frozen, what still
// depends on timing is (1) where delayed allocation puts blocks (writeback
// runs when the flusher wakes) and (2) the journal's leftover contents and
// the lifetime-writes counter (commits run on a timer). So the filesystem
// is made without a journal and mounted with nodelalloc (blocks placed in
// write order); after it is filled and closed, finalize() adds the journal
// (fresh, zeroed) and zeroes the counter, with e2fsprogs' fake time.

import { run } from './tools'

/**
 * What a reproducible ext* build needs: extra mke2fs args and mount options.
 * ext4 only: ext2 has neither a journal nor delayed allocation, and ext3
 * must be mounted with its journal (so it is not made byte-identical).
 */
export function extReproducible (type: string, args: string[]): { args: string[], mountOptions: string, journal: boolean } {
  if (type !== 'ext4') return { args: [], mountOptions: '', journal: false }
  const journal = !args.some((a) => /(^|,)\^has_journal/.test(a))
  return { args: journal ? ['-O', '^has_journal'] : [], mountOptions: 'nodelalloc', journal }
}

/** After the filesystem was filled and unmounted: add the journal, zero the counter. */
export async function extFinalize (file: string, offset: number, journal: boolean, epoch: number): Promise<void> {
  const dev = offset ? `${file}?offset=${offset}` : file
  const env = { E2FSPROGS_FAKE_TIME: String(Math.max(1, epoch)) }
  if (journal) await run('tune2fs', 'e2fsprogs', ['-O', 'has_journal', dev], env, file)
  await run('debugfs', 'e2fsprogs', ['-w', '-R', 'ssv kbytes_written 0', dev], env, file)
}
