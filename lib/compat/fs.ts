// SPDX-License-Identifier: GPL-2.0-only
//
// lkl.fs of the node-lkl 1.x API (lib/compat): one node:fs-like object for
// every image lkl.mount() opened, with img.fs's calls, promises and streams.
// A path goes to the image of its mountpoint, an fd (or FileHandle) to the
// image that has it open. A path under no mountpoint fails with ENOENT and an
// fd no image has with EBADF, asynchronously, as node:fs reports a missing
// file or a closed fd; bad arguments throw synchronously, as img.fs does.

import { PassThrough } from 'stream'
import { pipeline } from 'stream/promises'
import { errno } from '../native'
import { systemError } from '../errors'
import { ImageCore, shown } from '../image-core'
import { checkPath, checkInt, PathLike } from '../validate'
import { createFs, Fs } from '../fs/shim'
import { FileHandle } from '../fs/file-handle'
import { Mount, find, findFd, innerArg } from './mounts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any
type Callback = (err: Error | null, ...results: unknown[]) => void

/**
 * How a call finds its image: by its first argument, a path ('path') or a
 * path or an fd / FileHandle ('pathOrFd': readFile & co); by its two paths,
 * which must be on one image ('paths'); or by its second argument
 * ('second': symlink's path; the target is just the link's text).
 */
type Route = 'path' | 'pathOrFd' | 'paths' | 'second'

// The calls taking paths (img.fs and img.fs.promises both have them): the
// route, and the syscall that a path under no mountpoint is reported with
// (node's names, see docs/errors.md); for two paths, their argument names.
const PATH_CALLS: Record<string, [Route, string, string?, string?]> = {
  access: ['path', 'access'],
  appendFile: ['pathOrFd', 'open'],
  chmod: ['path', 'chmod'],
  chown: ['path', 'chown'],
  copyFile: ['paths', 'copyfile', 'src', 'dest'],
  lchown: ['path', 'lchown'],
  link: ['paths', 'link', 'existingPath', 'newPath'],
  lstat: ['path', 'lstat'],
  lutimes: ['path', 'lutime'],
  mkdir: ['path', 'mkdir'],
  mkdtemp: ['path', 'mkdtemp'],
  mknod: ['path', 'mknod'],
  open: ['path', 'open'],
  opendir: ['path', 'opendir'],
  readdir: ['path', 'scandir'],
  readFile: ['pathOrFd', 'open'],
  readlink: ['path', 'readlink'],
  realpath: ['path', 'realpath'],
  rename: ['paths', 'rename', 'oldPath', 'newPath'],
  rm: ['path', 'rm'],
  rmdir: ['path', 'rmdir'],
  stat: ['path', 'stat'],
  statfs: ['path', 'statfs'],
  symlink: ['second', 'symlink'],
  truncate: ['path', 'open'],
  unlink: ['path', 'unlink'],
  utimes: ['path', 'utime'],
  writeFile: ['pathOrFd', 'open'],
  getxattr: ['path', 'getxattr'],
  lgetxattr: ['path', 'lgetxattr'],
  setxattr: ['path', 'setxattr'],
  lsetxattr: ['path', 'lsetxattr'],
  listxattr: ['path', 'listxattr'],
  llistxattr: ['path', 'llistxattr'],
  removexattr: ['path', 'removexattr'],
  lremovexattr: ['path', 'lremovexattr']
}

// The fd calls (callback API only).
const FD_CALLS = ['close', 'read', 'write', 'readv', 'writev', 'fstat', 'fsync', 'fdatasync', 'ftruncate', 'fchmod', 'fchown', 'futimes']

// The shim of no image: for an fd no image has, its own checks give the
// errors img.fs gives (EBADF with node's syscall name, or a TypeError).
const nowhereView: ImageCore = {
  _op: () => Promise.reject(new Error('internal: no image')),
  _kpath: () => { throw new Error('internal: no image') },
  _root: -1,
  _fds: new Map(),
  type: '',
  _listing: { badNames: 'error', warn: () => {} }
}
const nowhere = createFs(nowhereView)

/** The shim for an fd or a FileHandle: its image's, else the one that fails with EBADF. */
function byFd (fd: unknown): Fs {
  const n = fd instanceof FileHandle ? fd.fd : fd
  return (typeof n === 'number' && findFd(n)?.fs) || nowhere
}

/** The mount a call goes to, the error it fails with, or 'across' for two paths on two images. */
function locate (name: string, args: unknown[]): Mount | Fs | Error | 'across' {
  const [route, syscall, n1 = 'path', n2 = 'path'] = PATH_CALLS[name]
  if (route === 'pathOrFd' && (typeof args[0] === 'number' || args[0] instanceof FileHandle)) return byFd(args[0])
  if (route === 'paths') {
    const a = checkPath(args[0], n1)
    const b = checkPath(args[1], n2)
    const ma = find(a)
    const mb = find(b)
    if (!ma || !mb) return systemError(-errno.ENOENT, syscall, shown(a), shown(b), new Error())
    if (ma !== mb) return 'across'
    return ma
  }
  const p = checkPath(args[route === 'second' ? 1 : 0])
  return find(p) ?? systemError(-errno.ENOENT, syscall, shown(p), undefined, new Error())
}

/** The full path of a path inside a mount. */
function outer (m: Mount, inner: string): string {
  return inner === '/' ? m.point : m.point + inner
}

/** An error of a call made with an inner path, shown with the caller's path. */
function outerError (err: Error & { path?: string }, inner: string, caller: string): Error {
  if (err.path === inner) {
    err.path = caller
    err.message = err.message.replace(`'${inner}'`, `'${caller}'`)
    if (err.stack) err.stack = err.stack.replace(`'${inner}'`, `'${caller}'`)
  }
  return err
}

type EncodingOption = { encoding?: BufferEncoding | 'buffer' | null } | BufferEncoding | 'buffer' | null | undefined

// The two calls whose shim code resolves paths itself rather than through
// the image view (mkdir's recursion, realpath's answer from the kernel):
// they run on the image with the inner path, and their results and errors
// are shown with the full path.
const special = {
  async mkdir (m: Mount, path: PathLike, options?: unknown): Promise<string | undefined> {
    const inner = innerArg(m.point, path) as PathLike
    const r = await m.img.fs.promises.mkdir(inner, options as undefined).catch((e) => { throw outerError(e, shown(inner), shown(path)) })
    return r === undefined ? undefined : outer(m, r)
  },
  async realpath (m: Mount, path: PathLike, options?: EncodingOption): Promise<string | Buffer> {
    const enc = (typeof options === 'object' && options !== null ? options.encoding : options) ?? 'utf8'
    const inner = innerArg(m.point, path) as PathLike
    const r = await m.img.fs.promises.realpath(inner, 'buffer').catch((e) => { throw outerError(e, shown(inner), shown(path)) })
    const full = Buffer.from(outer(m, r.toString('latin1')), 'latin1')
    return enc === 'buffer' ? full : full.toString(enc)
  },
  /** copyFile between two images: a stream copy with the source's permission bits. */
  async copyAcross (src: PathLike, dest: PathLike, mode = 0): Promise<void> {
    checkInt(mode, 'mode', 0, 7)
    const from = find(src) as Mount
    const to = find(dest) as Mount
    // COPYFILE_FICLONE_FORCE: no reflink between two filesystems.
    if (mode & 4) throw systemError(-errno.EXDEV, 'copyfile', shown(src), shown(dest), new Error())
    const st = await from.fs.promises.stat(src)
    if (st.isDirectory()) throw systemError(-errno.EISDIR, 'copyfile', shown(src), shown(dest), new Error())
    const flags = (mode & 1) ? 'wx' : 'w'
    await pipeline(from.fs.createReadStream(src), to.fs.createWriteStream(dest, { flags, mode: Number(st.mode) & 0o7777 }))
  }
}

/** The promise form of a path call. */
function promiseCall (name: string): AnyFn {
  return function (...args: unknown[]): Promise<unknown> {
    const r = locate(name, args)
    if (r instanceof Error) return Promise.reject(r)
    if (r === 'across') {
      if (name === 'copyFile') return special.copyAcross(args[0] as PathLike, args[1] as PathLike, args[2] as number | undefined)
      return Promise.reject(systemError(-errno.EXDEV, PATH_CALLS[name][1], shown(args[0] as PathLike), shown(args[1] as PathLike), new Error()))
    }
    if ('point' in r && (name === 'mkdir' || name === 'realpath')) return special[name](r, checkPath(args[0]), args[1] as EncodingOption)
    const shim = 'point' in r ? r.fs : r
    return (shim.promises as unknown as Record<string, AnyFn>)[name](...args)
  }
}

/** Settle a promise into a node-style callback, on a later tick. */
function settle (p: Promise<unknown>, cb: Callback): void {
  p.then((v) => process.nextTick(() => v === undefined ? cb(null) : cb(null, v)), (e: Error) => process.nextTick(cb, e))
}

/** The callback form of a path call. */
function callbackCall (name: string): AnyFn {
  const viaPromise = promiseCall(name)
  return function (...args: unknown[]): void {
    const cb = args[args.length - 1]
    if (typeof cb !== 'function') {
      // What img.fs throws for a missing callback (ERR_INVALID_ARG_TYPE).
      (nowhere as unknown as Record<string, AnyFn>)[name](...args)
      return
    }
    const r = locate(name, args.slice(0, -1))
    if (r instanceof Error) { process.nextTick(cb, r); return }
    if (r === 'across' || ('point' in r && (name === 'mkdir' || name === 'realpath'))) {
      settle(viaPromise(...args.slice(0, -1)), cb as Callback)
      return
    }
    const shim = 'point' in r ? r.fs : r
    ;(shim as unknown as Record<string, AnyFn>)[name](...args)
  }
}

function fdCall (name: string): AnyFn {
  return function (fd: unknown, ...args: unknown[]): void {
    (byFd(fd) as unknown as Record<string, AnyFn>)[name](fd, ...args)
  }
}

/** A stream that fails with `err`, as node's file streams do when the open fails. */
function failedStream (err: Error): PassThrough {
  const s = new PassThrough()
  process.nextTick(() => s.destroy(err))
  return s
}

type StreamOptions = { fd?: unknown } | string | undefined | null

function streamShim (path: unknown, options: StreamOptions): Fs | Error {
  const fd = typeof options === 'object' && options !== null ? options.fd : undefined
  if (fd !== undefined && fd !== null) return byFd(fd)
  const p = checkPath(path)
  return find(p)?.fs ?? systemError(-errno.ENOENT, 'open', shown(p), undefined, new Error())
}

function build (): Fs {
  const calls: Record<string, unknown> = {}
  const promises: Record<string, unknown> = {}
  for (const name of Object.keys(PATH_CALLS)) {
    calls[name] = callbackCall(name)
    promises[name] = promiseCall(name)
  }
  for (const name of FD_CALLS) calls[name] = fdCall(name)
  ;(calls.realpath as { native?: unknown }).native = calls.realpath
  promises.constants = nowhere.constants
  return {
    ...nowhere,
    ...calls,
    exists (path: unknown, cb: (exists: boolean) => void): void {
      const m = find(checkPath(path))
      if (!m) return nowhere.exists(path as string, cb) // checks cb, then answers false
      m.fs.exists(path as string, cb)
    },
    createReadStream (path: unknown, options?: StreamOptions) {
      const s = streamShim(path, options)
      return s instanceof Error ? failedStream(s) : s.createReadStream(path as string, options as undefined)
    },
    createWriteStream (path: unknown, options?: StreamOptions) {
      const s = streamShim(path, options)
      return s instanceof Error ? failedStream(s) : s.createWriteStream(path as string, options as undefined)
    },
    promises
  } as unknown as Fs
}

/** The global lkl.fs of the node-lkl 1.x API. */
export const fs: Fs = build()
