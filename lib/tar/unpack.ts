// SPDX-License-Identifier: GPL-2.0-only
//
// tarUnpack(opts): tar bytes in, Entry objects out (a streamx Duplex).
// Reads ustar/GNU headers, pax (local and global, binary-safe), GNU long
// names and GNU sparse members (holes come out as zeroes; imageWriter turns
// them back into holes). This file is the parser's state machine; the
// parts: byte-queue.ts (input), extensions.ts (pax and long names),
// entry-from-header.ts (header -> Entry), sparse.ts (sparse maps -> plan),
// content.ts (each file's content stream).
//
// Each file's content is a Readable fed from the input; the parser waits
// when that content (or the entry queue) is full, so memory stays bounded.
// Consume or destroy each content stream.

import { EntryDuplexBase } from '../streams/node-types'
import { Entry, BufferContent } from '../tree/entry'
import { asMark } from '../tree/whiteouts'
import { LklError } from '../errors'
import { checkOptions } from '../validate'
import { BLOCK, RawHeader, decodeHeader, isZeroBlock } from './header'
import { ByteQueue } from './byte-queue'
import { PendingExtensions, isExtension } from './extensions'
import { entryFromHeader } from './entry-from-header'
import { PlanOp, SparseMap } from './sparse'
import { ContentFeed } from './content'

export interface UnpackOptions {
  /** Entries queued ahead of the consumer (default 64). */
  highWaterMark?: number
  /**
   * A container image layer: '.wh.NAME' members come out as 'whiteout'
   * entries for NAME and '.wh..wh..opq' as 'opaque' entries for their
   * directory (lib/tree/whiteouts.ts). Default false: plain files.
   */
  whiteouts?: boolean
}

const MAX_META = 64 << 20 // a pax or long-name body larger than this is corrupt
const SMALL = 1 << 20 // a file up to this size already in the input comes out as one Buffer

function padding (size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

export class TarUnpack extends EntryDuplexBase {
  private _bytes = new ByteQueue()
  private _writeCb: ((err: Error | null) => void) | null = null
  private _running = false
  private _consumer = false // the last stop waits for a consumer, not input
  private _state: 'header' | 'meta' | 'sparsemap' | 'data' | 'skip' | 'eof' = 'header'
  private _need = 0 // meta: bytes of the pax/long-name body; skip: bytes to drop
  private _metaType = ''
  private _extensions = new PendingExtensions()
  private _entry: Entry | null = null
  private _content: ContentFeed | null = null // data, sparsemap: the current file's content
  private _map: SparseMap | null = null // sparsemap: the map being read
  private _pad = 0 // data: the padding after the current file's data
  private _last = ''
  private _blocked = false
  private _marks = false

  constructor (opts: UnpackOptions = {}) {
    opts = checkOptions(opts)
    const hwm = opts.highWaterMark ?? 64
    // Input is counted in 16 KiB units: at most ~1 MiB of it queued (one
    // read of a 1 MiB file stream); every queued chunk is memory held.
    super({ highWaterMark: hwm, byteLengthReadable: () => 1, byteLengthWritable: (b: Buffer) => Math.ceil(b.byteLength / 16384) })
    this._marks = opts.whiteouts === true
  }

  override _write (data: Buffer, cb: (err: Error | null) => void): void {
    this._bytes.push(data)
    this._writeCb = cb
    this._run()
  }

  override _read (cb: (err: Error | null) => void): void {
    cb(null)
    this._blocked = false
    this._run()
  }

  override _final (cb: (err: Error | null) => void): void {
    this._run()
    if (this._state === 'eof' || (this._state === 'header' && this._bytes.length === 0)) {
      this.push(null)
      return cb(null)
    }
    const e = this._entry
    const err = e
      ? LklError.tarInvalid(`Unexpected end of tar data in '${e.path}' (truncated entry)`, e.path)
      : this._bytes.consumed === 0 && !this._last
        ? notTar(`${this._bytes.length} bytes, less than one tar header`)
        : LklError.tarInvalid(`Unexpected end of tar data after '${this._last || '(start)'}' (truncated header)`, this._last || undefined)
    if (this._content) this._content.stream.destroy(err)
    cb(err)
  }

  // A file being read ends with the error that ended the tar (a layer's
  // digest, a decompressor's failure), not just "destroyed".
  override destroy (err?: Error | null): void {
    if (err && this._content && !this.destroying) this._content.stream.destroy(err)
    super.destroy(err)
  }

  override _predestroy (): void {
    if (this._content) this._content.stream.destroy()
    const cb = this._writeCb
    this._writeCb = null
    if (cb) cb(null)
  }

  private _run (): void {
    if (this._running || this.destroying) return
    this._running = true
    try {
      this._consumer = false
      while (this._step()) this._consumer = false
    } catch (err) {
      if (this._content) this._content.stream.destroy(err as Error)
      this._content = null
      this.destroy(err as Error)
    }
    this._running = false
    if (!this._consumer || this._state === 'eof') {
      if (this._state === 'eof') this._bytes.clear()
      const cb = this._writeCb
      this._writeCb = null
      if (cb) cb(null)
    }
  }

  // One unit of parsing; false when it must wait for input or a consumer.
  private _step (): boolean {
    const bytes = this._bytes
    switch (this._state) {
      case 'eof':
        return false
      case 'header': {
        if (this._blocked) return this._wait()
        if (bytes.length < BLOCK) return false
        const at = bytes.consumed
        const block = bytes.take(BLOCK)
        if (isZeroBlock(block)) { this._state = 'eof'; return false }
        let h: RawHeader
        try {
          h = decodeHeader(block)
        } catch (err) {
          // At byte 0 the input is most likely not a tar at all: say so.
          if (at === 0) throw notTar(`no tar header at byte 0: ${(err as Error).message}`)
          throw LklError.tarInvalid(`Invalid tar header at byte ${at} (${(err as Error).message}), after the entry '${this._last || '(none)'}'`, this._last || undefined)
        }
        this._header(h, block)
        return true
      }
      case 'meta': {
        const padded = this._need + padding(this._need)
        if (bytes.length < padded) return false
        this._extensions.add(this._metaType, bytes.take(padded).subarray(0, this._need), this._last)
        this._state = 'header'
        return true
      }
      case 'sparsemap': {
        // Old GNU: extension blocks before the data; pax 1.0: the first blocks of the data.
        const map = this._map as SparseMap
        const content = this._content as ContentFeed
        if (bytes.length < BLOCK) return false
        if (map.inData) {
          if (content.left < BLOCK) throw LklError.tarInvalid(`Invalid sparse map for '${this._last}'`, this._last)
          content.left -= BLOCK
        }
        map.addBlock(bytes.take(BLOCK))
        if (map.plan) this._startData(map.plan)
        return true
      }
      case 'data': {
        const content = this._content as ContentFeed
        const r = content.feed(bytes)
        if (r === 'input') return false
        if (r === 'full') return this._wait()
        if (r === 'end') {
          this._content = null
          this._skip(content.left + this._pad)
        }
        return true
      }
      case 'skip': {
        if (bytes.length === 0) return this._need === 0 ? this._endEntry() : false
        if (this._need > 0) this._need -= bytes.takeSome(this._need).byteLength
        return this._need === 0 ? this._endEntry() : true
      }
    }
  }

  private _header (h: RawHeader, block: Buffer): void {
    const t = h.typeflag
    if (isExtension(t)) {
      if (h.size > MAX_META) throw LklError.tarInvalid(`A ${t} header of ${h.size} bytes after '${this._last}' is too big`)
      this._metaType = t
      this._need = h.size
      this._state = 'meta'
      return
    }
    const m = entryFromHeader(h, block, this._extensions.take())
    this._last = m.path
    const e = m.entry
    if (e === null) return this._skip(m.archiveSize + padding(m.archiveSize))
    this._entry = e
    if (e.type !== 'file') {
      this._emit(e)
      return this._skip(m.archiveSize + padding(m.archiveSize))
    }
    this._pad = padding(m.archiveSize)
    if (m.sparse === null && m.archiveSize <= SMALL && this._bytes.length >= m.archiveSize) {
      // A small file already in the input: its content is one Buffer (sinks take it without streaming).
      e.content = new BufferContent(m.archiveSize ? this._bytes.take(m.archiveSize) : Buffer.alloc(0))
      this._emit(e)
      return this._skip(this._pad)
    }
    this._content = new ContentFeed(m.archiveSize, m.path, () => this._run())
    e.content = this._content.stream
    const map = m.sparse ? new SparseMap(m.sparse, e.size, m.path) : null
    if (map === null) this._startData(m.archiveSize > 0 ? [{ data: m.archiveSize }] : [])
    else if (map.plan) this._startData(map.plan)
    else {
      this._map = map
      this._state = 'sparsemap'
    }
    this._emit(e)
  }

  private _startData (plan: PlanOp[]): void {
    (this._content as ContentFeed).plan = plan
    this._map = null
    this._state = 'data'
  }

  private _wait (): false {
    this._consumer = true
    return false
  }

  // Drop the next `n` bytes of input: the rest of the member and its padding.
  private _skip (n: number): void {
    this._need = n
    this._state = 'skip'
  }

  private _endEntry (): boolean {
    this._entry = null
    this._state = 'header'
    return true
  }

  private _emit (e: Entry): void {
    if (this._marks) e = asMark(e)
    if (!this.push(e)) this._blocked = true
  }
}

export function tarUnpack (opts?: UnpackOptions): TarUnpack {
  return new TarUnpack(opts)
}

function notTar (why: string): LklError {
  return LklError.tarInvalid(`The input is not a tar archive: ${why}`)
}
