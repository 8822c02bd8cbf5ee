// SPDX-License-Identifier: GPL-2.0-only
//
// FileHandle (like node:fs/promises' FileHandle) over a kernel fd, and the
// chunked read/write loops shared with readFile/writeFile.

import { constants as bufferConstants } from 'buffer'
import { native, constants as C, errno } from '../native'
import { systemError, invalidArgType, outOfRange, LklError } from '../errors'
import { parseMode } from './flags'
import { ImageCore, shown } from '../image-core'
import { PathLike, checkInt } from '../validate'
import { Stats, BigIntStats } from './stats'
import { toTimespec, TimeLike } from './times'
import type { ReadStream, WriteStream, ReadStreamOptions, WriteStreamOptions } from './streams'

/**
 * The Node file streams (./streams), loaded with the first one: they
 * extend node:stream's classes, and node:stream is 19 builtin modules
 * (~1 ms) that a start-up reading files through promises never needs.
 */
export function fileStreams (): typeof import('./streams') {
  return require('./streams') as typeof import('./streams')
}

const MAX_LENGTH = bufferConstants.MAX_LENGTH

/** Largest single read/write handed to the kernel; keeps pool threads shared. */
export const CHUNK = 8 * 1024 * 1024

export function toBuffer (data: unknown, encoding: BufferEncoding, name: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, encoding)
  if (Buffer.isBuffer(data)) return data
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  throw invalidArgType(name, 'of type string or an instance of Buffer, TypedArray, or DataView', data)
}

/**
 * Write all of buf at pos (-1: at the current position), in chunks. With a
 * path (writeFile by name), a failure such as ENOSPC names the file, which
 * node:fs does not do but a full image calls for.
 */
export async function writeAll (fd: number, buf: Buffer, pos: number, site: Error, path?: string): Promise<number> {
  let done = 0
  while (done < buf.length) {
    const n = Math.min(CHUNK, buf.length - done)
    const r = await native.write(fd, buf, done, n, pos < 0 ? -1 : pos + done)
    if (r < 0) throw systemError(r, 'write', path, undefined, site)
    done += r
  }
  return done
}

/** Read from the current position to EOF. */
export async function readAll (fd: number, p: PathLike, site: Error): Promise<Buffer> {
  const st = await native.fstatx(fd, C.STATX_BASIC_STATS)
  if (typeof st === 'number') throw systemError(st, 'fstat', undefined, undefined, site)
  if ((st.mode & C.S_IFMT) === C.S_IFDIR) throw systemError(-errno.EISDIR, 'read', undefined, undefined, site)
  // One Buffer holds at most MAX_LENGTH bytes: a file that says it is
  // bigger (a sparse 16 TiB file, a corrupt inode's size) fails as the
  // kernel would for a file too large to read, not with Buffer's RangeError.
  const tooBig = (): Error => systemError(-errno.EFBIG, 'read', shown(p), undefined, site)
  if (st.size > MAX_LENGTH) throw tooBig()
  // The size is a hint (procfs-like files say 0; files may grow).
  let buf = Buffer.allocUnsafe(st.size > 0 ? st.size : 64 * 1024)
  let len = 0
  for (;;) {
    if (len === buf.length) {
      if (len >= MAX_LENGTH) throw tooBig()
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LENGTH))
      buf.copy(bigger, 0, 0, len)
      buf = bigger
    }
    const r = await native.read(fd, buf, len, Math.min(CHUNK, buf.length - len), -1)
    if (r < 0) throw systemError(r, 'read', shown(p), undefined, site)
    if (r === 0) break
    len += r
    if (st.size > 0 && len === st.size) {
      // Probably done: confirm EOF cheaply with a 1-byte probe buffer.
      const probe = Buffer.allocUnsafe(1)
      const r2 = await native.read(fd, probe, 0, 1, -1)
      if (r2 <= 0) break
      if (len >= MAX_LENGTH) throw tooBig()
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LENGTH))
      buf.copy(bigger, 0, 0, len)
      probe.copy(bigger, len)
      buf = bigger
      len += 1
    }
  }
  return len === buf.length ? buf : buf.subarray(0, len)
}

/** Validate readv/writev buffers; the kernel gets byte views of them. */
function checkBuffers (buffers: unknown): Uint8Array[] {
  if (!Array.isArray(buffers) || !buffers.every((b) => ArrayBuffer.isView(b))) throw invalidArgType('buffers', 'an ArrayBufferView[]', buffers)
  return (buffers as ArrayBufferView[]).map((b) => b instanceof Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
}

/** offset and length within buf, like node's fs.read/write. */
function checkBufferRange (buf: Uint8Array, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > buf.byteLength) throw outOfRange('offset', `>= 0 && <= ${buf.byteLength}`, offset)
  if (!Number.isSafeInteger(length) || length < 0 || offset + length > buf.byteLength) throw outOfRange('length', `>= 0 && <= ${buf.byteLength - offset}`, length)
}

function checkPosition (position: number | bigint | null | undefined): number {
  if (position === null || position === undefined || position === -1) return -1
  const n = typeof position === 'bigint' ? Number(position) : position
  if (!Number.isSafeInteger(n) || n < 0) throw outOfRange('position', '>= 0 && <= 2 ** 53 - 1', position)
  return n
}

export class FileHandle {
  /** The kernel fd (not a host fd). */
  readonly fd: number
  private _img: ImageCore
  private _path: PathLike
  private _closed = false

  constructor (img: ImageCore, fd: number, path: PathLike) {
    this._img = img
    this.fd = fd
    this._path = path
    img._fds.set(fd, this)
  }

  private _run<T> (fn: () => Promise<T>): Promise<T> {
    if (this._closed) return Promise.reject(LklError.fileClosed())
    return this._img._op(fn)
  }

  read (buffer?: Uint8Array | { buffer?: Uint8Array, offset?: number, length?: number, position?: number | bigint | null },
    offset?: number, length?: number, position?: number | bigint | null): Promise<{ bytesRead: number, buffer: Uint8Array }> {
    let buf: Uint8Array
    if (buffer === undefined || !ArrayBuffer.isView(buffer)) {
      const o = buffer ?? {}
      buf = o.buffer ?? Buffer.alloc(16384)
      offset = o.offset
      length = o.length
      position = o.position
    } else {
      buf = buffer
    }
    if (!(buf instanceof Uint8Array)) throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', buf)
    const off = offset ?? 0
    const len = length ?? buf.byteLength - off
    checkBufferRange(buf, off, len)
    const pos = checkPosition(position)
    const site = new Error()
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
    return this._run(async () => {
      const r = await native.read(this.fd, view, off, len, pos)
      if (r < 0) throw systemError(r, 'read', undefined, undefined, site)
      return { bytesRead: r, buffer: buf }
    })
  }

  write (data: string | Uint8Array, offsetOrPosition?: number | null, lengthOrEncoding?: number | BufferEncoding, position?: number | null): Promise<{ bytesWritten: number, buffer: string | Uint8Array }> {
    let buf: Buffer
    let pos: number
    if (typeof data === 'string') {
      buf = Buffer.from(data, typeof lengthOrEncoding === 'string' ? lengthOrEncoding : 'utf8')
      pos = checkPosition(offsetOrPosition)
    } else {
      const whole = toBuffer(data, 'utf8', 'buffer')
      const off = offsetOrPosition ?? 0
      const len = typeof lengthOrEncoding === 'number' ? lengthOrEncoding : whole.length - off
      checkBufferRange(whole, off, len)
      buf = whole.subarray(off, off + len)
      pos = checkPosition(position)
    }
    const site = new Error()
    return this._run(async () => {
      const n = await writeAll(this.fd, buf, pos, site)
      return { bytesWritten: n, buffer: data }
    })
  }

  readFile (options?: { encoding?: null } | null): Promise<Buffer>
  readFile (options: { encoding: BufferEncoding } | BufferEncoding): Promise<string>
  readFile (options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<Buffer | string>
  readFile (options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<Buffer | string> {
    const enc = typeof options === 'string' ? options : options?.encoding
    const site = new Error()
    return this._run(async () => {
      const buf = await readAll(this.fd, this._path, site)
      return enc ? buf.toString(enc) : buf
    })
  }

  writeFile (data: string | Uint8Array, options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<void> {
    const enc = (typeof options === 'string' ? options : options?.encoding) ?? 'utf8'
    const buf = toBuffer(data, enc, 'data')
    const site = new Error()
    return this._run(async () => { await writeAll(this.fd, buf, -1, site) })
  }

  stat (options?: { bigint?: false }): Promise<Stats>
  stat (options: { bigint: true }): Promise<BigIntStats>
  stat (options?: { bigint?: boolean }): Promise<Stats | BigIntStats>
  stat (options?: { bigint?: boolean }): Promise<Stats | BigIntStats> {
    const big = options?.bigint === true
    const site = new Error()
    return this._run(async () => {
      const r = await native.fstatx(this.fd, C.STATX_BASIC_STATS | C.STATX_BTIME)
      if (typeof r === 'number') throw systemError(r, 'fstat', undefined, undefined, site)
      return big ? new BigIntStats(r) : new Stats(r)
    })
  }

  readv (buffers: ArrayBufferView[], position?: number | bigint | null): Promise<{ bytesRead: number, buffers: ArrayBufferView[] }> {
    const views = checkBuffers(buffers)
    const pos = checkPosition(position)
    const site = new Error()
    return this._run(async () => {
      const r = await native.readv(this.fd, views, pos)
      if (r < 0) throw systemError(r, 'read', undefined, undefined, site)
      return { bytesRead: r, buffers }
    })
  }

  writev (buffers: ArrayBufferView[], position?: number | bigint | null): Promise<{ bytesWritten: number, buffers: ArrayBufferView[] }> {
    const views = checkBuffers(buffers)
    const pos = checkPosition(position)
    const site = new Error()
    return this._run(async () => {
      const r = await native.writev(this.fd, views, pos)
      if (r < 0) throw systemError(r, 'write', undefined, undefined, site)
      return { bytesWritten: r, buffers }
    })
  }

  chmod (mode: number | string): Promise<void> {
    const m = parseMode(mode, 0)
    return this._fdCall((fd) => native.fchmod(fd, m), 'fchmod')
  }

  chown (uid: number, gid: number): Promise<void> {
    checkInt(uid, 'uid', -1, 0xffffffff)
    checkInt(gid, 'gid', -1, 0xffffffff)
    return this._fdCall((fd) => native.fchown(fd, uid, gid), 'fchown')
  }

  utimes (atime: TimeLike, mtime: TimeLike): Promise<void> {
    const a = toTimespec(atime, 'atime')
    const m = toTimespec(mtime, 'mtime')
    return this._fdCall((fd) => native.futimens(fd, a[0], a[1], m[0], m[1]), 'futime')
  }

  appendFile (data: string | Uint8Array, options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<void> {
    return this.writeFile(data, options)
  }

  createReadStream (options?: Omit<ReadStreamOptions, 'fd'>): ReadStream {
    return new (fileStreams().ReadStream)(this._img, this._path, { ...options, fd: this })
  }

  createWriteStream (options?: Omit<WriteStreamOptions, 'fd'>): WriteStream {
    return new (fileStreams().WriteStream)(this._img, this._path, { ...options, fd: this })
  }

  /** @internal for the callback API */
  get _isClosed (): boolean { return this._closed }

  private _fdCall (call: (fd: number) => Promise<number>, syscall: string): Promise<void> {
    const site = new Error()
    return this._run(async () => {
      const r = await call(this.fd)
      if (r < 0) throw systemError(r, syscall, undefined, undefined, site)
    })
  }

  sync (): Promise<void> { return this._fdCall(native.fsync, 'fsync') }
  datasync (): Promise<void> { return this._fdCall(native.fdatasync, 'fdatasync') }

  truncate (len = 0): Promise<void> {
    if (typeof len !== 'number' || !Number.isSafeInteger(len)) throw invalidArgType('len', 'of type number', len)
    return this._fdCall((fd) => native.ftruncate(fd, Math.max(0, len)), 'ftruncate')
  }

  close (): Promise<void> {
    if (this._closed) return Promise.resolve()
    this._closed = true
    const site = new Error()
    return this._img._op(async () => {
      const r = await native.close(this.fd)
      this._img._fds.delete(this.fd)
      if (r < 0) throw systemError(r, 'close', undefined, undefined, site)
    }).catch((err) => {
      // A closing image closes the fds still registered itself.
      if (err.code !== 'ERR_LKL_IMAGE_CLOSED') throw err
    })
  }

  /** The image closed it (image.close() with handles still open). */
  _forceClosed (): void {
    this._closed = true
  }
}
