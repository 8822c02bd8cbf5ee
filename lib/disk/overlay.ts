// SPDX-License-Identifier: GPL-2.0-only
//
// A copy-on-write overlay over a host file: reads come from the file
// (in C, like a file disk) until a block is written; writes stay in memory
// (4 KiB chunks). The file is opened read-only and never written, even
// when the kernel replays a journal while mounting.

import { native } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'
import { openHostFile, releaseHostFile } from './host-file'

export class OverlayDisk extends Disk {
  readonly kind: DiskKind = 'overlay'
  /** The base file's host path, as given. */
  readonly path: string | Buffer
  private _hostClaim: string | null = null

  /** @internal use lkl.disk.overlay() */
  constructor (path: string | Buffer) {
    super(path.toString(), false)
    this.path = path
  }

  protected async _attach (): Promise<number> {
    const { fh, key } = await openHostFile(this.path, this.name, false)
    try {
      const id = await native.diskAddOverlay(fh.fd, 0)
      if (id < 0) {
        releaseHostFile(key)
        throw LklError.kernel(`attaching an overlay over '${this.name}'`, id)
      }
      this._hostClaim = key
      return id
    } finally {
      await fh.close()
    }
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
