// SPDX-License-Identifier: GPL-2.0-only
//
// A copy-on-write overlay over a host file: reads come from the file
// (in C, like a file disk) until a block is written; writes stay in memory
// (4 KiB chunks). The file is opened read-only and never written, even
// when the kernel replays a journal while mounting.

import { native } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'
import { openHostFile, releaseHostFile, HostFile } from './host-file'

export class OverlayDisk extends Disk {
  readonly kind: DiskKind = 'overlay'
  /** The base file's host path, as given. */
  readonly path: string | Buffer
  private _hostClaim: HostFile | null = null
  /** @internal wait for another process's lock on the file (open({ wait })) */
  _wait = false

  /** @internal use lkl.disk.overlay() */
  constructor (path: string | Buffer) {
    super(path.toString(), false)
    this.path = path
  }

  protected async _attach (): Promise<number> {
    const claim = await openHostFile(this.path, this.name, false, this._wait)
    const id = await native.diskAddOverlay(claim.fh.fd, 0)
    if (id < 0) {
      releaseHostFile(claim)
      throw LklError.kernel(`attaching an overlay over '${this.name}'`, id)
    }
    // The kernel has its own copy of the fd; the claim's handle keeps the lock.
    this._hostClaim = claim
    return id
  }

  protected override _detached (): void {
    if (this._hostClaim) releaseHostFile(this._hostClaim)
    this._hostClaim = null
  }

  /** Host memory held by written blocks (0 when not attached). */
  async memoryUsage (): Promise<number> {
    if (this._diskId < 0) return 0
    const r = await native.diskOverlayBytes(this._diskId)
    return r < 0 ? 0 : r
  }
}
