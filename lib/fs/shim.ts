// SPDX-License-Identifier: GPL-2.0-only
//
// img.fs: the callback API of node:fs, derived from img.fs.promises, plus
// the fd-based calls (open returns the kernel fd of a FileHandle), the
// Node-style file streams, and constants. Callbacks are always called
// asynchronously and exactly once; bad arguments throw synchronously, as
// with node:fs. Sync forms do not exist.

import { errno } from '../native'
import { systemError, invalidArgType } from '../errors'
import { ImageCore } from '../image-core'
import { PathArg, checkInt, checkPath } from '../validate'
import { createPromises, FsPromises } from './promises'
import { FileHandle } from './file-handle'
import { Stats, BigIntStats, Dirent, StatFs } from './stats'
import { Dir } from './tree'
import type { ReadStream, WriteStream, ReadStreamOptions, WriteStreamOptions } from './streams'
import { fileStreams } from './file-handle'
import type { TimeLike } from './times'
import type { CallbackOverloads, CallbackForm, FdCallbacks } from './overloads'

type Callback = (err: Error | null, ...results: unknown[]) => void
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any

/** The public types of the callback forms: node's overloads, else derived from the promise function. */
type PathCallbacks<T> = {
  [K in keyof T]: K extends keyof CallbackOverloads ? CallbackOverloads[K] : K extends keyof FsPromises ? CallbackForm<FsPromises[K]> : never
}

/** Split off the trailing callback (node: it must be a function). */
function takeCallback (args: unknown[]): Callback {
  const cb = args.pop()
  if (typeof cb !== 'function') throw invalidArgType('cb', 'of type function', cb)
  return cb as Callback
}

/** Settle `p` into `cb` on a later tick (a throwing callback is uncaught). */
function settle (p: Promise<unknown>, cb: Callback, spread?: (v: unknown) => unknown[]): void {
  p.then(
    (v) => { process.nextTick(() => spread ? cb(null, ...spread(v)) : (v === undefined ? cb(null) : cb(null, v))) },
    (e: Error) => { process.nextTick(cb, e) })
}

/** The callback form of a promise function: same arguments, then cb. */
function callbackify (fn: AnyFn): AnyFn {
  return function (...args: unknown[]): void {
    const cb = takeCallback(args)
    settle(fn(...args), cb)
  }
}

function positionArgs (offset: unknown, length: unknown, position: unknown): [number?, number?, (number | bigint | null)?] {
  return [offset as number | undefined, length as number | undefined, position as number | bigint | null | undefined]
}

export function createFs (img: ImageCore) {
  const promises = createPromises(img)

  function handle (fd: unknown, syscall: string): FileHandle {
    checkInt(fd, 'fd', 0, 2147483647)
    const fh = img._fds.get(fd as number)
    if (fh instanceof FileHandle && !fh._isClosed) return fh
    throw systemError(-errno.EBADF, syscall)
  }

  /** An fd-based call: look the FileHandle up, then run `fn` on it. */
  function fdCall (syscall: string, fn: (fh: FileHandle, ...args: any[]) => Promise<unknown>, spread?: (v: unknown) => unknown[]): AnyFn { // eslint-disable-line @typescript-eslint/no-explicit-any
    return function (fd: number, ...args: unknown[]): void {
      const cb = takeCallback(args)
      let p: Promise<unknown>
      try {
        p = fn(handle(fd, syscall), ...args)
      } catch (err) {
        if ((err as { code?: string }).code !== 'EBADF') throw err
        p = Promise.reject(err)
      }
      settle(p, cb, spread)
    }
  }

  const withFd = (name: 'readFile' | 'writeFile' | 'appendFile') => function (path: PathArg | number, ...args: unknown[]): void {
    const cb = takeCallback(args)
    const target = typeof path === 'number' ? handle(path, name === 'readFile' ? 'read' : 'write') : path
    settle((promises[name] as AnyFn)(target, ...args), cb)
  }

  const pathFns = {
    access: callbackify(promises.access),
    chmod: callbackify(promises.chmod),
    chown: callbackify(promises.chown),
    copyFile: callbackify(promises.copyFile),
    lchown: callbackify(promises.lchown),
    link: callbackify(promises.link),
    lstat: callbackify(promises.lstat),
    lutimes: callbackify(promises.lutimes),
    mkdir: callbackify(promises.mkdir),
    mkdtemp: callbackify(promises.mkdtemp),
    mknod: callbackify(promises.mknod),
    opendir: callbackify(promises.opendir),
    readdir: callbackify(promises.readdir),
    readlink: callbackify(promises.readlink),
    realpath: Object.assign(callbackify(promises.realpath), { native: callbackify(promises.realpath) }),
    rename: callbackify(promises.rename),
    rm: callbackify(promises.rm),
    rmdir: callbackify(promises.rmdir),
    stat: callbackify(promises.stat),
    statfs: callbackify(promises.statfs),
    symlink: callbackify(promises.symlink),
    truncate: callbackify(promises.truncate),
    unlink: callbackify(promises.unlink),
    utimes: callbackify(promises.utimes),
    getxattr: callbackify(promises.getxattr),
    lgetxattr: callbackify(promises.lgetxattr),
    setxattr: callbackify(promises.setxattr),
    lsetxattr: callbackify(promises.lsetxattr),
    listxattr: callbackify(promises.listxattr),
    llistxattr: callbackify(promises.llistxattr),
    removexattr: callbackify(promises.removexattr),
    lremovexattr: callbackify(promises.lremovexattr),
    readFile: withFd('readFile'),
    writeFile: withFd('writeFile'),
    appendFile: withFd('appendFile')
  }

  const typedPathFns: PathCallbacks<typeof pathFns> = pathFns

  const readResult = (v: unknown): unknown[] => { const r = v as { bytesRead: number, buffer: unknown }; return [r.bytesRead, r.buffer] }
  const writeResult = (v: unknown): unknown[] => { const r = v as { bytesWritten: number, buffer: unknown }; return [r.bytesWritten, r.buffer] }
  const readvResult = (v: unknown): unknown[] => { const r = v as { bytesRead: number, buffers: unknown }; return [r.bytesRead, r.buffers] }
  const writevResult = (v: unknown): unknown[] => { const r = v as { bytesWritten: number, buffers: unknown }; return [r.bytesWritten, r.buffers] }

  const fdFns = {
    /** Opens a FileHandle and passes its fd (a kernel fd, not a host one). */
    open (path: PathArg, ...args: unknown[]): void {
      const cb = takeCallback(args)
      settle(promises.open(path, ...(args as [])).then((fh) => fh.fd), cb)
    },
    close (fd: number, cb: Callback = () => {}): void {
      if (typeof cb !== 'function') throw invalidArgType('cb', 'of type function', cb)
      fdCall('close', (fh) => fh.close())(fd, cb)
    },
    // read(fd, buffer, offset, length, position, cb) | read(fd, buffer,
    // { offset, length, position }, cb) | read(fd, { buffer, ... }, cb) | read(fd, cb)
    read: fdCall('read', (fh, buffer?: unknown, offset?: unknown, length?: unknown, position?: unknown) => {
      if (ArrayBuffer.isView(buffer) && offset !== null && typeof offset === 'object') {
        const o = offset as { offset?: number, length?: number, position?: number | bigint | null }
        return fh.read(buffer as Uint8Array, o.offset, o.length, o.position)
      }
      return fh.read(buffer as Uint8Array, ...positionArgs(offset, length, position))
    }, readResult),
    write: fdCall('write', (fh, data: string | Uint8Array, a?: unknown, b?: unknown, c?: unknown) => {
      if (ArrayBuffer.isView(data) && a !== null && typeof a === 'object') {
        const o = a as { offset?: number, length?: number, position?: number | null }
        return fh.write(data, o.offset, o.length, o.position)
      }
      return fh.write(data, a as number, b as number, c as number)
    }, writeResult),
    readv: fdCall('read', (fh, buffers: Uint8Array[], position?: number | null) => fh.readv(buffers, position), readvResult),
    writev: fdCall('write', (fh, buffers: Uint8Array[], position?: number | null) => fh.writev(buffers, position), writevResult),
    fstat: fdCall('fstat', (fh, options?: { bigint?: boolean }) => fh.stat(options)),
    fsync: fdCall('fsync', (fh) => fh.sync()),
    fdatasync: fdCall('fdatasync', (fh) => fh.datasync()),
    ftruncate: fdCall('ftruncate', (fh, len?: number) => fh.truncate(len)),
    fchmod: fdCall('fchmod', (fh, mode: number | string) => fh.chmod(mode)),
    fchown: fdCall('fchown', (fh, uid: number, gid: number) => fh.chown(uid, gid)),
    futimes: fdCall('futime', (fh, atime: TimeLike, mtime: TimeLike) => fh.utimes(atime, mtime))
  }

  const typedFdFns: FdCallbacks = fdFns

  return {
    ...typedPathFns,
    ...typedFdFns,
    /** Deprecated in node:fs but still used: cb(true | false). */
    exists (path: PathArg, cb: (exists: boolean) => void): void {
      if (typeof cb !== 'function') throw invalidArgType('cb', 'of type function', cb)
      promises.access(path).then(() => process.nextTick(cb, true), () => process.nextTick(cb, false))
    },
    createReadStream (path: PathArg | null, options?: ReadStreamOptions | BufferEncoding): ReadStream {
      const o = typeof options === 'string' ? { encoding: options } : options ?? {}
      return new (fileStreams().ReadStream)(img, path === null && o.fd != null ? '' : checkPath(path), o)
    },
    createWriteStream (path: PathArg | null, options?: WriteStreamOptions | BufferEncoding): WriteStream {
      const o = typeof options === 'string' ? { encoding: options } : options ?? {}
      return new (fileStreams().WriteStream)(img, path === null && o.fd != null ? '' : checkPath(path), o)
    },
    promises,
    constants: promises.constants,
    Stats,
    BigIntStats,
    StatFs,
    Dirent,
    Dir,
    // node:stream loads with the first file stream (./file-handle).
    get ReadStream (): typeof ReadStream { return fileStreams().ReadStream },
    get WriteStream (): typeof WriteStream { return fileStreams().WriteStream },
    FileHandle
  }
}

export type Fs = ReturnType<typeof createFs>
export type { FsPromises }
