// SPDX-License-Identifier: GPL-2.0-only
//
// ociLayers(source, opts): the layers of one container image, lowest
// first, as one stream of Entry objects (entry.layer: the layer's index),
// their whiteouts as 'whiteout' and 'opaque' entries (lib/tree/whiteouts.ts)
// for a sink that merges layers (imageWriter with `whiteouts`).
//
// Each layer streams from its file in the source (nothing is extracted to
// the host; memory stays bounded), through a sha256 of the bytes as stored
// (the digest its manifest names) and, decompressed, of the tar (a docker
// config's diff_id). The stream ends a layer only once its digests were
// checked, so a corrupt layer fails with ERR_LKL_OCI_DIGEST before any
// entry of the next one comes out. JS thread; gzip through zlib, zstd
// through the host's zstd (lib/cli/compress.ts).

import * as fs from 'fs'
import { createHash, Hash } from 'crypto'
import { Readable as NodeReadable, Transform, pipeline } from 'stream'
import { Readable } from 'streamx'
import { Entry } from '../tree/entry'
import { tarUnpack } from '../tar/unpack'
import { LklError, invalidArgValue } from '../errors'
import { checkOptions } from '../validate'
import { decompressor, detect, sniff } from '../cli/compress'
import { Store, DirStore, TarStore } from './store'
import { LayerRef, ociImage, dockerImage, parsePlatform } from './select'

export type OciFormat = 'oci' | 'oci-archive' | 'docker-archive'

export interface OciLayersOptions {
  /** The image's tag (index.json's ref.name annotation, or a docker RepoTags entry); needed when the source holds several. */
  ref?: string
  /** 'os/arch[/variant]' for a multi-platform index (default: the host's, linux/amd64 on x86-64). */
  platform?: string
  /** What the source is (default: found out: a directory is an OCI layout; a tar with manifest.json a docker save, else an OCI archive). */
  format?: OciFormat
}

/** What the 'layer' event says as each layer starts. */
export interface LayerInfo { index: number, count: number, name: string, size: number }

const FORMATS: readonly OciFormat[] = ['oci', 'oci-archive', 'docker-archive']

async function openStore (source: string, format: OciFormat | undefined): Promise<{ store: Store, docker: boolean }> {
  const st = await fs.promises.stat(source)
  if (st.isDirectory()) {
    if (format !== undefined && format !== 'oci') throw LklError.ociInvalid(source, `a directory is an OCI layout, not a ${format}`)
    const store = new DirStore(source, source)
    if (!store.has('index.json')) throw LklError.ociInvalid(source, 'it has no index.json (not an OCI image layout)')
    return { store, docker: false }
  }
  if (format === 'oci') throw LklError.ociInvalid(source, 'an OCI layout is a directory (a tar of one is oci-archive)')
  const store = await TarStore.scan(source, source)
  const docker = format === 'docker-archive' || (format === undefined && store.has('manifest.json'))
  if (!store.has(docker ? 'manifest.json' : 'index.json')) throw LklError.ociInvalid(source, `it has no ${docker ? 'manifest.json (not a docker save archive)' : 'index.json (not an OCI archive)'}`)
  return { store, docker }
}

// Bytes passed through unchanged into a sha256, checked at their end.
function verifier (store: Store, name: string, expected: string | undefined, sizeSeen: (n: number) => void): Transform {
  const hash: Hash | null = expected ? createHash('sha256') : null
  return new Transform({
    transform (chunk: Buffer, _enc, cb) {
      hash?.update(chunk)
      sizeSeen(chunk.length)
      cb(null, chunk)
    },
    flush (cb) {
      if (!hash || !expected) return cb()
      const got = 'sha256:' + hash.digest('hex')
      cb(got === expected ? null : LklError.ociDigest(store.source, name, expected, got))
    }
  })
}

export class OciLayers extends Readable {
  private _it: AsyncIterator<Entry> | null = null
  private _source: string
  private _opts: OciLayersOptions
  /** The layers, once the image was resolved (the 'layers' event). */
  layers: LayerRef[] = []

  constructor (source: string, opts: OciLayersOptions = {}) {
    super({ highWaterMark: 1, byteLength: () => 1 })
    if (typeof source !== 'string' || source === '') throw invalidArgValue('source', source, 'must be the path of an OCI layout, OCI archive or docker save archive')
    opts = checkOptions(opts)
    if (opts.format !== undefined && !FORMATS.includes(opts.format)) throw invalidArgValue('options.format', opts.format, "must be 'oci', 'oci-archive' or 'docker-archive'")
    if (opts.ref !== undefined && typeof opts.ref !== 'string') throw invalidArgValue('options.ref', opts.ref, 'must be a string')
    parsePlatform(opts.platform)
    this._source = source
    this._opts = opts
  }

  override _read (cb: (err: Error | null) => void): void {
    if (!this._it) this._it = this._entries()
    this._it.next().then((r) => {
      this.push(r.done ? null : r.value)
      cb(null)
    }, cb)
  }

  // Destroyed mid-layer: the layer's file is closed and its pipeline ended.
  override _predestroy (): void {
    this._raw?.destroy()
    this._cancel?.(new Error('destroyed'))
  }

  private _raw: NodeReadable | null = null

  private _cancel: ((e: Error) => void) | null = null

  private async * _entries (): AsyncGenerator<Entry> {
    const { store, docker } = await openStore(this._source, this._opts.format)
    const platform = parsePlatform(this._opts.platform)
    this.layers = docker ? await dockerImage(store, this._opts.ref) : await ociImage(store, this._opts.ref, platform)
    this.emit('layers', this.layers)
    for (let i = 0; i < this.layers.length; i++) yield * this._layer(store, this.layers[i], i)
  }

  private async * _layer (store: Store, layer: LayerRef, index: number): AsyncGenerator<Entry> {
    let size = 0
    const info: LayerInfo = { index, count: this.layers.length, name: layer.name, size: 0 }
    this.emit('layer', info)
    const raw = store.open(layer.name)
    this._raw = raw
    const stored = verifier(store, layer.name, layer.digest, (n) => { size += n; this.emit('progress', n) })
    raw.on('error', (e) => stored.destroy(e))
    raw.pipe(stored)
    let codec = layer.codec
    let bytes: NodeReadable = stored
    if (codec === null) {
      const s = await sniff(stored)
      const c = detect(s.head)
      if (c !== null && c !== 'gzip' && c !== 'zstd') throw LklError.ociInvalid(store.source, `the layer ${layer.name} is ${c}-compressed (a layer is a tar, tar+gzip or tar+zstd)`)
      codec = c ?? 'none'
      bytes = s.stream
    }
    const tarBytes = verifier(store, `the uncompressed ${layer.name}`, layer.diffId, () => {})
    const unpack = tarUnpack({ whiteouts: true })
    const streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [bytes]
    if (codec !== 'none') streams.push(decompressor(codec))
    streams.push(tarBytes, unpack as unknown as NodeJS.WritableStream)
    // Every stage's end or error, the digests' included: the layer is done when it settles.
    const done = new Promise<void>((resolve, reject) => {
      this._cancel = reject
      ;(pipeline as (...a: unknown[]) => void)(...streams, (err: Error | null) => err ? reject(err) : resolve())
    })
    done.catch(() => {})
    const failed = done.then(() => new Promise<never>(() => {}), (e) => { throw e })
    const it = (unpack as unknown as AsyncIterable<Entry>)[Symbol.asyncIterator]()
    try {
      for (;;) {
        const r = await Promise.race([it.next(), failed])
        if (r.done) break
        const e = r.value
        e.layer = index
        yield e
      }
      await done
    } catch (err) {
      // A corrupt blob often fails its decompressor or the tar parser
      // before its end: the digest, read again, says which it is.
      if (layer.digest && (err as { code?: string }).code !== 'ERR_LKL_OCI_DIGEST') await recheck(store, layer)
      throw err
    }
    info.size = size
    this._cancel = null
    this._raw = null
  }
}

// Throws ERR_LKL_OCI_DIGEST when the layer's stored bytes are not the ones its digest names.
async function recheck (store: Store, layer: LayerRef): Promise<void> {
  const hash = createHash('sha256')
  try {
    for await (const chunk of store.open(layer.name) as AsyncIterable<Buffer>) hash.update(chunk)
  } catch {
    return
  }
  const got = 'sha256:' + hash.digest('hex')
  if (got !== layer.digest) throw LklError.ociDigest(store.source, layer.name, String(layer.digest), got)
}

/** The layers of one container image as one Entry stream (see OciLayers). */
export function ociLayers (source: string, opts?: OciLayersOptions): OciLayers {
  return new OciLayers(source, opts)
}

export { parsePlatform }
export const ociFormats = FORMATS
