// SPDX-License-Identifier: GPL-2.0-only
//
// Piping a host file into an image file (or back) with plain streams:
//   fs.createReadStream(host).pipe(img.createWriteStream(p))
//   img.createReadStream(p).pipe(fs.createWriteStream(host))
// (or the same through stream.pipeline) moves the bytes in C with the host
// library's copy loop instead of chunk by chunk through JS. The image stream
// recognises the host end when the pipe is made, before any byte moved, and
// only when the host end is a regular file; anything else (a pipe, a socket,
// a stream that already started) takes the ordinary path.

import * as fs from 'fs'

/** What the image stream needs of the host file it copies from or to. */
export interface HostEnd {
  path: string | Buffer
  /** First byte (read side) or write position (-1: the fd's position). */
  start: number
  /** Last byte, inclusive (read side; Infinity: to the end). */
  end: number
}

function isRegularFile (p: string | Buffer): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

/** An fs.ReadStream of a regular file that has not read anything yet. */
export function hostReadSource (src: unknown): HostEnd | null {
  if (!(src instanceof fs.ReadStream)) return null
  const s = src as fs.ReadStream & { start?: number, end?: number, readableFlowing: boolean | null }
  if (s.bytesRead !== 0 || s.readableLength !== 0 || s.destroyed || s.readableEnded) return null
  if (typeof s.path !== 'string' && !Buffer.isBuffer(s.path)) return null
  if (!isRegularFile(s.path)) return null
  return { path: s.path, start: s.start ?? 0, end: s.end ?? Infinity }
}

/** An fs.WriteStream to a regular file (or a new one) with nothing written. */
export function hostWriteSink (dest: unknown): (HostEnd & { stream: fs.WriteStream }) | null {
  if (!(dest instanceof fs.WriteStream)) return null
  const d = dest as fs.WriteStream & { pos?: number }
  if (d.bytesWritten !== 0 || d.writableLength !== 0 || d.destroyed || d.writableEnded) return null
  if (typeof d.path !== 'string' && !Buffer.isBuffer(d.path)) return null
  if (fs.existsSync(d.path) && !isRegularFile(d.path)) return null
  return { path: d.path, start: d.pos ?? -1, end: Infinity, stream: d }
}

/** The host fd of an fs.WriteStream, once it has opened. */
export function hostFd (stream: fs.WriteStream): Promise<number> {
  const fd = (stream as unknown as { fd: number | null }).fd
  if (typeof fd === 'number') return Promise.resolve(fd)
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => { stream.off('ready', onReady); reject(err) }
    const onReady = (): void => { stream.off('error', onError); resolve((stream as unknown as { fd: number }).fd) }
    stream.once('ready', onReady)
    stream.once('error', onError)
  })
}
