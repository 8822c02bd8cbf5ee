// SPDX-License-Identifier: GPL-2.0-only
//
// A host file (or block device) as a disk: the kernel's I/O is done in C by
// the host library's I/O threads (preadv/pwritev/fdatasync), never in JS.

import { native } from '../native'
import { LklError } from '../errors'
import { PathLike, checkPath, checkInt, checkBool } from '../validate'
import { Disk, DiskKind } from './disk'
import { openHostFile, releaseHostFile, HostFile } from './host-file'

export class FileDisk extends Disk {
  readonly kind: DiskKind = 'file'
  /** The host path, as given. */
  readonly path: string | Buffer
  private _hostClaim: HostFile | null = null
  /** @internal wait for another process's lock on the file (open({ wait })) */
  _wait = false

  /** The host fd given to the constructor (node-lkl's form), else undefined. */
  readonly fd?: number

  /**
   * lkl.disk.file(path, { readOnly }) is the usual way. The constructor is
   * public for the node-lkl 1.x API: `new lkl.disk.FileDisk(pathOrFd,
   * readOnly = false)`. An fd is a host fd the caller keeps open (and
   * closes): the disk reopens its file through /proc/self/fd when it
   * attaches, so it gets its own lock and the fd's offset is never used.
   */
  constructor (pathOrFd: PathLike | number, readOnly = false) {
    const ro = checkBool(readOnly, 'readOnly')
    const path = typeof pathOrFd === 'number' ? `/proc/self/fd/${checkInt(pathOrFd, 'fd', 0, 2147483647)}` : checkPath(pathOrFd, 'path')
    super(path.toString(), ro)
    this.path = path
    if (typeof pathOrFd === 'number') this.fd = pathOrFd
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
