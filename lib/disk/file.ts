// SPDX-License-Identifier: GPL-2.0-only
//
// A host file (or block device) as a disk: the kernel's I/O is done in C by
// the host library's I/O threads (preadv/pwritev/fdatasync), never in JS.

import { native } from '../native'
import { LklError } from '../errors'
import { Disk, DiskKind } from './disk'
import { openHostFile, releaseHostFile } from './host-file'

export class FileDisk extends Disk {
  readonly kind: DiskKind = 'file'
  /** The host path, as given. */
  readonly path: string | Buffer
  private _hostClaim: string | null = null

  /** @internal use lkl.disk.file() */
  constructor (path: string | Buffer, readOnly: boolean) {
    super(path.toString(), readOnly)
    this.path = path
  }

  protected async _attach (): Promise<number> {
    const { fh, key } = await openHostFile(this.path, this.name, !this.readOnly)
    try {
      const id = await native.diskAddFd(fh.fd, this.readOnly)
      if (id < 0) {
        releaseHostFile(key)
        throw LklError.kernel(`attaching '${this.name}'`, id)
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
}
