// SPDX-License-Identifier: GPL-2.0-only
//
// Tree sources and sinks named on the command line: a tar file (maybe
// compressed) or stdin, a host directory, or an image directory.

import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { pipeline } from 'stream/promises'
import { PassThrough, Transform, Readable, pipeline as streamPipeline } from 'stream'
import { tarUnpack, hostWalk } from '../index'
import type { Entry, Image, WriterOptions } from '../index'
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

/** Entries from a tar file or '-'. */
export async function tarEntries (file: string, progress?: Progress): Promise<NodeJS.ReadableStream> {
  const { stream: bytes, codec } = await tarInput(file, progress)
  // The tar's own errors end the entry stream (and with it the pipeline).
  if (!codec) return chain(bytes, tarUnpack())
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
  return chain(guarded, tarUnpack(), track)
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

/** Whether a --from source is a host directory. */
export async function isDir (src: string): Promise<boolean> {
  return src !== '-' && (await fs.promises.stat(src)).isDirectory()
}

/** A --from source: a directory (hostWalk) or a tar file / '-' (tarUnpack). */
export async function sourceEntries (src: string, progress?: Progress): Promise<EntryReadable | NodeJS.ReadableStream> {
  if (await isDir(src)) return hostWalk(src)
  return tarEntries(src, progress)
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
