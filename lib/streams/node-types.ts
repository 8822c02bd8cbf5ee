// SPDX-License-Identifier: GPL-2.0-only
//
// How our streamx streams look to TypeScript users of node:stream. They are
// streamx classes at run time (and node's pipeline()/finished() accept them:
// they have pipe, on, write, end, destroy), but @types/node's pipeline()
// overloads want NodeJS.ReadableStream / NodeJS.ReadWriteStream, whose
// members streamx's own typings lack or type differently. The classes merge
// these interfaces into their types (the bases below are the streamx
// classes themselves at run time) so that documented pipelines type-check
// without casts, and `for await` over an object stream gives its element
// type instead of `unknown`.
//
// Type-only members: isPaused(), unpipe() and wrap() are declared because
// NodeJS.ReadableStream has them; streamx streams do not implement them
// (use Readable.isPaused(stream) from streamx, and pipeline()).

import { Readable, Duplex, Transform, ReadableOptions, DuplexOptions, TransformOptions } from 'streamx'
import type { Entry } from '../tree/entry'

/** The members of NodeJS.ReadableStream that streamx's Readable typings lack. */
export interface NodeReadableParts {
  isPaused (): boolean
  unpipe (destination?: NodeJS.WritableStream): this
  wrap (oldStream: NodeJS.ReadableStream): this
  // streamx's pipe(dest, cb) also takes node's options argument.
  pipe<D extends NodeJS.WritableStream> (destination: D, options?: { end?: boolean }): D
}

/**
 * A readable object stream of T (ImageWalk, HostWalk): an AsyncIterable<T>,
 * which is what node's pipeline() takes as its source.
 */
export interface ObjectReadable<T> extends NodeReadableParts {
  [Symbol.asyncIterator] (): AsyncIterableIterator<T>
}

/**
 * A stream that reads as T and can stand in the middle of node's pipeline()
 * (a NodeJS.ReadWriteStream): TarUnpack, the entry transforms. Node's type
 * says such streams yield strings or Buffers, so `for await` over one gives
 * `T & (string | Buffer)` (assignable to T; prefer pipeline() or a walk).
 */
export interface ObjectDuplex<T> extends NodeReadableParts {
  // node's read(size) returns a chunk; ours return T (or null at the end).
  read (size?: number): any // eslint-disable-line @typescript-eslint/no-explicit-any
  [Symbol.asyncIterator] (): AsyncIterableIterator<T>
  [Symbol.asyncIterator] (_node?: never): AsyncIterableIterator<string | Buffer>
}

/** A readable byte stream, usable anywhere node's pipeline() takes a stream. */
export interface ByteReadable extends NodeReadableParts {
  read (size?: number): Buffer
  [Symbol.asyncIterator] (): AsyncIterableIterator<Buffer>
}

/** Readable of Entry (ImageWalk, HostWalk). */
export type EntryReadable = Readable & ObjectReadable<Entry>
/** Tar bytes in, entries out (TarUnpack). */
export type EntryDuplex = Duplex & ObjectDuplex<Entry>
/** Entries in, entries out (lkl.transforms). */
export type EntryTransform = Transform & ObjectDuplex<Entry>
/** Entries in, bytes out (TarPack). */
export type ByteDuplex = Duplex & ByteReadable

// The streamx classes, typed as making the streams above (class X extends
// EntryReadableBase): the same constructors, so nothing changes at run time.
export const EntryReadableBase = Readable as unknown as new (opts?: ReadableOptions) => EntryReadable
export const EntryDuplexBase = Duplex as unknown as new (opts?: DuplexOptions) => EntryDuplex
export const EntryTransformBase = Transform as unknown as new (opts?: TransformOptions) => EntryTransform
export const ByteDuplexBase = Duplex as unknown as new (opts?: DuplexOptions) => ByteDuplex
