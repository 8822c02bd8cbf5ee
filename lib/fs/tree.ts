// SPDX-License-Identifier: GPL-2.0-only
//
// The directory-level calls of img.fs.promises: mkdir, readdir, opendir,
// rm, mkdtemp, copyFile, realpath. Whole subtrees (readdir/opendir with
// `recursive`, rm with `recursive`) are one native call each.

import * as posix from 'path/posix'
import { native, constants as C, errno } from '../native'
import { systemError, invalidArgType } from '../errors'
import { ImageCore, shown } from '../image-core'
import { checkPath, PathLike, PathArg, optionsOrKey as opts, checkInt, checkBool } from '../validate'
import { imagePath, check, checkValue } from './core'
import { parseMode } from './flags'
import { Dirent, direntFromStats } from './stats'
import { CHUNK, writeAll } from './file-handle'
import type { Shared } from './promises'
import { judgeListing, judgeEntry } from '../listing'
import type { PromisesOverloads as Typed } from './overloads'
import { nameFromBytes, nameToBytes } from '../name-bytes'
import { randomBytes } from '../random'

type Encoding = BufferEncoding | 'buffer'
type ReaddirOptions = { withFileTypes?: boolean, encoding?: Encoding | null, recursive?: boolean } | Encoding | null
type MkdirOptions = { recursive?: boolean, mode?: number | string } | number | string | null
type RmOptions = { force?: boolean, recursive?: boolean, maxRetries?: number, retryDelay?: number }

function encodeName (name: string, enc: Encoding | null | undefined): string | Buffer {
  if (enc === 'buffer') return nameToBytes(name)
  if (!enc || enc === 'utf8' || enc === 'utf-8') return name
  return nameToBytes(name).toString(enc)
}

/** node's ERR_DIR_CLOSED. */
function dirClosed (): Error {
  return Object.assign(new Error('Directory handle was closed'), { code: 'ERR_DIR_CLOSED' })
}

/** A directory opened with opendir(): read() one entry at a time. */
export class Dir {
  readonly path: string
  private _entries: Dirent[]
  private _closed = false

  /** @internal */
  constructor (path: string, entries: Dirent[]) {
    this.path = path
    this._entries = entries
  }

  read (): Promise<Dirent | null>
  read (cb: (err: Error | null, dirent?: Dirent | null) => void): void
  read (cb?: (err: Error | null, dirent?: Dirent | null) => void): Promise<Dirent | null> | void {
    if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb)
    const p = this._closed ? Promise.reject(dirClosed()) : Promise.resolve(this._entries.shift() ?? null)
    if (!cb) return p
    p.then((d) => process.nextTick(cb, null, d), (e) => process.nextTick(cb, e))
  }

  close (): Promise<void>
  close (cb: (err: Error | null) => void): void
  close (cb?: (err: Error | null) => void): Promise<void> | void {
    if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb)
    const was = this._closed
    this._closed = true
    this._entries = []
    const p = was ? Promise.reject(dirClosed()) : Promise.resolve()
    if (!cb) return p
    p.then(() => process.nextTick(cb, null), (e) => process.nextTick(cb, e))
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Dirent> {
    try {
      for (;;) {
        const d = await this.read()
        if (d === null) break
        yield d
      }
    } finally {
      if (!this._closed) await this.close()
    }
  }
}

export function createTreeOps (img: ImageCore, s: Shared) {
  const K = (p: PathLike): string | Buffer => img._kpath(p)

  // The entries of one directory (or, recursive, of its subtree) as
  // Dirents or names; `syscall` names the failure (scandir / opendir).
  async function list (p: PathLike, recursive: boolean, types: boolean, enc: Encoding | null | undefined, syscall: string, site: Error): Promise<Array<string | Buffer | Dirent>> {
    const parent = shown(p)
    if (recursive) {
      const r = checkValue(await native.readdirTree(img._root, K(p)), syscall, p, site)
      // Corrupt names and listings cut short, by the directory they are in.
      const at = (rel: string): string => rel === '' ? parent : posix.join(parent, rel)
      for (let i = 0; r.bad && i < r.bad.length; i += 2) judgeListing({ bad: [r.bad[i + 1] as Buffer] }, at(r.bad[i] as string), img._listing, syscall, site)
      for (let i = 0; r.listErrs && i < r.listErrs.length; i += 2) judgeListing({ listErr: r.listErrs[i + 1] as number }, at(r.listErrs[i] as string), img._listing, syscall, site)
      // Subdirectories that could not be opened: corrupt entries are
      // judged (skipped ones leave the result), the rest fail the call.
      const skipped = new Set<string>()
      for (let i = 0; r.openErrs && i < r.openErrs.length; i += 2) {
        const rel = r.openErrs[i] as string
        const neg = r.openErrs[i + 1] as number
        if (!judgeEntry(neg, at(posix.dirname(rel) === '.' ? '' : posix.dirname(rel)), nameToBytes(posix.basename(rel)), img._listing)) throw systemError(neg, syscall, at(rel), undefined, site)
        skipped.add(rel)
      }
      const out: Array<string | Buffer | Dirent> = []
      for (let i = 0; i < r.length; i += 2) {
        const rel = r[i] as string
        if (skipped.has(rel)) continue
        if (!types) { out.push(encodeName(rel, enc)); continue }
        const slash = rel.lastIndexOf('/')
        const dir = slash < 0 ? parent : posix.join(parent, rel.slice(0, slash))
        out.push(new Dirent(rel.slice(slash + 1), r[i + 1] as number, dir))
      }
      return out
    }
    const r = checkValue(await native.readdir(img._root, K(p)), syscall, p, site)
    judgeListing(r, parent, img._listing, syscall, site)
    if (!types) return r.map((e) => encodeName(e.name, enc))
    const base = imagePath(p)
    return Promise.all(r.map(async (e) => {
      if (e.type !== 0) return new Dirent(e.name, e.type, parent)
      // The fs did not say (DT_UNKNOWN): ask.
      const st = await s.statAt(posix.join(base, e.name), C.AT_SYMLINK_NOFOLLOW, 'lstat', site)
      return direntFromStats(e.name, st, parent)
    }))
  }

  function readdir (path: PathArg, options?: ReaddirOptions): Promise<Array<string | Buffer | Dirent>> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    const recursive = checkBool(o.recursive, 'options.recursive')
    const types = checkBool(o.withFileTypes, 'options.withFileTypes')
    const site = new Error()
    return img._op(() => list(p, recursive, types, o.encoding, 'scandir', site))
  }

  function opendir (path: PathArg, options?: { encoding?: Encoding | null, bufferSize?: number, recursive?: boolean }): Promise<Dir> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    if (o.bufferSize !== undefined) checkInt(o.bufferSize, 'options.bufferSize', 1, 4294967295)
    const recursive = checkBool(o.recursive, 'options.recursive')
    const site = new Error()
    return img._op(async () => new Dir(shown(p), await list(p, recursive, true, o.encoding, 'opendir', site) as Dirent[]))
  }

  function mkdir (path: PathArg, options?: MkdirOptions): Promise<string | undefined> {
    const p = checkPath(path)
    const o = opts(options, 'mode')
    const mode = parseMode(o.mode, 0o777)
    const recursive = checkBool(o.recursive, 'options.recursive')
    const site = new Error()
    if (!recursive) {
      return img._op(async () => { check(await native.mkdirat(img._root, K(p), mode), 'mkdir', p, site); return undefined })
    }
    // Create missing ancestors; resolve with the first directory created.
    const mk = async (abs: string): Promise<string | undefined> => {
      const r = await native.mkdirat(img._root, abs, mode)
      if (r === 0) return abs
      if (r === -errno.ENOENT && abs !== '/') {
        const first = await mk(posix.dirname(abs))
        check(await native.mkdirat(img._root, abs, mode), 'mkdir', p, site)
        return first ?? abs
      }
      if (r === -errno.EEXIST) {
        const st = await s.statAt(abs, 0, 'mkdir', site).catch(() => null)
        if (st?.isDirectory()) return undefined
      }
      throw systemError(r, 'mkdir', shown(p), undefined, site)
    }
    return img._op(() => mk(imagePath(p)))
  }

  function rm (path: PathArg, options?: RmOptions): Promise<void> {
    const p = checkPath(path)
    if (options != null && typeof options !== 'object') throw invalidArgType('options', 'of type object', options)
    const o = options ?? {}
    const force = checkBool(o.force, 'options.force')
    const recursive = checkBool(o.recursive, 'options.recursive')
    if (o.maxRetries !== undefined) checkInt(o.maxRetries, 'options.maxRetries', 0, 4294967295)
    if (o.retryDelay !== undefined) checkInt(o.retryDelay, 'options.retryDelay', 0, 4294967295)
    const site = new Error()
    return img._op(async () => {
      let st
      try {
        st = await s.statAt(p, C.AT_SYMLINK_NOFOLLOW, 'lstat', site)
      } catch (err) {
        if (force && (err as { code?: string }).code === 'ENOENT') return
        throw err
      }
      if (!st.isDirectory()) {
        const r = await native.unlinkat(img._root, K(p), 0)
        if (!(force && r === -errno.ENOENT)) check(r, 'rm', p, site)
        return
      }
      if (!recursive) {
        const e = systemError(-errno.EISDIR, 'rm', shown(p), undefined, site)
        e.message = `Path is a directory: rm returned EISDIR (is a directory) ${shown(p)}`
        e.code = 'ERR_FS_EISDIR'
        e.errno = errno.EISDIR
        e.name = 'SystemError'
        throw e
      }
      const r = await native.rmTree(img._root, K(p))
      if (!(force && r === -errno.ENOENT)) check(r, 'rm', p, site)
    })
  }

  function mkdtemp (prefix: PathArg, options?: { encoding?: Encoding | null } | Encoding | null): Promise<string | Buffer> {
    const pre = shown(checkPath(prefix, 'prefix'))
    const o = opts(options, 'encoding')
    const site = new Error()
    const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    return img._op(async () => {
      for (let tries = 0; ; tries++) {
        const name = pre + Array.from(randomBytes(6), (b) => CHARS[b % CHARS.length]).join('')
        const r = await native.mkdirat(img._root, K(name), 0o700)
        if (r === 0) return encodeName(name, o.encoding)
        if (r !== -errno.EEXIST || tries >= 100) throw systemError(r, 'mkdtemp', name, undefined, site) // the name tried, like node
      }
    })
  }

  function copyFile (src: PathArg, dest: PathArg, mode = 0): Promise<void> {
    const a = checkPath(src, 'src')
    const b = checkPath(dest, 'dest')
    checkInt(mode, 'mode', 0, 7)
    const site = new Error()
    const fail = (r: number): never => { throw systemError(r, 'copyfile', shown(a), shown(b), site) }
    return img._op(() => s.withFd(a, C.O_RDONLY, 0, site, async (sfd) => {
      const st = await native.fstatx(sfd, C.STATX_BASIC_STATS)
      if (typeof st === 'number') return fail(st)
      if ((st.mode & C.S_IFMT) === C.S_IFDIR) return fail(-errno.EISDIR)
      if (mode & 4) return fail(-errno.EOPNOTSUPP) // COPYFILE_FICLONE_FORCE: no reflink through this path
      const excl = (mode & 1) ? C.O_EXCL : 0
      const dfd = await native.openat(img._root, K(b), C.O_WRONLY | C.O_CREAT | excl | C.O_CLOEXEC, st.mode & 0o7777)
      if (dfd < 0) return fail(dfd)
      img._fds.set(dfd, { _forceClosed () {} })
      try {
        const dst = await native.fstatx(dfd, C.STATX_BASIC_STATS)
        if (typeof dst === 'number') return fail(dst)
        // The same file: nothing to do (and truncating would lose it).
        if (dst.ino === st.ino && dst.devMajor === st.devMajor && dst.devMinor === st.devMinor) return
        let r = await native.ftruncate(dfd, 0)
        if (r === 0) r = await native.fchmod(dfd, st.mode & 0o7777)
        if (r < 0) return fail(r)
        const buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, st.size || 65536)))
        for (;;) {
          const n = await native.read(sfd, buf, 0, buf.length, -1)
          if (n < 0) return fail(n)
          if (n === 0) break
          await writeAll(dfd, buf.subarray(0, n), -1, site).catch((e) => fail(e.errno ?? -errno.EIO))
        }
      } finally {
        await native.close(dfd)
        img._fds.delete(dfd)
      }
    }).catch((e) => {
      // Errors opening the source carry both paths too.
      if (e.syscall === 'open') throw systemError(e.errno, 'copyfile', shown(a), shown(b), site)
      throw e
    }))
  }

  function realpath (path: PathArg, options?: { encoding?: Encoding | null } | Encoding | null): Promise<string | Buffer> {
    const p = checkPath(path)
    const o = opts(options, 'encoding')
    const site = new Error()
    const dirpath = async (d: string): Promise<string> => nameFromBytes(checkValue(await native.dirpath(img._root, d), 'realpath', p, site))
    return img._op(async () => {
      // The kernel resolves every component but the last; follow the last
      // one while it is a symlink, then ask the kernel for the directory.
      let cur = imagePath(p)
      for (let hops = 0; ; hops++) {
        if (hops > 40) check(-errno.ELOOP, 'realpath', p, site)
        const st = await s.statAt(cur, C.AT_SYMLINK_NOFOLLOW, 'realpath', site).catch((e) => { throw systemError(e.errno, 'realpath', shown(p), undefined, site) })
        if (st.isDirectory()) return encodeName(await dirpath(cur), o.encoding)
        const dir = await dirpath(posix.dirname(cur))
        if (!st.isSymbolicLink()) return encodeName(posix.join(dir, posix.basename(cur)), o.encoding)
        const target = nameFromBytes(checkValue(await native.readlinkat(img._root, cur), 'realpath', p, site))
        cur = posix.resolve(dir, target)
      }
    })
  }

  // Typed by their options, like node's (./overloads.ts).
  return { copyFile, mkdir, mkdtemp: mkdtemp as Typed['mkdtemp'], opendir, readdir: readdir as Typed['readdir'], realpath: realpath as Typed['realpath'], rm }
}
