// SPDX-License-Identifier: GPL-2.0-only
//
// hostWriter(dir, opts): an object Writable of Entry creating a host tree.
// Guards like tar-fs: entries whose path is absolute or has '..' are
// refused, and nothing is written through a symlink (every parent directory
// inside `dir` is checked with lstat, and a hardlink's target too).
// Directory times are applied at the end, deepest first.

import * as fs from 'fs'
import * as path from 'path'
import { Writable } from 'streamx'
import { native, errno } from '../native'
import { systemError, invalidArgType, LklError } from '../errors'
import { checkHostDir, checkOptions } from '../validate'
import { Entry, normalizePath, unsafePath, entryTimes, typeBits, readContent, takeBuffer } from './entry'
import { hostPath } from '../name-bytes'

export interface HostWriterOptions {
  overwrite?: boolean
  /** chown to the entries' ids (default: only when running as root). */
  owners?: boolean
  xattrs?: boolean
  /** Skip xattrs the host refuses (EPERM/ENOTSUP) instead of failing (default false). */
  lenientXattrs?: boolean
  highWaterMark?: number
}

export class HostWriter extends Writable {
  private _dir: string
  private _o: HostWriterOptions
  private _owners: boolean
  private _safe = new Set<string>()
  private _dirTimes: Array<[string, Entry]> = []

  constructor (dir: string, opts: HostWriterOptions = {}) {
    checkHostDir(dir)
    checkOptions(opts)
    super({ highWaterMark: opts.highWaterMark ?? 16, byteLength: () => 1 })
    this._dir = path.resolve(dir)
    this._o = opts
    this._owners = opts.owners ?? (process.getuid?.() === 0)
  }

  override _open (cb: (err: Error | null) => void): void {
    fs.promises.mkdir(this._dir, { recursive: true }).then(() => { this._safe.add(this._dir); cb(null) }, cb)
  }

  override _write (e: Entry, cb: (err: Error | null) => void): void {
    this._add(e).then(() => cb(null), cb)
  }

  override _final (cb: (err: Error | null) => void): void {
    const dirs = this._dirTimes.reverse()
    try {
      for (const [abs, e] of dirs) this._times(abs, e)
      cb(null)
    } catch (err) {
      cb(err as Error)
    }
  }

  // Every directory between dir and abs must be a real directory.
  private async _checkParents (abs: string, shownPath: string): Promise<void> {
    const parent = path.dirname(abs)
    if (this._safe.has(parent)) return
    const rel = path.relative(this._dir, parent)
    let cur = this._dir
    for (const part of rel.split(path.sep).filter(Boolean)) {
      cur = path.join(cur, part)
      if (this._safe.has(cur)) continue
      let st: fs.Stats
      try {
        st = await fs.promises.lstat(hostPath(cur))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        await fs.promises.mkdir(hostPath(cur))
        this._safe.add(cur)
        continue
      }
      if (!st.isDirectory()) {
        throw LklError.unsafeParent(shownPath, path.relative(this._dir, cur), st.isSymbolicLink())
      }
      this._safe.add(cur)
    }
  }

  private async _add (e: Entry): Promise<void> {
    const rel = normalizePath(e.path)
    if (rel === null) throw unsafePath(e.path)
    const abs = rel === '.' ? this._dir : path.join(this._dir, rel)
    if (rel !== '.') await this._checkParents(abs, e.path)
    const replace = async (): Promise<void> => {
      if (!this._o.overwrite) return
      try {
        const st = await fs.promises.lstat(hostPath(abs))
        if (!st.isDirectory()) await fs.promises.unlink(hostPath(abs))
      } catch {}
    }
    switch (e.type) {
      case 'directory':
        try {
          await fs.promises.mkdir(hostPath(abs), 0o700)
        } catch (err) {
          const st = await fs.promises.lstat(hostPath(abs)).catch(() => null)
          if (!st?.isDirectory()) throw err
        }
        this._safe.add(abs)
        this._dirTimes.push([abs, e])
        break
      case 'file': {
        await replace()
        const c = e.content
        const buffered = takeBuffer(c)
        if (buffered || !c || e.size <= 1 << 20) {
          await fs.promises.writeFile(hostPath(abs), buffered ?? await readContent(c), { flag: 'wx', mode: 0o600 })
        } else {
          await new Promise<void>((resolve, reject) => {
            // node:stream on first use: ~1 ms of every require('lkl') otherwise.
            const { pipeline } = require('stream') as typeof import('stream')
            pipeline(c as unknown as NodeJS.ReadableStream, fs.createWriteStream(hostPath(abs), { flags: 'wx', mode: 0o600 }), (err) => err ? reject(err) : resolve())
          })
        }
        break
      }
      case 'symlink':
        await replace()
        await fs.promises.symlink(hostPath(String(e.linkname)), hostPath(abs))
        this._safe.delete(abs)
        break
      case 'hardlink': {
        const t = typeof e.linkname === 'string' ? normalizePath(e.linkname) : null
        if (t === null) throw unsafePath(String(e.linkname))
        const target = path.join(this._dir, t)
        await this._checkParents(target, String(e.linkname))
        await replace()
        await fs.promises.link(hostPath(target), hostPath(abs))
        return
      }
      case 'char': case 'block': case 'fifo': case 'socket': {
        await replace()
        const r = native.hostMknod(abs, typeBits(e.type) | 0o600, e.devmajor ?? 0, e.devminor ?? 0)
        if (r < 0) throw systemError(r, 'mknod', e.path)
        break
      }
      default:
        throw invalidArgType('entry.type', 'an entry type', e.type)
    }
    await this._meta(abs, e)
  }

  private async _meta (abs: string, e: Entry): Promise<void> {
    const link = e.type === 'symlink'
    if (this._owners) await fs.promises.lchown(hostPath(abs), e.uid, e.gid)
    if (!link) await fs.promises.chmod(hostPath(abs), e.mode & 0o7777)
    if (this._o.xattrs !== false && e.xattrs) {
      for (const [k, v] of Object.entries(e.xattrs)) {
        const r = native.hostSetXattr(abs, k, v)
        if (r < 0 && !(this._o.lenientXattrs && (r === -errno.EPERM || r === -errno.EOPNOTSUPP))) throw systemError(r, 'setxattr', e.path)
      }
    }
    if (e.type !== 'directory') this._times(abs, e)
  }

  private _times (abs: string, e: Entry): void {
    const { atime: [as, ans], mtime: [ms, mns] } = entryTimes(e)
    const r = native.hostLutimens(abs, as, ans, ms, mns)
    if (r < 0) throw systemError(r, 'utime', e.path)
  }
}

export function hostWriter (dir: string, opts?: HostWriterOptions): HostWriter {
  return new HostWriter(dir, opts)
}
