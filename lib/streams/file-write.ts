// SPDX-License-Identifier: GPL-2.0-only
//
// img.createWriteStream(path, { flags, mode, start }): a streamx Writable
// over a file in an image, like node's fs.WriteStream. Writes are batched:
// _writev joins what is queued into one write of up to 8 MiB. Piped from
// a host file it stays an ordinary stream and never touches the other end;
// lkl.copyIn is the explicit native copy.

import { Writable } from 'streamx'
import { native } from '../native'
import { systemError, invalidArgType } from '../errors'
import { ImageCore, shown } from '../image-core'
import { parseFlags } from '../fs/flags'
import { PathLike, checkPath, checkRange } from '../validate'

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
  }

  override _open (cb: (err: Error | null) => void): void {
    if (this.fd >= 0) return cb(null)
    const site = new Error()
    this._img._op(() => native.openat(this._img._root, this._kpath, this._flags, this._mode)).then((fd) => {
      if (fd < 0) return cb(systemError(fd, 'open', this.path, undefined, site))
      this.fd = fd
      this._registered = true
      // Closed by img.close(): the next read or write fails with ERR_LKL_IMAGE_CLOSED.
      this._img._fds.set(fd, { _forceClosed: () => { this.fd = -1 } })
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
