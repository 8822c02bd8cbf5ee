// SPDX-License-Identifier: GPL-2.0-only
//
// img.fs.promises: node:fs/promises over the image. Arguments are checked
// synchronously (TypeError/RangeError, before any native call); kernel
// failures reject with Node-shaped errors whose stack points at the caller.
// This file has the single-path calls; tree.ts the directory-level ones,
// xattr.ts the extended attributes.

import { native, constants as C, errno } from '../native'
import { fsCapabilities } from '../tree/fs-capabilities'
import { invalidArgType, invalidArgValue } from '../errors'
import { ImageCore, shown } from '../image-core'
import { checkPath, PathLike, PathArg, optionsOrKey as opts, checkInt } from '../validate'
import { check, checkValue } from './core'
import { parseFlags, parseMode, OpenFlags } from './flags'
import { Stats, BigIntStats, StatFs } from './stats'
import { splitDev } from '../device-number'
import { FileHandle, toBuffer, writeAll, readAll } from './file-handle'
import { toTimespec, TimeLike } from './times'
import { createTreeOps } from './tree'
import { createXattrOps } from './xattr'
import { constants } from './constants'
import type { PromisesOverloads as Typed } from './overloads'
import { nameFromBytes } from '../name-bytes'

const STAT_MASK = C.STATX_BASIC_STATS | C.STATX_BTIME
const MAX_ID = 0xffffffff

type Encoding = BufferEncoding
type StatOptions = { bigint?: boolean }
type ReadFileOptions = { encoding?: Encoding | null, flag?: OpenFlags, signal?: AbortSignal } | Encoding | null
type WriteFileOptions = { encoding?: Encoding | null, mode?: number | string, flag?: OpenFlags, flush?: boolean, signal?: AbortSignal } | Encoding | null

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

  async function statAt (p: PathLike, flags: number, syscall: string, site: Error, big = false): Promise<Stats | BigIntStats> {
    const r = checkValue(await native.statx(img._root, K(p), flags, STAT_MASK), syscall, p, site)
    return big ? new BigIntStats(r) : new Stats(r)
  }

  function statOpts (options: unknown): boolean {
    if (options == null) return false
    if (typeof options !== 'object') throw invalidArgType('options', 'of type object', options)
    return (options as StatOptions).bigint === true
  }

  function stat (path: PathArg, options?: StatOptions): Promise<Stats | BigIntStats> {
    const p = checkPath(path)
    const big = statOpts(options)
    const site = new Error()
    return img._op(() => statAt(p, 0, 'stat', site, big))
  }

  function lstat (path: PathArg, options?: StatOptions): Promise<Stats | BigIntStats> {
    const p = checkPath(path)
    const big = statOpts(options)
    const site = new Error()
    return img._op(() => statAt(p, C.AT_SYMLINK_NOFOLLOW, 'lstat', site, big))
  }

  function access (path: PathArg, mode?: number): Promise<void> {
    const p = checkPath(path)
    const m = mode === undefined ? 0 : checkInt(mode, 'mode', 0, 7)
    const site = new Error()
    return img._op(async () => { check(await native.faccessat(img._root, K(p), m), 'access', p, site) })
  }

  function readFile (path: PathArg | FileHandle, options?: ReadFileOptions): Promise<Buffer | string> {
    const o = opts(options, 'encoding')
    if (path instanceof FileHandle) return path.readFile(o)
    const p = checkPath(path)
    const flags = parseFlags(o.flag, 'r')
    const site = new Error()
    return img._op(async () => {
      const buf = await withFd(p, flags, 0o666, site, (fd) => readAll(fd, p, site))
      return o.encoding ? buf.toString(o.encoding) : buf
    })
  }

  function writeFile (path: PathArg | FileHandle, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    const o = opts(options, 'encoding')
    if (path instanceof FileHandle) return path.writeFile(data, o)
    const p = checkPath(path)
    const buf = toBuffer(data, o.encoding ?? 'utf8', 'data')
    const flags = parseFlags(o.flag, 'w')
    const mode = parseMode(o.mode, 0o666)
    const site = new Error()
    return img._op(async () => {
      await withFd(p, flags, mode, site, async (fd) => {
        await writeAll(fd, buf, -1, site, shown(p))
        if (o.flush === true) check(await native.fsync(fd), 'fsync', undefined, site)
      })
    })
  }

  function appendFile (path: PathArg | FileHandle, data: string | Uint8Array, options?: WriteFileOptions): Promise<void> {
    const o = opts(options, 'encoding')
    return writeFile(path, data, { ...o, flag: o.flag ?? 'a' })
  }

  function rmdir (path: PathArg, _options?: object): Promise<void> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(async () => { check(await native.unlinkat(img._root, K(p), C.AT_REMOVEDIR), 'rmdir', p, site) })
  }

  function unlink (path: PathArg): Promise<void> {
    const p = checkPath(path)
    const site = new Error()
    return img._op(async () => { check(await native.unlinkat(img._root, K(p), 0), 'unlink', p, site) })
  }

  function rename (oldPath: PathArg, newPath: PathArg): Promise<void> {
    const a = checkPath(oldPath, 'oldPath')
    const b = checkPath(newPath, 'newPath')
    const site = new Error()
    return img._op(async () => { check(await native.renameat2(img._root, K(a), K(b), 0), 'rename', a, site, b) })
  }

  function link (existingPath: PathArg, newPath: PathArg): Promise<void> {
    const a = checkPath(existingPath, 'existingPath')
    const b = checkPath(newPath, 'newPath')
    const site = new Error()
    return img._op(async () => { check(await native.linkat(img._root, K(a), K(b), 0), 'link', a, site, b) })
  }

  // The target is stored as given (it is the link's content, not a path
  // we resolve); only the link's own path is inside the image. `type` only
  // matters on Windows; it is checked like node:fs does.
  function symlink (target: PathArg, path: PathArg, type?: string | null): Promise<void> {
    const t = checkPath(target, 'target')
    const p = checkPath(path)
    if (type != null && type !== 'dir' && type !== 'file' && type !== 'junction') throw invalidArgValue('type', type, "must be one of: 'dir', 'file', 'junction'")
    const site = new Error()
    return img._op(async () => {
      const r = await native.symlinkat(img._root, t, K(p))
      try {
        check(r, 'symlink', t, site, p)
      } catch (e) {
        // The kernel's EPERM alone reads like a permission problem.
        if (r === -errno.EPERM && !fsCapabilities(img.type).types.has('symlink')) (e as Error).message += ` (${img.type} cannot hold symlinks)`
        throw e
      }
    })
  }

  function readlink (path: PathArg, options?: { encoding?: Encoding | 'buffer' | null } | Encoding | 'buffer' | null): Promise<string | Buffer> {
    const p = checkPath(path)
    const o = opts(options as object, 'encoding') as { encoding?: Encoding | 'buffer' | null }
    const site = new Error()
    return img._op(async () => {
      const r = checkValue(await native.readlinkat(img._root, K(p)), 'readlink', p, site)
      if (o.encoding === 'buffer') return r
      return !o.encoding || o.encoding === 'utf8' || o.encoding === 'utf-8' ? nameFromBytes(r) : r.toString(o.encoding)
    })
  }

  function truncate (path: PathArg, len = 0): Promise<void> {
    const p = checkPath(path)
    if (typeof len !== 'number') throw invalidArgType('len', 'of type number', len)
    checkInt(len, 'len', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
    const site = new Error()
    return img._op(async () => { check(await native.truncate(img._root, K(p), Math.max(0, len)), 'open', p, site) })
  }

  function chmod (path: PathArg, mode: number | string): Promise<void> {
    const p = checkPath(path)
    const m = parseMode(mode, 0)
    const site = new Error()
    return img._op(async () => { check(await native.fchmodat(img._root, K(p), m), 'chmod', p, site) })
  }

  function chownAt (syscall: string, flags: number) {
    return (path: PathArg, uid: number, gid: number): Promise<void> => {
      const p = checkPath(path)
      checkInt(uid, 'uid', -1, MAX_ID)
      checkInt(gid, 'gid', -1, MAX_ID)
      const site = new Error()
      return img._op(async () => { check(await native.fchownat(img._root, K(p), uid, gid, flags), syscall, p, site) })
    }
  }

  function utimesAt (syscall: string, flags: number) {
    return (path: PathArg, atime: TimeLike, mtime: TimeLike): Promise<void> => {
      const p = checkPath(path)
      const a = toTimespec(atime, 'atime')
      const m = toTimespec(mtime, 'mtime')
      const site = new Error()
      return img._op(async () => { check(await native.utimensat(img._root, K(p), a[0], a[1], m[0], m[1], flags), syscall, p, site) })
    }
  }

  function open (path: PathArg, flags?: OpenFlags, mode?: number | string): Promise<FileHandle> {
    const p = checkPath(path)
    const f = parseFlags(flags, 'r')
    const m = parseMode(mode, 0o666)
    const site = new Error()
    return img._op(async () => new FileHandle(img, await openFd(p, f, m, site), p))
  }

  /**
   * mknod(path, mode, rdev): device nodes (S_IFCHR/S_IFBLK, rdev as the
   * host's dev_t number, e.g. a Stats' rdev), fifos, sockets and files.
   */
  function mknod (path: PathArg, mode: number, rdev: number | bigint = 0): Promise<void> {
    const p = checkPath(path)
    checkInt(mode, 'mode', 0, 0o177777)
    if (typeof rdev === 'number') checkInt(rdev, 'rdev', 0, Number.MAX_SAFE_INTEGER)
    else if (typeof rdev !== 'bigint' || rdev < 0n) throw invalidArgType('rdev', 'of type number or bigint', rdev)
    const [major, minor] = splitDev(rdev)
    const site = new Error()
    return img._op(async () => { check(await native.mknodat(img._root, K(p), mode, major, minor), 'mknod', p, site) })
  }

  function statfs (path: PathArg, options?: StatOptions): Promise<StatFs<number> | StatFs<bigint>> {
    const p = checkPath(path)
    const big = statOpts(options)
    const site = new Error()
    return img._op(async () => new StatFs(checkValue(await native.statfs(img._root, K(p)), 'statfs', p, site), big) as StatFs<number> | StatFs<bigint>)
  }

  const shared = { statAt, openFd, withFd }
  // `as Typed[...]`: the union results typed by the options, like node's (./overloads.ts).
  return {
    access,
    appendFile,
    chmod,
    chown: chownAt('chown', 0),
    lchown: chownAt('lchown', C.AT_SYMLINK_NOFOLLOW),
    link,
    lstat: lstat as Typed['lstat'],
    lutimes: utimesAt('lutime', C.AT_SYMLINK_NOFOLLOW),
    mknod,
    open,
    readFile: readFile as Typed['readFile'],
    readlink: readlink as Typed['readlink'],
    rename,
    rmdir,
    stat: stat as Typed['stat'],
    statfs: statfs as Typed['statfs'],
    symlink,
    truncate,
    unlink,
    utimes: utimesAt('utime', 0),
    writeFile,
    ...createTreeOps(img, shared),
    ...createXattrOps(img),
    constants
  }
}

/** What tree.ts shares with this file. */
export interface Shared {
  statAt (p: PathLike, flags: number, syscall: string, site: Error, big?: boolean): Promise<Stats | BigIntStats>
  openFd (p: PathLike, flags: number, mode: number, site: Error): Promise<number>
  withFd<T> (p: PathLike, flags: number, mode: number, site: Error, fn: (fd: number) => Promise<T>): Promise<T>
}

export type FsPromises = ReturnType<typeof createPromises>
