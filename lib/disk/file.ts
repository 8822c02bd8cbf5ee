// SPDX-License-Identifier: GPL-2.0-only
//
// A host file (or block device) as a disk: the kernel's I/O is done in C by
// the host library's I/O threads (preadv/pwritev/fdatasync), never in JS.

import { native } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'
import { openHostFile, releaseHostFile, HostFile } from './host-file'

export class FileDisk extends Disk {
  readonly kind: DiskKind = 'file'
  /** The host path, as given. */
  readonly path: string | Buffer
  private _hostClaim: HostFile | null = null
  /** @internal wait for another process's lock on the file (open({ wait })) */
  _wait = false

  /** @internal use lkl.disk.file() */
  constructor (path: string | Buffer, readOnly: boolean) {
    super(path.toString(), readOnly)
    this.path = path
  }

  protected async _attach (): Promise<number> {
    const claim = await openHostFile(this.path, this.name, !this.readOnly, this._wait)
    const id = await native.diskAddFd(claim.fh.fd, this.readOnly)
    if (id < 0) {
      releaseHostFile(claim)
      throw LklError.kernel(`attaching '${this.name}'`, id)
    }
    // The kernel has its own copy of the fd; the claim's handle keeps the lock.
    this._hostClaim = claim
    return id
  }

  protected override _detached (): void {
    if (this._hostClaim) releaseHostFile(this._hostClaim)
    this._hostClaim = null
  }
}
