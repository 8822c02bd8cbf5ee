// SPDX-License-Identifier: GPL-2.0-only
//
// A big file's content into a kernel fd (imageWriter): gathered into large
// chunks, each written with one call per run of non-zero 64 KiB blocks, so
// all-zero blocks stay holes; the file's length is then set to what came.
// After each chunk the file's writeback is started in order (native
// writeBack), so the disk sees it front to back: a kill mid-file leaves a
// prefix of it, never a full-size file with ranges of zeros. The chunks
// already written back are then dropped from the kernel's cache, and the
// last one at the end (drop-behind: native/batch_apply.cc says why).
// Calls native directly: the caller holds the image for the whole file
// (ImageWriter._bigFile), so img.close() waits for it.

import { native } from '../native'
import { systemError } from '../errors'

/** The chunk size: writeSparse's buffer (callers may pass one of their own to reuse). */
export const SPARSE_CHUNK = 4 << 20
const CHUNK = SPARSE_CHUNK
const SPARSE_BLOCK = 64 * 1024
const ZERO = Buffer.alloc(SPARSE_BLOCK)

function isZero (buf: Buffer, from: number, to: number): boolean {
  return buf.compare(ZERO, 0, to - from, from, to) === 0
}

/**
 * Write all of `content` at offset 0 of `fd`; errors name `name` (the entry
 * as shown). `buf` (SPARSE_CHUNK bytes, free until this returns) saves a
 * fresh 4 MiB buffer per file: each would live as long as its file's write
 * and so outlive V8's young generation.
 */
export async function writeSparse (fd: number, content: AsyncIterable<Buffer> | undefined, name: string, buf: Buffer = Buffer.allocUnsafe(CHUNK)): Promise<void> {
  let pos = 0
  let fill = 0
  // Write the non-zero 64 KiB runs of the buffer; zero runs stay holes.
  const put = async (): Promise<void> => {
    for (let at = 0; at < fill;) {
      let end = at
      while (end < fill && !isZero(buf, end, Math.min(end + SPARSE_BLOCK, fill))) end = Math.min(end + SPARSE_BLOCK, fill)
      for (let off = at; off < end;) {
        const n = await native.write(fd, buf, off, end - off, pos + off)
        if (n < 0) throw systemError(n, 'write', name)
        off += n
      }
      at = end
      while (at < fill && isZero(buf, at, Math.min(at + SPARSE_BLOCK, fill))) at = Math.min(at + SPARSE_BLOCK, fill)
    }
    pos += fill
    fill = 0
    const w = await native.writeBack(fd, pos)
    if (w < 0) throw systemError(w, 'sync_file_range', name)
    // The chunks before this one are written back now: drop their pages
    // from the kernel's cache (imageWriter's drop-behind, native/batch_apply.cc).
    await native.dropCache(fd)
  }
  if (content) {
    for await (const chunk of content) {
      for (let off = 0; off < chunk.byteLength;) {
        const n = Math.min(CHUNK - fill, chunk.byteLength - off)
        chunk.copy(buf, fill, off, off + n)
        fill += n
        off += n
        if (fill === CHUNK) await put()
      }
    }
  }
  await put()
  const t = await native.ftruncate(fd, pos)
  if (t < 0) throw systemError(t, 'ftruncate', name)
  // And the last chunk's, once its writeback (started by put) is done.
  const w = await native.writeBack(fd, pos)
  if (w < 0) throw systemError(w, 'sync_file_range', name)
  await native.dropCache(fd)
}
