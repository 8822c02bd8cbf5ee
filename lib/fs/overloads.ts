// SPDX-License-Identifier: GPL-2.0-only
//
// The public signatures of img.fs.promises and img.fs whose result type
// depends on their options, as @types/node's fs/promises and fs have them:
// an encoding gives a string (or 'buffer' a Buffer), withFileTypes Dirents,
// bigint BigIntStats. The implementations (promises.ts, tree.ts, shim.ts)
// return the union; they are presented through these. Types only.
// The other callback forms are derived from their promise functions
// (CallbackForm), so no callback argument is an implicit any.

import type { Stats, BigIntStats, Dirent, StatFs } from './stats'
import type { Dir } from './tree'
import type { FileHandle } from './file-handle'
import type { OpenFlags } from './flags'
import type { PathArg } from '../validate'
import type { TimeLike } from './times'

type Enc = BufferEncoding
type ReadOptions = { flag?: OpenFlags, signal?: AbortSignal }
type ReadFileBuffer = (ReadOptions & { encoding?: null }) | null
type ReadFileString = (ReadOptions & { encoding: Enc }) | Enc
export type ReadFileOptions = (ReadOptions & { encoding?: Enc | null }) | Enc | null
type ReaddirFlags = { recursive?: boolean }
type ReaddirString = (ReaddirFlags & { encoding?: Enc | null, withFileTypes?: false }) | Enc | null
type ReaddirBuffer = (ReaddirFlags & { encoding: 'buffer', withFileTypes?: false }) | 'buffer'
type ReaddirDirents = ReaddirFlags & { encoding?: Enc | 'buffer' | null, withFileTypes: true }
export type ReaddirOptions = (ReaddirFlags & { encoding?: Enc | 'buffer' | null, withFileTypes?: boolean }) | Enc | 'buffer' | null
type NameString = { encoding?: Enc | null } | Enc | null
type NameBuffer = { encoding: 'buffer' } | 'buffer'
export type NameOptions = { encoding?: Enc | 'buffer' | null } | Enc | 'buffer' | null
export type StatOptions = { bigint?: boolean }
export type WriteFileOptions = { encoding?: Enc | null, mode?: number | string, flag?: OpenFlags, flush?: boolean, signal?: AbortSignal } | Enc | null
export type OpendirOptions = { encoding?: Enc | 'buffer' | null, bufferSize?: number, recursive?: boolean }

/** node's callbacks: an error, or null and the result. */
export type Callback<T> = [T] extends [void] ? (err: NodeJS.ErrnoException | null) => void : (err: NodeJS.ErrnoException | null, value: T) => void
type Cb<T> = Callback<T>

/** The promise functions whose result type follows their options. */
export interface PromisesOverloads {
  readFile (path: PathArg | FileHandle, options?: ReadFileBuffer): Promise<Buffer>
  readFile (path: PathArg | FileHandle, options: ReadFileString): Promise<string>
  readFile (path: PathArg | FileHandle, options?: ReadFileOptions): Promise<string | Buffer>
  readdir (path: PathArg, options?: ReaddirString): Promise<string[]>
  readdir (path: PathArg, options: ReaddirBuffer): Promise<Buffer[]>
  readdir (path: PathArg, options: ReaddirDirents): Promise<Dirent[]>
  readdir (path: PathArg, options?: ReaddirOptions): Promise<string[] | Buffer[] | Dirent[]>
  stat (path: PathArg, options?: { bigint?: false }): Promise<Stats>
  stat (path: PathArg, options: { bigint: true }): Promise<BigIntStats>
  stat (path: PathArg, options?: StatOptions): Promise<Stats | BigIntStats>
  lstat (path: PathArg, options?: { bigint?: false }): Promise<Stats>
  lstat (path: PathArg, options: { bigint: true }): Promise<BigIntStats>
  lstat (path: PathArg, options?: StatOptions): Promise<Stats | BigIntStats>
  statfs (path: PathArg, options?: { bigint?: false }): Promise<StatFs<number>>
  statfs (path: PathArg, options: { bigint: true }): Promise<StatFs<bigint>>
  statfs (path: PathArg, options?: StatOptions): Promise<StatFs<number> | StatFs<bigint>>
  realpath (path: PathArg, options?: NameString): Promise<string>
  realpath (path: PathArg, options: NameBuffer): Promise<Buffer>
  realpath (path: PathArg, options?: NameOptions): Promise<string | Buffer>
  readlink (path: PathArg, options?: NameString): Promise<string>
  readlink (path: PathArg, options: NameBuffer): Promise<Buffer>
  readlink (path: PathArg, options?: NameOptions): Promise<string | Buffer>
  mkdtemp (prefix: PathArg, options?: NameString): Promise<string>
  mkdtemp (prefix: PathArg, options: NameBuffer): Promise<Buffer>
  mkdtemp (prefix: PathArg, options?: NameOptions): Promise<string | Buffer>
  opendir (path: PathArg, options?: OpendirOptions): Promise<Dir>
}

/** Their callback forms, and those that also take a callback API fd. */
export interface CallbackOverloads {
  readFile (path: PathArg | number, cb: Cb<Buffer>): void
  readFile (path: PathArg | number, options: ReadFileBuffer | undefined, cb: Cb<Buffer>): void
  readFile (path: PathArg | number, options: ReadFileString, cb: Cb<string>): void
  readFile (path: PathArg | number, options: ReadFileOptions | undefined, cb: Cb<string | Buffer>): void
  readdir (path: PathArg, cb: Cb<string[]>): void
  readdir (path: PathArg, options: ReaddirString | undefined, cb: Cb<string[]>): void
  readdir (path: PathArg, options: ReaddirBuffer, cb: Cb<Buffer[]>): void
  readdir (path: PathArg, options: ReaddirDirents, cb: Cb<Dirent[]>): void
  readdir (path: PathArg, options: ReaddirOptions | undefined, cb: Cb<string[] | Buffer[] | Dirent[]>): void
  stat (path: PathArg, cb: Cb<Stats>): void
  stat (path: PathArg, options: { bigint?: false } | undefined, cb: Cb<Stats>): void
  stat (path: PathArg, options: { bigint: true }, cb: Cb<BigIntStats>): void
  stat (path: PathArg, options: StatOptions | undefined, cb: Cb<Stats | BigIntStats>): void
  lstat (path: PathArg, cb: Cb<Stats>): void
  lstat (path: PathArg, options: { bigint?: false } | undefined, cb: Cb<Stats>): void
  lstat (path: PathArg, options: { bigint: true }, cb: Cb<BigIntStats>): void
  lstat (path: PathArg, options: StatOptions | undefined, cb: Cb<Stats | BigIntStats>): void
  statfs (path: PathArg, cb: Cb<StatFs<number>>): void
  statfs (path: PathArg, options: { bigint?: false } | undefined, cb: Cb<StatFs<number>>): void
  statfs (path: PathArg, options: { bigint: true }, cb: Cb<StatFs<bigint>>): void
  statfs (path: PathArg, options: StatOptions | undefined, cb: Cb<StatFs<number> | StatFs<bigint>>): void
  realpath: RealpathCallback & { native: RealpathCallback }
  readlink (path: PathArg, cb: Cb<string>): void
  readlink (path: PathArg, options: NameString | undefined, cb: Cb<string>): void
  readlink (path: PathArg, options: NameBuffer, cb: Cb<Buffer>): void
  readlink (path: PathArg, options: NameOptions | undefined, cb: Cb<string | Buffer>): void
  mkdtemp (prefix: PathArg, cb: Cb<string>): void
  mkdtemp (prefix: PathArg, options: NameString | undefined, cb: Cb<string>): void
  mkdtemp (prefix: PathArg, options: NameBuffer, cb: Cb<Buffer>): void
  mkdtemp (prefix: PathArg, options: NameOptions | undefined, cb: Cb<string | Buffer>): void
  opendir (path: PathArg, cb: Cb<Dir>): void
  opendir (path: PathArg, options: OpendirOptions | undefined, cb: Cb<Dir>): void
  writeFile (file: PathArg | number, data: string | Uint8Array, cb: Cb<void>): void
  writeFile (file: PathArg | number, data: string | Uint8Array, options: WriteFileOptions | undefined, cb: Cb<void>): void
  appendFile (file: PathArg | number, data: string | Uint8Array, cb: Cb<void>): void
  appendFile (file: PathArg | number, data: string | Uint8Array, options: WriteFileOptions | undefined, cb: Cb<void>): void
}

type Position = number | bigint | null
type ReadCb<B> = (err: NodeJS.ErrnoException | null, bytesRead: number, buffer: B) => void
type WriteCb<B> = (err: NodeJS.ErrnoException | null, bytesWritten: number, buffer: B) => void
type VecCb = (err: NodeJS.ErrnoException | null, bytes: number, buffers: ArrayBufferView[]) => void

/** The fd-based callback forms (fds of the callback API's open). */
export interface FdCallbacks {
  open (path: PathArg, cb: Cb<number>): void
  open (path: PathArg, flags: OpenFlags | undefined, cb: Cb<number>): void
  open (path: PathArg, flags: OpenFlags | undefined, mode: number | string | undefined, cb: Cb<number>): void
  close (fd: number, cb?: Cb<void>): void
  read (fd: number, cb: ReadCb<Uint8Array>): void
  read<B extends Uint8Array> (fd: number, buffer: B, offset: number | undefined, length: number | undefined, position: Position | undefined, cb: ReadCb<B>): void
  read<B extends Uint8Array> (fd: number, buffer: B, options: { offset?: number, length?: number, position?: Position }, cb: ReadCb<B>): void
  read<B extends Uint8Array> (fd: number, options: { buffer: B, offset?: number, length?: number, position?: Position }, cb: ReadCb<B>): void
  write<B extends Uint8Array> (fd: number, buffer: B, cb: WriteCb<B>): void
  write<B extends Uint8Array> (fd: number, buffer: B, offset: number | undefined | null, cb: WriteCb<B>): void
  write<B extends Uint8Array> (fd: number, buffer: B, offset: number | undefined | null, length: number | undefined, cb: WriteCb<B>): void
  write<B extends Uint8Array> (fd: number, buffer: B, offset: number | undefined | null, length: number | undefined, position: number | null | undefined, cb: WriteCb<B>): void
  write<B extends Uint8Array> (fd: number, buffer: B, options: { offset?: number, length?: number, position?: number | null }, cb: WriteCb<B>): void
  write (fd: number, text: string, cb: WriteCb<string>): void
  write (fd: number, text: string, position: number | null | undefined, cb: WriteCb<string>): void
  write (fd: number, text: string, position: number | null | undefined, encoding: BufferEncoding | undefined, cb: WriteCb<string>): void
  readv (fd: number, buffers: ArrayBufferView[], cb: VecCb): void
  readv (fd: number, buffers: ArrayBufferView[], position: Position | undefined, cb: VecCb): void
  writev (fd: number, buffers: ArrayBufferView[], cb: VecCb): void
  writev (fd: number, buffers: ArrayBufferView[], position: number | null | undefined, cb: VecCb): void
  fstat (fd: number, cb: Cb<Stats>): void
  fstat (fd: number, options: { bigint?: false } | undefined, cb: Cb<Stats>): void
  fstat (fd: number, options: { bigint: true }, cb: Cb<BigIntStats>): void
  fstat (fd: number, options: StatOptions | undefined, cb: Cb<Stats | BigIntStats>): void
  fsync (fd: number, cb: Cb<void>): void
  fdatasync (fd: number, cb: Cb<void>): void
  ftruncate (fd: number, cb: Cb<void>): void
  ftruncate (fd: number, len: number | undefined, cb: Cb<void>): void
  fchmod (fd: number, mode: number | string, cb: Cb<void>): void
  fchown (fd: number, uid: number, gid: number, cb: Cb<void>): void
  futimes (fd: number, atime: TimeLike, mtime: TimeLike, cb: Cb<void>): void
}

export interface RealpathCallback {
  (path: PathArg, cb: Cb<string>): void
  (path: PathArg, options: NameString | undefined, cb: Cb<string>): void
  (path: PathArg, options: NameBuffer, cb: Cb<Buffer>): void
  (path: PathArg, options: NameOptions | undefined, cb: Cb<string | Buffer>): void
}

// The argument lists a promise function takes, each optional trailing
// argument left off or given (`undefined` too), as node's callback forms.
type Prefixes<A extends unknown[], Acc extends unknown[] = []> =
  A extends [infer H, ...infer T] ? Prefixes<T, [...Acc, H]>
    : A extends [] ? Acc
      : Required<A> extends [infer H, ...infer T] ? Acc | Prefixes<Partial<T>, [...Acc, H | undefined]> : Acc

/** The callback form of a promise function: its arguments, then cb(err, result). */
export type CallbackForm<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: [...Prefixes<A>, Cb<R>]) => void : never
