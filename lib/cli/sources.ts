// SPDX-License-Identifier: GPL-2.0-only
//
// Tree sources and sinks named on the command line: a tar file (maybe
// compressed) or stdin, a host directory, or an image directory.

import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { pipeline } from 'stream/promises'
import { PassThrough, Transform, Readable, pipeline as streamPipeline } from 'stream'
import { tarUnpack, hostWalk, ociLayers } from '../index'
import type { Entry, Image, WriterOptions, UnpackOptions, OciFormat, WhiteoutMode, LayerInfo } from '../index'
import { ociFormats } from '../oci/layers'
import { UsageError } from './errors'
import { describeDropped, Dropped } from '../tree/fs-capabilities'
import { LklError } from '../errors'
import { autoDecompress, Codec } from './compress'
import type { Progress } from './progress'
import type { EntryReadable } from '../streams/node-types'
import { nodeReadable, EntrySource } from './pipeline'

/** Open a tar file or '-' (stdin), decompressed, as tar bytes (and the codec found). */
export async function tarInput (file: string, progress?: Progress): Promise<{ stream: Readable, codec: Codec | null }> {
  const size = file === '-' ? undefined : (await fs.promises.stat(file)).size
  const raw: Readable = file === '-' ? process.stdin : fs.createReadStream(file)
  if (progress) progress.total = size
  let input: Readable = raw
  if (progress) {
    const count = new Transform({ transform (chunk: Buffer, _enc, cb) { progress.add(chunk.length); cb(null, chunk) } })
    raw.on('error', (e) => count.destroy(e))
    input = raw.pipe(count)
  }
  return autoDecompress(input)
}

/** Entries from a tar file or '-' (`opts`: tarUnpack's, for a layer tar's whiteouts). */
export async function tarEntries (file: string, progress?: Progress, opts?: UnpackOptions): Promise<NodeJS.ReadableStream> {
  const { stream: bytes, codec } = await tarInput(file, progress)
  // The tar's own errors end the entry stream (and with it the pipeline).
  if (!codec) return chain(bytes, tarUnpack(opts))
  // A decompressor's failure (a truncated .gz) says which entry was being
  // read: the last one out of the unpacker, whose content is consumed
  // before the next one comes.
  const at = { path: '', done: true }
  const track = new Transform({
    objectMode: true,
    highWaterMark: 1,
    transform (e: Entry, _enc, cb) {
      at.path = e.path
      at.done = !e.content
      // (an earlier entry's content may say 'end' late: only this one's counts)
      ;(e.content as unknown as Readable | undefined)?.once('end', () => { if (at.path === e.path) at.done = true })
      cb(null, e)
    }
  })
  const guarded = new PassThrough()
  bytes.on('error', (err) => guarded.destroy(decompressError(err, codec, at)))
  bytes.pipe(guarded)
  return chain(guarded, tarUnpack(opts), track)
}

/** The error of `codec` failing while the tar's entry `at` was read. */
function decompressError (err: Error & { code?: string }, codec: Codec, at: { path: string, done: boolean }): Error {
  const where = !at.path ? 'before the first entry' : `${at.done ? 'after' : 'in'} the entry '${at.path}'`
  // zlib's own errors (Z_BUF_ERROR: the data ends early; Z_DATA_ERROR).
  if (err.code?.startsWith('Z_')) {
    const what = err.code === 'Z_BUF_ERROR' ? 'ends early (truncated file)' : `is corrupt: ${err.message}`
    return LklError.tarInvalid(`The ${codec} input ${what}, ${where}`, at.path || undefined)
  }
  if (err instanceof LklError && err.code === 'ERR_LKL_TOOL_FAILED') err.message += ` (${where})`
  return err
}

/** Streams piped one into the next (errors destroy them all); returns the last. */
export function chain (source: EntrySource, ...stages: NodeJS.ReadWriteStream[]): NodeJS.ReadableStream {
  streamPipeline([nodeReadable(source), ...stages], () => {})
  return stages[stages.length - 1]
}

/** A container image named on the command line: FORMAT:PATH[:REF]. */
export interface OciSource { format: OciFormat, path: string, ref?: string }

/**
 * `oci:DIR[:REF]`, `oci-archive:FILE[:REF]` or `docker-archive:FILE[:REF]`
 * as an OciSource (null for any other source). The ref is what follows the
 * path (see below).
 */
export function ociSource (src: string): OciSource | null {
  const colon = src.indexOf(':')
  const format = src.slice(0, colon) as OciFormat
  if (colon < 0 || !ociFormats.includes(format)) return null
  const rest = src.slice(colon + 1)
  // A ref may hold ':' itself (docker-archive:x.tar:example/app:1): the path
  // is the shortest prefix that exists, else all up to the last ':'.
  if (fs.existsSync(rest)) return { format, path: rest }
  let at = rest.indexOf(':')
  while (at >= 0 && !fs.existsSync(rest.slice(0, at))) at = rest.indexOf(':', at + 1)
  if (at < 0) at = rest.lastIndexOf(':')
  if (at < 0) return { format, path: rest }
  if (at === rest.length - 1) throw new UsageError(`'${src}': the ref after ':' is empty`)
  return { format, path: rest.slice(0, at), ref: rest.slice(at + 1) }
}

/** The host path a --from source reads ('-' for stdin). */
export function sourcePath (src: string): string {
  return ociSource(src)?.path ?? src
}

/** Whether a --from source is a host directory (an OCI layout is not: it is an image). */
export async function isDir (src: string): Promise<boolean> {
  return src !== '-' && ociSource(src) === null && (await fs.promises.stat(src)).isDirectory()
}

/** --platform and --whiteouts, for the commands that read container images. */
export const OCI_OPTIONS = { platform: { type: 'string' }, whiteouts: { type: 'string' } } as const
export const OCI_HELP = `      --platform P    the image of a multi-platform container image to read:
                      os/arch[/variant] (default: the host's, linux/amd64)
      --whiteouts M   container image whiteouts: apply (default: remove what
                      they name), overlay (store them the overlayfs way:
                      0/0 devices, trusted.overlay.opaque) or keep (.wh. files)`

/** --whiteouts checked (undefined when not given). */
export function whiteoutMode (v: unknown): WhiteoutMode | undefined {
  if (v === undefined) return undefined
  if (v !== 'apply' && v !== 'overlay' && v !== 'keep') throw new UsageError(`--whiteouts is apply, overlay or keep (got '${String(v)}')`)
  return v
}

/**
 * A --from source: a container image (ociLayers: progress per layer), a
 * directory (hostWalk) or a tar file / '-' (tarUnpack).
 */
export async function sourceEntries (src: string, progress?: Progress, oci: OciOptions = {}): Promise<EntryReadable | NodeJS.ReadableStream> {
  const image = ociSource(src)
  if (image) {
    const layers = ociLayers(image.path, { format: image.format, ref: image.ref, platform: oci.platform })
    if (progress) {
      layers.on('layer', (l: unknown) => { const i = l as LayerInfo; progress.relabel(`${src}: layer ${i.index + 1}/${i.count}`) })
      layers.on('progress', (n: unknown) => progress.add(n as number))
    }
    return layers as unknown as NodeJS.ReadableStream
  }
  if (await isDir(src)) return hostWalk(src) as unknown as NodeJS.ReadableStream
  // With --whiteouts a tar is a layer: its .wh. names are marks.
  return tarEntries(src, progress, { whiteouts: oci.whiteouts !== undefined })
}

/** What --platform and --whiteouts said. */
export interface OciOptions { platform?: string, whiteouts?: WhiteoutMode }

/** The writer options for one --from source: a container image's layers are merged ('apply' by default). */
export function sourceWriterOptions (src: string, base: WriterOptions, oci: OciOptions): WriterOptions {
  const whiteouts = oci.whiteouts ?? (ociSource(src) ? 'apply' : undefined)
  return whiteouts ? { ...base, whiteouts } : base
}

/** Stdin copied to a temp file (to read it twice); returns the path. */
export async function spoolStdin (): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lkl-stdin-'))
  const file = path.join(dir, 'input')
  await pipeline(process.stdin, fs.createWriteStream(file))
  return file
}

/**
 * Writer options for an image. What its filesystem cannot hold the writer
 * drops and counts itself (lib/tree/fs-capabilities.ts); `skip` is
 * --skip-unsupported.
 */
export function writerOptions (keepAttrs = true, skip = false): WriterOptions {
  return { overwrite: true, owners: keepAttrs, xattrs: keepAttrs, lenientXattrs: true, unsupported: skip ? 'skip' : 'error' }
}

/** --skip-unsupported, for the commands that write into images. */
export const SKIP_UNSUPPORTED = { 'skip-unsupported': { type: 'boolean' } } as const
export const SKIP_UNSUPPORTED_HELP = `      --skip-unsupported  skip entries the filesystem cannot hold (symlinks,
                          devices, ... on vfat/exfat) instead of failing`

/**
 * The one summary warning of what an image's filesystem could not hold
 * (counts per kind), on stderr; nothing when nothing was dropped.
 */
export function warnDropped (command: string, image: string, img: Image, dropped: Dropped): void {
  const line = describeDropped(img.type, dropped)
  if (line) process.stderr.write(`lkl ${command}: warning: ${image}: ${line}\n`)
}

/**
 * Drain an entry stream, handing each entry to `fn`. Content is read and
 * dropped (a tar's bytes must be consumed), or with `skip` destroyed
 * unread (a host walk opens files lazily).
 */
export async function eachEntry (entries: EntryReadable | NodeJS.ReadableStream, fn: (e: Entry) => void, skip = false): Promise<void> {
  for await (const e of entries as AsyncIterable<Entry>) {
    fn(e)
    const c = e.content as unknown as { resume? (): void, destroy? (): void } | undefined
    if (c && skip) {
      c.destroy?.()
    } else if (c) {
      // Content must be consumed before the next entry comes.
      await new Promise<void>((resolve, reject) => {
        const s = c as unknown as NodeJS.ReadableStream & { destroyed?: boolean }
        s.on('end', resolve)
        s.on('close', resolve)
        s.on('error', reject)
        s.resume()
      })
    }
  }
}
