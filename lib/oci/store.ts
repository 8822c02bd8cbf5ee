// SPDX-License-Identifier: GPL-2.0-only
//
// The files of a container image source, by their path inside it
// ('index.json', 'blobs/sha256/<hex>', a docker save's '<id>/layer.tar'):
// a directory (an OCI image layout) or a tar of one (an OCI archive, a
// `docker save` archive). A tar is scanned once for where each member's
// bytes are (headers only, the contents skipped by seeking), then read in
// place: nothing is copied out, and a member is read when it is needed.
// JS thread (host files through node:fs).

import * as fs from 'fs'
import * as path from 'path'
import { Readable } from 'stream'
import { normalizePath } from '../tree/entry'
import { LklError } from '../errors'
import { BLOCK, RawHeader, decodeHeader, isZeroBlock } from '../tar/header'
import { PendingExtensions, isExtension } from '../tar/extensions'

export interface Store {
  /** The source as the user named it (for messages). */
  readonly source: string
  /** Whether the source has the file `name`. */
  has (name: string): boolean
  /** The bytes of `name` (an ERR_LKL_OCI_INVALID error when absent). */
  open (name: string): Readable
  /** The whole of a small file (JSON). */
  read (name: string): Promise<Buffer>
}

const MAX_JSON = 16 << 20 // an index, manifest or config larger than this is not one

function missing (source: string, name: string): LklError {
  return LklError.ociInvalid(source, `it has no file '${name}'`)
}

async function readAll (s: Readable, source: string, name: string): Promise<Buffer> {
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of s as AsyncIterable<Buffer>) {
    n += chunk.length
    if (n > MAX_JSON) throw LklError.ociInvalid(source, `'${name}' is larger than ${MAX_JSON} bytes`)
    parts.push(chunk)
  }
  return Buffer.concat(parts, n)
}

/** A stream that fails with `err` as soon as it is read. */
function failing (err: Error): Readable {
  const r = new Readable({ read () {} })
  process.nextTick(() => r.destroy(err))
  return r
}

/** A name inside the source, checked to stay inside it. */
function inside (source: string, name: string): string {
  const rel = normalizePath(name)
  if (rel === null || rel === '.') throw LklError.ociInvalid(source, `the path '${name}' leaves the image`)
  return rel
}

/** An OCI image layout directory. */
export class DirStore implements Store {
  constructor (readonly source: string, private _dir: string) {}

  has (name: string): boolean {
    return fs.existsSync(path.join(this._dir, inside(this.source, name)))
  }

  open (name: string): Readable {
    const file = path.join(this._dir, inside(this.source, name))
    if (!fs.existsSync(file)) return failing(missing(this.source, name))
    return fs.createReadStream(file)
  }

  read (name: string): Promise<Buffer> {
    return readAll(this.open(name), this.source, name)
  }
}

interface Member { offset: number, size: number, link?: string }

/** A tar of an image (OCI archive, docker save). */
export class TarStore implements Store {
  private _members = new Map<string, Member>()

  private constructor (readonly source: string, private _file: string) {}

  static async scan (source: string, file: string): Promise<TarStore> {
    const store = new TarStore(source, file)
    const fh = await fs.promises.open(file, 'r')
    try {
      const size = (await fh.stat()).size
      const ext = new PendingExtensions()
      const block = Buffer.alloc(BLOCK)
      let at = 0
      while (at + BLOCK <= size) {
        await fh.read(block, 0, BLOCK, at)
        if (isZeroBlock(block)) break
        let h: RawHeader
        try {
          h = decodeHeader(block)
        } catch (err) {
          throw LklError.ociInvalid(source, `not a tar: ${(err as Error).message} at byte ${at}`)
        }
        const data = at + BLOCK
        const next = data + Math.ceil(h.size / BLOCK) * BLOCK
        if (next > size) throw LklError.ociInvalid(source, `the tar ends early (truncated file) in '${h.name.toString()}'`)
        if (isExtension(h.typeflag)) {
          if (h.size > MAX_JSON) throw LklError.ociInvalid(source, `a ${h.size}-byte tar extension header`)
          const body = Buffer.alloc(h.size)
          await fh.read(body, 0, h.size, data)
          ext.add(h.typeflag, body, '')
        } else {
          const x = ext.take()
          const name = (x.pax.get('path') ?? x.longName ?? h.name).toString()
          const rel = normalizePath(name, true)
          const t = h.typeflag
          if (rel !== null && (t === '0' || t === '7')) store._members.set(rel, { offset: data, size: h.size })
          else if (rel !== null && (t === '1' || t === '2')) {
            // docker save links a layer it holds twice; a symlink's target is relative to its directory.
            const target = (x.pax.get('linkpath') ?? x.longLink ?? h.linkname).toString()
            const to = t === '1' ? target : path.posix.join(path.posix.dirname(rel), target)
            store._members.set(rel, { offset: 0, size: 0, link: normalizePath(to, true) ?? '' })
          }
        }
        at = next
      }
    } finally {
      await fh.close()
    }
    return store
  }

  private _member (name: string): Member | null {
    let m = this._members.get(inside(this.source, name))
    for (let hops = 0; m?.link !== undefined && hops < 8; hops++) m = this._members.get(m.link)
    return m && m.link === undefined ? m : null
  }

  has (name: string): boolean {
    return this._member(name) !== null
  }

  open (name: string): Readable {
    const m = this._member(name)
    if (!m) return failing(missing(this.source, name))
    if (m.size === 0) return Readable.from([])
    return fs.createReadStream(this._file, { start: m.offset, end: m.offset + m.size - 1 })
  }

  read (name: string): Promise<Buffer> {
    return readAll(this.open(name), this.source, name)
  }
}
