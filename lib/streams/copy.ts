// SPDX-License-Identifier: GPL-2.0-only
//
// copyIn/copyOut: the native fast path between a host file and a file in an
// image: one job copies the whole range in C with large buffers (the host
// library's sparse-aware copy when it has one: holes stay holes), instead
// of a chunk per crossing through JS streams.

import * as fs from 'fs'
import { native, constants as C, errno } from '../native'
import { systemError } from '../errors'
import { unsafePath } from '../tree/entry'
import { ImageCore, shown } from '../image-core'
import { PathLike, checkPath, checkOptions } from '../validate'

export interface CopyOptions {
  /** Mode of a created file (default: the source's permission bits). */
  mode?: number
  /** Fail if the destination exists (default false: truncate it). */
  exclusive?: boolean
}

// A kernel path split at its last '/': the directory and the name in it.
function splitLast (k: string | Buffer): [string | Buffer, string | Buffer] {
  const i = typeof k === 'string' ? k.lastIndexOf('/') : k.lastIndexOf(0x2f)
  if (i < 0) return ['.', k]
  const dir = i === 0 ? '/' : k.slice(0, i)
  return [dir, k.slice(i + 1)]
}

/**
 * Copy a host file into an image file; resolves with the bytes copied. The
 * file is created or truncated in its directory and never written through a
 * symlink (one planted there could point anywhere in the image).
 */
export async function copyIn (hostPath: PathLike, img: ImageCore, dest: PathLike, opts?: CopyOptions): Promise<number> {
  checkPath(hostPath, 'source')
  checkPath(dest, 'destination')
  const o = checkOptions(opts)
  const site = new Error()
  // Pending on the image from the call on, so that close() waits for it.
  return img._op(async () => {
    const fh = await fs.promises.open(hostPath, 'r')
    try {
      const st = await fh.stat()
      const flags = C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_CLOEXEC | (o.exclusive ? C.O_EXCL : 0)
      const [dir, name] = splitLast(img._kpath(dest))
      const kfd = await native.openBeneath(img._root, dir, name, flags | C.O_NOFOLLOW, o.mode ?? (st.mode & 0o7777))
      if (kfd === -errno.ELOOP) throw unsafePath(shown(dest), 'it is a symlink, which a copy never writes through')
      if (kfd < 0) throw systemError(kfd, 'open', shown(dest), undefined, site)
      try {
        const n = await native.copyIn(fh.fd, 0, kfd, 0, st.size)
        if (n < 0) throw systemError(n, 'write', shown(dest), undefined, site)
        return n
      } finally {
        await native.close(kfd)
      }
    } finally {
      await fh.close()
    }
  })
}

/** Copy an image file to a host file; resolves with the bytes copied. */
export async function copyOut (img: ImageCore, src: PathLike, hostPath: PathLike, opts?: CopyOptions): Promise<number> {
  checkPath(src, 'source')
  checkPath(hostPath, 'destination')
  const o = checkOptions(opts)
  const site = new Error()
  return img._op(async () => {
    const kfd = await native.openat(img._root, img._kpath(src), C.O_RDONLY | C.O_CLOEXEC, 0)
    if (kfd < 0) throw systemError(kfd, 'open', shown(src), undefined, site)
    try {
      const st = await native.fstatx(kfd, C.STATX_BASIC_STATS)
      if (typeof st === 'number') throw systemError(st, 'fstat', shown(src), undefined, site)
      const fh = await fs.promises.open(hostPath, o.exclusive ? 'wx' : 'w', o.mode ?? (st.mode & 0o7777))
      try {
        const n = await native.copyOut(kfd, 0, fh.fd, 0, st.size)
        if (n < 0) throw systemError(n, 'read', shown(src), undefined, site)
        await fh.truncate(n)
        return n
      } finally {
        await fh.close()
      }
    } finally {
      await native.close(kfd)
    }
  })
}
