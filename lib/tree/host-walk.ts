// SPDX-License-Identifier: GPL-2.0-only
//
// hostWalk(dir, opts): the Entry model over a host directory (node:fs plus
// the addon's host xattr call): sorted pre-order, symlinks not followed,
// hardlinks by (dev, ino), ns times, xattrs incl. ACLs and capabilities.

import * as fs from 'fs'
import * as path from 'path'
import { Readable } from 'streamx'
import { EntryReadableBase } from '../streams/node-types'
import { native } from '../native'
import { systemError } from '../errors'
import { checkHostDir, checkOptions } from '../validate'
import { splitDev } from '../device-number'
import { Entry, BufferContent, modeType } from './entry'
import { hostPath, nameFromBytes } from '../name-bytes'

export interface HostWalkOptions {
  xattrs?: boolean
  /** Files up to this size are read whole (default 256 KiB). */
  smallFile?: number
  highWaterMark?: number
}

interface Frame { abs: string, rel: string, names: string[] | null, i: number }

export class HostWalk extends EntryReadableBase {
  private _dir: string
  private _xattrs: boolean
  private _small: number
  private _stack: Frame[] = []
  private _links = new Map<string, string>()
  private _started = false

  constructor (dir: string, opts: HostWalkOptions = {}) {
    checkHostDir(dir)
    checkOptions(opts)
    super({ highWaterMark: opts.highWaterMark ?? 64, byteLength: () => 1 })
    this._dir = path.resolve(dir)
    this._xattrs = opts.xattrs !== false
    this._small = opts.smallFile ?? 256 * 1024
  }

  override _read (cb: (err: Error | null) => void): void {
    this._step().then(() => cb(null), cb)
  }

  private async _step (): Promise<void> {
    if (!this._started) {
      this._started = true
      const e = await this._entry(this._dir, '.')
      this.push(e)
      if (e.type === 'directory') this._stack.push({ abs: this._dir, rel: '.', names: null, i: 0 })
      return
    }
    for (;;) {
      const top = this._stack[this._stack.length - 1]
      if (!top) { this.push(null); return }
      if (top.names === null) {
        // As bytes: names that are not UTF-8 keep them (lib/name-bytes.ts).
        const names = await fs.promises.readdir(hostPath(top.abs), { encoding: 'buffer' })
        top.names = names.sort(Buffer.compare).map(nameFromBytes)
      }
      if (top.i >= top.names.length) { this._stack.pop(); continue }
      const name = top.names[top.i++]
      const abs = path.join(top.abs, name)
      const rel = top.rel === '.' ? name : top.rel + '/' + name
      let e: Entry
      try {
        e = await this._entry(abs, rel)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw err
      }
      this.push(e)
      if (e.type === 'directory') this._stack.push({ abs, rel, names: null, i: 0 })
      return
    }
  }

  private async _entry (abs: string, rel: string): Promise<Entry> {
    const hp = hostPath(abs)
    const st = await fs.promises.lstat(hp, { bigint: true })
    const type = modeType(Number(st.mode)) ?? 'file'
    const e: Entry = {
      path: rel,
      type,
      mode: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: type === 'file' ? Number(st.size) : 0,
      mtime: st.mtimeNs,
      atime: st.atimeNs,
      ctime: st.ctimeNs
    }
    if (type === 'symlink') e.linkname = nameFromBytes(await fs.promises.readlink(hp, { encoding: 'buffer' }))
    if (type === 'char' || type === 'block') {
      [e.devmajor, e.devminor] = splitDev(st.rdev)
    }
    if (this._xattrs) {
      const xs = native.hostXattrs(abs)
      if (typeof xs === 'number') throw systemError(xs, 'llistxattr', abs)
      if (xs.length) {
        e.xattrs = {}
        for (let i = 0; i < xs.length; i += 2) e.xattrs[xs[i] as string] = xs[i + 1] as Buffer
      }
    }
    if (type !== 'directory' && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`
      const first = this._links.get(key)
      if (first !== undefined) {
        e.type = 'hardlink'
        e.linkname = first
        e.size = 0
        return e
      }
      this._links.set(key, rel)
    }
    if (type === 'file') {
      if (e.size <= this._small) {
        const data = await fs.promises.readFile(hp)
        e.size = data.byteLength
        e.content = new BufferContent(data)
      } else {
        e.content = fs.createReadStream(hp, { highWaterMark: 1 << 20 }) as unknown as Readable
      }
    }
    return e
  }
}

export function hostWalk (dir: string, opts?: HostWalkOptions): HostWalk {
  return new HostWalk(dir, opts)
}
