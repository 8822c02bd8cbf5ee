// SPDX-License-Identifier: GPL-2.0-only
//
// Host files attached in this process, by device and inode: a file attached
// writable is used by no other disk; read-only file disks and overlays may
// share a file.
//
// Across processes the same rule holds through flock(2) on the host file:
// a writable disk holds an exclusive lock, a read-only one or an overlay a
// shared lock, for as long as the kernel has the disk: the lock belongs to
// the handle opened here, which the claim keeps open until it is released.
// A conflicting open fails at once with ERR_LKL_IMAGE_BUSY, or waits for
// the other process when asked to (polling: flock is never called blocking,
// so the JS thread never waits). Other lkl processes and `flock(1)` see the
// lock; tools that take none (mount, e2fsck) do not.

import * as fs from 'fs'
import { promisify } from 'util'
import { native, errno } from '../native'
import { LklError, systemError } from '../errors'

const attached = new Map<string, { writers: number, readers: number }>()

/** A claim on a host file: its handle (holding the lock) and its use. */
export interface HostFile {
  fh: { fd: number }
  key: string
}

// node:fs's callback forms, not fs.promises: the first use of fs.promises
// loads internal/fs/promises and the 11 modules it needs (~1 ms of the
// first open() of a short script).
const openFd = promisify(fs.open)
const fstat = promisify(fs.fstat)
const closeFd = promisify(fs.close)

/**
 * Open a host file for a disk and claim it (ERR_LKL_IMAGE_BUSY if that
 * conflicts with a disk attached here or the lock of another process).
 * Errors of the host file are node:fs's own. The handle stays open (it holds
 * the lock) until releaseHostFile().
 */
export async function openHostFile (path: string | Buffer, shown: string, write: boolean, wait = false): Promise<HostFile> {
  const fh = { fd: await openFd(path, write ? 'r+' : 'r') }
  try {
    const st = await fstat(fh.fd)
    // A directory opens read-only; refuse it the way a writable open does.
    if (st.isDirectory()) throw systemError(-errno.EISDIR, 'open', shown)
    if (st.isFile() && st.size < 512) throw LklError.diskTooSmall(shown, `${st.size} bytes, a disk has at least one 512-byte sector`)
    const key = `${st.dev}:${st.ino}`
    const busyHere = (): boolean => {
      const u = attached.get(key)
      return !!u && (u.writers > 0 || (write && u.readers > 0))
    }
    // This process first (its own lock would look like another's), then
    // the others; the wait may let this process take the file meanwhile.
    if (busyHere()) throw LklError.imageBusy(shown, 0)
    await lockHostFile(fh, shown, write, wait)
    if (busyHere()) throw LklError.imageBusy(shown, 0)
    const use = attached.get(key) ?? { writers: 0, readers: 0 }
    if (write) use.writers++
    else use.readers++
    attached.set(key, use)
    return { fh, key: (write ? 'w' : 'r') + key }
  } catch (err) {
    await closeFd(fh.fd)
    throw err
  }
}

async function lockHostFile (fh: { fd: number }, shown: string, write: boolean, wait: boolean): Promise<void> {
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const r = native.hostFlock(fh.fd, write)
    if (r === 0) return
    if (r !== -errno.EAGAIN) throw systemError(r, 'flock', shown)
    if (!wait) throw LklError.imageLocked(shown, write)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/** Give up the claim made by openHostFile: the use, the handle, the lock. */
export function releaseHostFile (file: HostFile): void {
  // Unlocked now: the close below is asynchronous, and an open of the same
  // file right after this (a close/open cycle) must not find it locked.
  native.hostUnlock(file.fh.fd)
  closeFd(file.fh.fd).catch(() => {})
  const claim = file.key
  const key = claim.slice(1)
  const use = attached.get(key)
  if (!use) return
  if (claim[0] === 'w') use.writers--
  else use.readers--
  if (use.writers <= 0 && use.readers <= 0) attached.delete(key)
}
