// SPDX-License-Identifier: GPL-2.0-only
//
// Host files attached in this process, by device and inode: a file attached
// writable is used by no other disk; read-only file disks and overlays may
// share a file.

import * as fs from 'fs'
import { errno } from '../native'
import { LklError, systemError } from '../errors'

const attached = new Map<string, { writers: number, readers: number }>()

export interface HostFile {
  fh: fs.promises.FileHandle
  key: string
}

/**
 * Open a host file for a disk and claim it (ERR_LKL_IMAGE_BUSY if that
 * conflicts with a disk already attached). Errors of the host file are
 * node:fs's own. The caller closes fh once the kernel has its own copy.
 */
export async function openHostFile (path: string | Buffer, shown: string, write: boolean): Promise<HostFile> {
  const fh = await fs.promises.open(path, write ? 'r+' : 'r')
  try {
    const st = await fh.stat()
    // A directory opens read-only; refuse it the way a writable open does.
    if (st.isDirectory()) throw systemError(-errno.EISDIR, 'open', shown)
    if (st.isFile() && st.size < 512) throw LklError.diskTooSmall(shown, `${st.size} bytes, a disk has at least one 512-byte sector`)
    const key = `${st.dev}:${st.ino}`
    const use = attached.get(key) ?? { writers: 0, readers: 0 }
    if (use.writers > 0 || (write && use.readers > 0)) throw LklError.imageBusy(shown, 0)
    if (write) use.writers++
    else use.readers++
    attached.set(key, use)
    return { fh, key: (write ? 'w' : 'r') + key }
  } catch (err) {
    await fh.close()
    throw err
  }
}

/** Give up the claim made by openHostFile. */
export function releaseHostFile (claim: string): void {
  const key = claim.slice(1)
  const use = attached.get(key)
  if (!use) return
  if (claim[0] === 'w') use.writers--
  else use.readers--
  if (use.writers <= 0 && use.readers <= 0) attached.delete(key)
}
