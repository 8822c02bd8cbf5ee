// SPDX-License-Identifier: GPL-2.0-only
//
// The mountpoints of the node-lkl 1.x API: names like '/mnt/0000002a' for
// the images lkl.mount() opened, and how a path of the global lkl.fs finds
// its image. The names are this module's own, not the kernel's mount
// directories (those never appear outside the addon); they look like the
// ones node-lkl returned ('/mnt/' and 8 hex digits) and are never reused.
//
// Each mount gets an fs shim (lib/fs/shim.ts) over a view of its image that
// takes the full paths ('/mnt/0000002a/etc/passwd') and hands the image the
// rest ('/etc/passwd'): error messages, Dirent.parentPath, stream paths and
// mkdtemp's names all show the paths the caller wrote, as with node:fs.

import * as posix from 'path/posix'
import { Image } from '../image'
import { ImageCore } from '../image-core'
import { createFs, Fs } from '../fs/shim'
import { PathLike } from '../validate'

export interface Mount {
  readonly point: string
  readonly img: Image
  /** The shim over the full paths (every call but mkdir and realpath, see fs.ts). */
  readonly fs: Fs
}

const mounts = new Map<string, Mount>()
let counter = 0

function text (p: PathLike): string {
  // Buffers keep their exact bytes: match over latin1 (1 byte = 1 char).
  return typeof p === 'string' ? p : p.toString('latin1')
}

/**
 * The path inside the mount at `point` of a full path, resolved like the
 * kernel resolves from its root ('..' and '.' lexically), or null when the
 * path is not under `point`.
 */
export function innerPath (point: string, p: PathLike): string | null {
  const abs = posix.resolve('/', text(p))
  if (abs === point) return '/'
  return abs.startsWith(point + '/') ? abs.slice(point.length) : null
}

/** innerPath() in the form the image takes (a Buffer stays a Buffer of the same bytes). */
export function innerArg (point: string, p: PathLike): PathLike | null {
  const inner = innerPath(point, p)
  if (inner === null) return null
  return typeof p === 'string' ? inner : Buffer.from(inner, 'latin1')
}

/** Register an open image under a new mountpoint. */
export function addMount (img: Image): Mount {
  const point = '/mnt/' + (counter++).toString(16).padStart(8, '0')
  // The view the shim runs on: the image, with full paths translated. Paths
  // reach it only through find(), so they are under `point`.
  const view: ImageCore = {
    _op: (fn) => img._op(fn),
    _kpath: (p) => {
      const inner = innerArg(point, p)
      if (inner === null) throw new Error(`internal: '${p.toString()}' is not under ${point}`)
      return img._kpath(inner)
    },
    get _root () { return img._root },
    _fds: img._fds,
    type: img.type,
    _listing: img._listing
  }
  const m: Mount = { point, img, fs: createFs(view) }
  mounts.set(point, m)
  return m
}

export function removeMount (point: string): Mount | undefined {
  const m = mounts.get(point)
  mounts.delete(point)
  return m
}

/** The mount a full path is on, or undefined. */
export function find (p: PathLike): Mount | undefined {
  const abs = posix.resolve('/', text(p))
  // '/mnt/0000002a/x' -> '/mnt/0000002a': mountpoints are never nested.
  const point = abs.split('/').slice(0, 3).join('/')
  return mounts.get(point)
}

/** The mount whose image has the kernel fd open (a FileHandle or file stream), or undefined. */
export function findFd (fd: number): Mount | undefined {
  for (const m of mounts.values()) if (m.img._fds.has(fd)) return m
  return undefined
}
