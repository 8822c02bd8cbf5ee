// SPDX-License-Identifier: GPL-2.0-only
//
// img.fs.promises: node:fs/promises over the image. Arguments are checked
// synchronously (TypeError, before any native call); kernel failures reject
// with Node-shaped errors whose stack points at the caller.

import { native, constants as C } from '../native'
import { systemError, invalidArgType } from '../errors'
import { checkPath, shown, imagePath, ImageCore, PathLike } from './core'
import { parseFlags, parseMode, OpenFlags } from './flags'
import { Stats, Dirent, direntFromStats } from './stats'
import { FileHandle, toBuffer, writeAll, readAll } from './file-handle'

const STAT_MASK = C.STATX_BASIC_STATS | C.STATX_BTIME

type Encoding = BufferEncoding
type ReadFileOptions = { encoding?: Encoding | null, flag?: OpenFlags } | Encoding | null
type WriteFileOptions = { encoding?: Encoding | null, mode?: number | string, flag?: OpenFlags } | Encoding | null
type MkdirOptions = { recursive?: boolean, mode?: number | string } | number | string
type ReaddirOptions = { withFileTypes?: boolean, encoding?: Encoding | null } | Encoding | null

function opts<T extends object> (o: T | string | number | null | undefined, key: string): Partial<T> {
  if (o == null) return {}
  if (typeof o === 'string' || typeof o === 'number') return { [key]: o } as Partial<T>
  if (typeof o !== 'object') throw invalidArgType('options', 'of type object', o)
  return o
}

/** Throw the error for a negative result, else return it. */
function check (r: number, syscall: string, p: PathLike | undefined, site: Error, dest?: PathLike): number {
  if (r < 0) throw systemError(r, syscall, p === undefined ? undefined : shown(p), dest === undefined ? undefined : shown(dest), site)
  return r
}

export function createPromises (img: ImageCore) {
  const K = (p: PathLike): string | Buffer => img._kpath(p)
  async function openFd (p: PathLike, flags: number, mode: number, site: Error): Promise<number> {
    return check(await native.openat(img._root, K(p), flags | C.O_CLOEXEC, mode), 'open', p, site)
  }

  // readFile/writeFile's own fds are registered too, so that the exit path
  // can close them before it unmounts.
  const INTERNAL = { _forceClosed () {} }
  async function withFd<T> (p: PathLike, flags: number, mode: number, site: Error, fn: (fd: number) => Promise<T>): Promise<T> {
    const fd = await openFd(p, flags, mode, site)
    img._fds.set(fd, INTERNAL)
    try {
      return await fn(fd)
    } finally {
      await native.close(fd)
      img._fds.delete(fd)
    }
  }

  async function statAt (p: PathLike, flags: number, syscall: string, site: Error): Promise<Stats> {
    const r = await native.statx(img._root, K(p), flags, STAT_MASK)
    if (typeof r === 'number') throw systemError(r, syscall, shown(p), undefined, site)
    return new Stats(r)
  }

  function stat (path: PathLike): Promise<Stats> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(() => statAt(p, 0, 'stat', site))
  }

  function lstat (path: PathLike): Promise<Stats> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(() => statAt(p, C.AT_SYMLINK_NOFOLLOW, 'lstat', site))
  }

  function readFile (path: PathLike, options?: ReadFileOptions): Promise<Buffer | string> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    const flags = parseFlags(o.flag, 'r')
    const site = new Error()
    return img._op(async () => {
      const buf = await withFd(p, flags, 0o666, site, (fd) => readAll(fd, p, site))
      return o.encoding ? buf.toString(o.encoding) : buf
    })
  }

  function writeFile (path: PathLike, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    const buf = toBuffer(data, o.encoding ?? 'utf8', 'data')
    const flags = parseFlags(o.flag, 'w')
    const mode = parseMode(o.mode, 0o666)
    const site = new Error()
    return img._op(async () => {
      await withFd(p, flags, mode, site, (fd) => writeAll(fd, buf, -1, site))
    })
  }

  function appendFile (path: PathLike, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    const o = opts(options, 'encoding')
    return writeFile(path, data, { ...o, flag: o.flag ?? 'a' })
  }

  function readdir (path: PathLike, options?: ReaddirOptions): Promise<string[] | Dirent[]> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    const site = new Error()
    return img._op(async () => {
      const r = await native.readdir(img._root, K(p))
      if (typeof r === 'number') throw systemError(r, 'scandir', shown(p), undefined, site)
      if (!o.withFileTypes) return r.map((e) => e.name)
      const parent = shown(p)
      return Promise.all(r.map(async (e) => {
        if (e.type !== 0) return new Dirent(e.name, e.type, parent)
        const child = imagePath(p) === '/' ? '/' + e.name : imagePath(p) + '/' + e.name
        return direntFromStats(e.name, await statAt(child, C.AT_SYMLINK_NOFOLLOW, 'lstat', site), parent)
      }))
    })
  }

  function mkdir (path: PathLike, options?: MkdirOptions): Promise<string | undefined> {
    const p = checkPath(path)
    const o = opts(options, 'mode')
    const mode = parseMode(o.mode, 0o777)
    const site = new Error()
    if (!o.recursive) {
      return img._op(async () => { check(await native.mkdirat(img._root, K(p), mode), 'mkdir', p, site); return undefined })
    }
    // Recursive: create missing ancestors; resolve with the first created.
    const mk = async (abs: string): Promise<string | undefined> => {
      const r = await native.mkdirat(img._root, K(abs), mode)
      if (r === 0) return abs
      if (r === -2 && abs !== '/') { // ENOENT: the parent is missing
        const first = await mk(abs.slice(0, abs.lastIndexOf('/')) || '/')
        check(await native.mkdirat(img._root, K(abs), mode), 'mkdir', p, site)
        return first ?? abs
      }
      if (r === -17) { // EEXIST: fine if it is a directory
        const st = await statAt(abs, 0, 'mkdir', site).catch(() => null)
        if (st?.isDirectory()) return undefined
      }
      throw systemError(r, 'mkdir', shown(p), undefined, site)
    }
    return img._op(() => mk(imagePath(p)))
  }

  function rmdir (path: PathLike): Promise<void> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(async () => { check(await native.unlinkat(img._root, K(p), C.AT_REMOVEDIR), 'rmdir', p, site) })
  }

  function unlink (path: PathLike): Promise<void> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(async () => { check(await native.unlinkat(img._root, K(p), 0), 'unlink', p, site) })
  }

  function rename (oldPath: PathLike, newPath: PathLike): Promise<void> {
    const a = checkPath(oldPath, 'oldPath')
    const b = checkPath(newPath, 'newPath')
    const site = new Error()
    return img._op(async () => { check(await native.renameat2(img._root, K(a), K(b), 0), 'rename', a, site, b) })
  }

  function link (existingPath: PathLike, newPath: PathLike): Promise<void> {
    const a = checkPath(existingPath, 'existingPath')
    const b = checkPath(newPath, 'newPath')
    const site = new Error()
    return img._op(async () => { check(await native.linkat(img._root, K(a), K(b), 0), 'link', a, site, b) })
  }

  // The target is stored as given (it is the link's content, not a path
  // we resolve); only the link's own path is inside the image.
  function symlink (target: PathLike, path: PathLike): Promise<void> {
    const t = checkPath(target, 'target')
    const p = checkPath(path)
    const site = new Error()
    return img._op(async () => { check(await native.symlinkat(img._root, t, K(p)), 'symlink', t, site, p) })
  }

  function readlink (path: PathLike, options?: { encoding?: Encoding | 'buffer' } | Encoding | 'buffer'): Promise<string | Buffer> {
    const p = checkPath(path)
    const o = opts(options as object, 'encoding') as { encoding?: Encoding | 'buffer' }
    const site = new Error()
    return img._op(async () => {
      const r = await native.readlinkat(img._root, K(p))
      if (typeof r === 'number') throw systemError(r, 'readlink', shown(p), undefined, site)
      return o.encoding === 'buffer' ? r : r.toString(o.encoding ?? 'utf8')
    })
  }

  function truncate (path: PathLike, len = 0): Promise<void> {
    const p = checkPath(path)
    if (typeof len !== 'number' || !Number.isSafeInteger(len)) throw invalidArgType('len', 'of type number', len)
    const site = new Error()
    return img._op(async () => { check(await native.truncate(img._root, K(p), Math.max(0, len)), 'open', p, site) })
  }

  function chmod (path: PathLike, mode: number | string): Promise<void> {
    const p = checkPath(path)
    const m = parseMode(mode, 0)
    const site = new Error()
    return img._op(async () => { check(await native.fchmodat(img._root, K(p), m), 'chmod', p, site) })
  }

  function chownAt (syscall: string, flags: number) {
    return (path: PathLike, uid: number, gid: number): Promise<void> => {
      const p = checkPath(path)
      if (!Number.isInteger(uid)) throw invalidArgType('uid', 'of type number', uid)
      if (!Number.isInteger(gid)) throw invalidArgType('gid', 'of type number', gid)
      const site = new Error()
      return img._op(async () => { check(await native.fchownat(img._root, K(p), uid, gid, flags), syscall, p, site) })
    }
  }

  function toTime (t: number | string | Date, name: string): [number, number] {
    let s: number
    if (t instanceof Date) s = t.getTime() / 1000
    else if (typeof t === 'number') s = t
    else if (typeof t === 'string' && t.trim() !== '' && !isNaN(Number(t))) s = Number(t)
    else throw invalidArgType(name, 'of type number, string, or an instance of Date', t)
    const sec = Math.floor(s)
    return [sec, Math.round((s - sec) * 1e9)]
  }

  function utimesAt (syscall: string, flags: number) {
    return (path: PathLike, atime: number | string | Date, mtime: number | string | Date): Promise<void> => {
      const p = checkPath(path)
      const a = toTime(atime, 'atime')
      const m = toTime(mtime, 'mtime')
      const site = new Error()
      return img._op(async () => { check(await native.utimensat(img._root, K(p), a[0], a[1], m[0], m[1], flags), syscall, p, site) })
    }
  }

  function open (path: PathLike, flags?: OpenFlags, mode?: number | string): Promise<FileHandle> {
    const p = checkPath(path)
    const f = parseFlags(flags, 'r')
    const m = parseMode(mode, 0o666)
    const site = new Error()
    return img._op(async () => new FileHandle(img, await openFd(p, f, m, site), p))
  }

  return {
    readFile,
    writeFile,
    appendFile,
    readdir,
    stat,
    lstat,
    mkdir,
    rmdir,
    unlink,
    rename,
    link,
    symlink,
    readlink,
    truncate,
    chmod,
    chown: chownAt('chown', 0),
    lchown: chownAt('lchown', C.AT_SYMLINK_NOFOLLOW),
    utimes: utimesAt('utime', 0),
    lutimes: utimesAt('lutime', C.AT_SYMLINK_NOFOLLOW),
    open
  }
}

export type FsPromises = ReturnType<typeof createPromises>
