// SPDX-License-Identifier: GPL-2.0-only
//
// img.createWriteStream(path, { flags, mode, start }): a streamx Writable
// over a file in an image, like node's fs.WriteStream. Writes are batched:
// _writev joins what is queued into one write of up to 8 MiB.

import * as fs from 'fs'
import { Writable } from 'streamx'
import { native } from '../native'
import { systemError, invalidArgType } from '../errors'
import { ImageCore, shown } from '../image-core'
import { parseFlags } from '../fs/flags'
import { PathLike, checkPath, checkRange } from '../validate'
import { HostEnd, hostReadSource } from './fast-path'

export interface WriteStreamOptions {
  /** node's flags: 'w' (default), 'a', 'r+', 'wx', ... */
  flags?: string | number
  mode?: number
  start?: number
  highWaterMark?: number
  /** An open kernel fd to write to instead of opening `path`. */
  fd?: number
  autoClose?: boolean
}

const MAX_WRITE = 8 << 20

export class ImageWriteStream extends Writable {
  readonly path: string
  bytesWritten = 0
  fd: number
  private _img: ImageCore
  private _kpath: string | Buffer
  private _flags: number
  private _mode: number
  private _pos: number
  private _autoClose: boolean
  private _registered = false
  /** A host file piped in before any byte moved: copied in C at the end. */
  private _fastSource: HostEnd | null = null

  constructor (img: ImageCore, p: PathLike, opts: WriteStreamOptions = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 1 << 20, byteLength: (b: Buffer) => b.byteLength, map: toBuffer })
    checkPath(p)
    checkRange(opts)
    if (opts.mode !== undefined && typeof opts.mode !== 'number') throw invalidArgType('mode', 'of type number', opts.mode)
    this._img = img
    this.path = shown(p)
    this._kpath = img._kpath(p)
    this._flags = parseFlags(opts.flags, 'w')
    this._mode = opts.mode ?? 0o666
    this._pos = opts.start ?? -1
    this.fd = opts.fd ?? -1
    this._autoClose = opts.fd === undefined || opts.autoClose === true
    this.on('pipe', (src: unknown) => this._onPipe(src))
  }

  /**
   * fs.createReadStream(hostFile).pipe(this): take the source off the pipe
   * before it reads, end it, and copy the file in C when we finish (a
   * pipeline ends us when the source ends; a plain pipe we end ourselves).
   */
  private _onPipe (src: unknown): void {
    if (this._fastSource || this.bytesWritten > 0) return
    const s = hostReadSource(src)
    if (!s) return
    const rs = src as fs.ReadStream
    rs.unpipe(this as unknown as NodeJS.WritableStream)
    this._fastSource = s
    rs.once('end', () => this.end(undefined))
    rs.push(null)
    rs.resume()
  }

  override _final (cb: (err: Error | null) => void): void {
    if (!this._fastSource) return cb(null)
    this._copyFrom(this._fastSource).then(() => cb(null), cb)
  }

  private async _copyFrom (s: HostEnd): Promise<void> {
    const fh = await fs.promises.open(s.path, 'r')
    try {
      const size = (await fh.stat()).size
      const len = Math.max(0, Math.min(s.end + 1, size) - s.start)
      const n = await this._img._op(() => native.copyIn(fh.fd, s.start, this.fd, this._pos, len))
      if (n < 0) throw systemError(n, 'write', this.path)
      this.bytesWritten += n
      if (this._pos >= 0) this._pos += n
    } finally {
      await fh.close()
    }
  }

  override _open (cb: (err: Error | null) => void): void {
    if (this.fd >= 0) return cb(null)
    const site = new Error()
    this._img._op(() => native.openat(this._img._root, this._kpath, this._flags, this._mode)).then((fd) => {
      if (fd < 0) return cb(systemError(fd, 'open', this.path, undefined, site))
      this.fd = fd
      this._registered = true
      this._img._fds.set(fd, { _forceClosed: () => { this.fd = -1; this.destroy() } })
      this.emit('ready')
      cb(null)
    }, cb)
  }

  override _writev (batch: Buffer[], cb: (err: Error | null) => void): void {
    this._writeAll(batch).then(() => cb(null), cb)
  }

  private async _writeAll (batch: Buffer[]): Promise<void> {
    let i = 0
    while (i < batch.length) {
      // Join small buffers into one write; a big one goes as it is.
      let n = 0
      let j = i
      while (j < batch.length && (j === i || n + batch[j].byteLength <= MAX_WRITE)) n += batch[j++].byteLength
      const buf = j - i === 1 ? batch[i] : Buffer.concat(batch.slice(i, j), n)
      i = j
      for (let off = 0; off < buf.byteLength;) {
        const len = Math.min(buf.byteLength - off, MAX_WRITE)
        const r = await this._img._op(() => native.write(this.fd, buf, off, len, this._pos))
        if (r < 0) throw systemError(r, 'write', this.path)
        off += r
        this.bytesWritten += r
        if (this._pos >= 0) this._pos += r
      }
    }
  }

  override _destroy (cb: (err: Error | null) => void): void {
    const fd = this.fd
    this.fd = -1
    if (fd < 0 || !this._autoClose) return cb(null)
    if (this._registered) this._img._fds.delete(fd)
    native.close(fd).then((r) => cb(r < 0 ? systemError(r, 'close', this.path) : null), cb)
  }
}

function toBuffer (data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (typeof data === 'string') return Buffer.from(data)
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  throw invalidArgType('chunk', 'of type string or an instance of Buffer or Uint8Array', data)
}

export function createWriteStream (img: ImageCore, p: PathLike, opts?: WriteStreamOptions): ImageWriteStream {
  return new ImageWriteStream(img, p, opts)
}
