// SPDX-License-Identifier: GPL-2.0-only
//
// Compressed tar streams: gzip through zlib, xz/zstd/bzip2 through the host
// binaries as child processes in the pipeline. Input is detected by magic.

import { spawn } from 'child_process'
import { Duplex, PassThrough, Readable } from 'stream'
import * as zlib from 'zlib'
import { LklError } from '../errors'

export type Codec = 'gzip' | 'xz' | 'zstd' | 'bzip2'

const PACKAGES: Record<string, string> = { xz: 'xz-utils', zstd: 'zstd', bzip2: 'bzip2' }

/** The codec of a stream from its first bytes, or null for plain data. */
export function detect (head: Buffer): Codec | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz'
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2'
  return null
}

/** A host binary as a Duplex: bytes in on stdin, out on stdout; exit status checked. */
function child (bin: string, args: string[]): Duplex {
  const out = new PassThrough()
  const proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString() })
  proc.stdout.pipe(out, { end: false })
  const d = Duplex.from({ writable: proc.stdin, readable: out })
  proc.stdin.on('error', () => {}) // EPIPE when the tool exits early: its status tells
  proc.on('error', (e: NodeJS.ErrnoException) => {
    const pkg = PACKAGES[bin] ?? bin
    d.destroy(e.code === 'ENOENT' ? LklError.toolMissing(bin, pkg) : e)
  })
  proc.on('close', (code) => {
    if (code === 0) out.end()
    else d.destroy(LklError.toolFailed(`${bin} ${args.join(' ')}`, '', stderr.trim().split('\n').pop() || `exit code ${code}`))
  })
  d.on('close', () => { if (proc.exitCode === null) proc.kill() })
  return d
}

/** A compressing transform for `codec`. */
export function compressor (codec: Codec): Duplex {
  switch (codec) {
    case 'gzip': return zlib.createGzip()
    case 'xz': return child('xz', ['-c', '-z'])
    case 'zstd': return child('zstd', ['-c', '-q'])
    case 'bzip2': return child('bzip2', ['-c', '-z'])
  }
}

/** A decompressing transform for `codec`. */
export function decompressor (codec: Codec): Duplex {
  switch (codec) {
    case 'gzip': return zlib.createGunzip()
    case 'xz': return child('xz', ['-d', '-c'])
    case 'zstd': return child('zstd', ['-d', '-c', '-q'])
    case 'bzip2': return child('bzip2', ['-d', '-c'])
  }
}

/**
 * The first bytes of `input` (at least 6, enough for every magic detect()
 * knows, unless the input is shorter), and a stream of all of it.
 */
export async function sniff (input: Readable): Promise<{ head: Buffer, stream: Readable }> {
  const it = input[Symbol.asyncIterator]()
  let head = Buffer.alloc(0)
  let done = false
  while (head.length < 6) {
    const r = await it.next()
    if (r.done) { done = true; break }
    head = Buffer.concat([head, Buffer.from(r.value)])
  }
  const stream = Readable.from((async function * () {
    if (head.length) yield head
    if (done) return
    for (;;) {
      const r = await it.next()
      if (r.done) return
      yield r.value as Buffer
    }
  })(), { objectMode: false })
  return { head, stream }
}

/** Plain bytes from `input`, decompressed if its magic says so. */
export async function autoDecompress (input: Readable): Promise<{ stream: Readable, codec: Codec | null }> {
  const { head, stream: rest } = await sniff(input)
  const codec = detect(head)
  if (!codec) return { stream: rest, codec }
  const d = decompressor(codec)
  rest.on('error', (e) => d.destroy(e))
  rest.pipe(d)
  return { stream: d, codec }
}
