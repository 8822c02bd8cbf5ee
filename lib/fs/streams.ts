// SPDX-License-Identifier: GPL-2.0-only
//
// img.fs.createReadStream / createWriteStream: Node streams (like
// node:fs's ReadStream/WriteStream, so code written for node:fs, e.g.
// tar-fs, gets what it expects) over a FileHandle. The streamx file streams
// of the package API are img.createReadStream/createWriteStream.

import { Readable, Writable } from 'stream'
import { native, constants as C } from '../native'
import { systemError, invalidArgType, outOfRange } from '../errors'
import { ImageCore } from '../image-core'
import { PathLike, checkInt, checkOptionalInt } from '../validate'
import { parseFlags, parseMode, OpenFlags } from './flags'
import { FileHandle } from './file-handle'

interface Common {
  flags?: OpenFlags
  mode?: number | string
  /** A FileHandle (or the fd of one) to use instead of opening path. */
  fd?: FileHandle | number | null
  autoClose?: boolean
  emitClose?: boolean
  start?: number
  highWaterMark?: number
  signal?: AbortSignal
}
export interface ReadStreamOptions extends Common {
  encoding?: BufferEncoding | null
  /** Inclusive, like node:fs. */
  end?: number
}
export interface WriteStreamOptions extends Common {
  encoding?: BufferEncoding
  /** fsync before the stream closes. */
  flush?: boolean
}

/** The FileHandle for the fd option, or null to open the path. */
function handleOf (img: ImageCore, fd: FileHandle | number | null | undefined): FileHandle | null {
  if (fd === undefined || fd === null) return null
  if (fd instanceof FileHandle) return fd
  const fh = typeof fd === 'number' ? img._fds.get(fd) : undefined
  if (fh instanceof FileHandle) return fh
  throw invalidArgType('options.fd', 'a FileHandle or the fd of an open one', fd)
}

/** Open `p` for a stream: a FileHandle registered with the image. */
function openHandle (img: ImageCore, p: PathLike, flags: number, mode: number, site: Error): Promise<FileHandle> {
  return img._op(async () => {
    const fd = await native.openat(img._root, img._kpath(p), flags | C.O_CLOEXEC, mode)
    if (fd < 0) throw systemError(fd, 'open', p.toString(), undefined, site)
    return new FileHandle(img, fd, p)
  })
}

/** What the shared _construct needs of either stream. */
interface Opening {
  path: PathLike
  flags: OpenFlags
  mode: number
  fd: number | null
  pending: boolean
  _fh: FileHandle | null
  emit (event: string, ...args: unknown[]): boolean
}

/** _construct of both streams: adopt the given FileHandle or open the path. */
function construct (s: Opening, img: ImageCore, defaultFlag: string, cb: (err?: Error | null) => void): void {
  if (s._fh) {
    s.fd = s._fh.fd
    s.pending = false
    return cb()
  }
  openHandle(img, s.path, parseFlags(s.flags, defaultFlag), s.mode, new Error()).then((fh) => {
    s._fh = fh
    s.fd = fh.fd
    s.pending = false
    s.emit('open', fh.fd)
    s.emit('ready')
    cb()
  }, cb)
}

function closeHandle (fh: FileHandle | null, autoClose: boolean, err: Error | null, cb: (err: Error | null) => void): void {
  if (!fh || !autoClose) return cb(err)
  fh.close().then(() => cb(err), (e: Error) => cb(err ?? e))
}

export class ReadStream extends Readable {
  path: PathLike
  fd: number | null = null
  flags: OpenFlags
  mode: number
  start: number | undefined
  end: number
  bytesRead = 0
  pending = true
  private _img: ImageCore
  /** @internal */ _fh: FileHandle | null
  private _pos: number
  private _autoClose: boolean

  constructor (img: ImageCore, path: PathLike, o: ReadStreamOptions = {}) {
    super({ highWaterMark: o.highWaterMark ?? 64 * 1024, encoding: o.encoding ?? undefined, emitClose: o.emitClose ?? true, signal: o.signal })
    this._img = img
    this.path = path
    this.flags = o.flags ?? 'r'
    parseFlags(this.flags, 'r')
    this.mode = parseMode(o.mode, 0o666)
    this.start = checkOptionalInt(o.start, 'start', 0)
    const end = o.end === undefined || o.end === Infinity ? Infinity : checkInt(o.end, 'end', 0)
    if (this.start !== undefined && this.start > end) throw outOfRange('start', `<= "end" (here: ${end})`, this.start)
    this.end = end
    this._fh = handleOf(img, o.fd)
    this._pos = this.start ?? -1
    this._autoClose = o.autoClose ?? true
  }

  override _construct (cb: (err?: Error | null) => void): void {
    construct(this, this._img, 'r', cb)
  }

  override _read (n: number): void {
    const left = this.end === Infinity ? n : this.end - (this.start ?? 0) - this.bytesRead + 1
    const len = Math.min(n, left)
    if (len <= 0) { this.push(null); return }
    const buf = Buffer.allocUnsafe(len)
    this._fh!.read(buf, 0, len, this._pos < 0 ? null : this._pos).then(({ bytesRead }) => {
      if (bytesRead === 0) { this.push(null); return }
      this.bytesRead += bytesRead
      if (this._pos >= 0) this._pos += bytesRead
      this.push(bytesRead === len ? buf : buf.subarray(0, bytesRead))
    }, (err: Error) => this.destroy(err))
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    closeHandle(this._fh, this._autoClose, err, cb)
  }

  close (cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', cb)
    this.destroy()
  }
}

export class WriteStream extends Writable {
  path: PathLike
  fd: number | null = null
  flags: OpenFlags
  mode: number
  start: number | undefined
  bytesWritten = 0
  pending = true
  private _img: ImageCore
  /** @internal */ _fh: FileHandle | null
  private _pos: number
  private _autoClose: boolean
  private _flush: boolean

  constructor (img: ImageCore, path: PathLike, o: WriteStreamOptions = {}) {
    super({ highWaterMark: o.highWaterMark ?? 16 * 1024, defaultEncoding: o.encoding ?? 'utf8', emitClose: o.emitClose ?? true, signal: o.signal, decodeStrings: true })
    this._img = img
    this.path = path
    this.flags = o.flags ?? 'w'
    parseFlags(this.flags, 'w')
    this.mode = parseMode(o.mode, 0o666)
    this.start = checkOptionalInt(o.start, 'start', 0)
    this._fh = handleOf(img, o.fd)
    this._pos = this.start ?? -1
    this._autoClose = o.autoClose ?? true
    this._flush = o.flush === true
  }

  override _construct (cb: (err?: Error | null) => void): void {
    construct(this, this._img, 'w', cb)
  }

  private _advance (n: number): void {
    this.bytesWritten += n
    if (this._pos >= 0) this._pos += n
  }

  override _write (chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._fh!.write(chunk, 0, chunk.length, this._pos < 0 ? null : this._pos).then(({ bytesWritten }) => {
      this._advance(bytesWritten)
      cb()
    }, cb)
  }

  // One vectored write for everything buffered.
  override _writev (chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    // The kernel takes at most 1024 buffers per call (UIO_MAXIOV).
    const bufs = chunks.length > 1024 ? [Buffer.concat(chunks.map((c) => c.chunk))] : chunks.map((c) => c.chunk)
    const total = bufs.reduce((n, b) => n + b.length, 0)
    const fh = this._fh!
    fh.writev(bufs, this._pos < 0 ? null : this._pos).then(async ({ bytesWritten }) => {
      this._advance(bytesWritten)
      if (bytesWritten < total) {
        const rest = Buffer.concat(bufs).subarray(bytesWritten)
        const r = await fh.write(rest, 0, rest.length, this._pos < 0 ? null : this._pos)
        this._advance(r.bytesWritten)
      }
    }).then(() => cb(), cb)
  }

  override _final (cb: (err?: Error | null) => void): void {
    if (!this._flush || !this._fh) return cb()
    this._fh.sync().then(() => cb(), cb)
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    closeHandle(this._fh, this._autoClose, err, cb)
  }

  close (cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', cb)
    if (!this.writableEnded) this.end()
    else if (this.writableFinished) this.destroy()
  }
}
