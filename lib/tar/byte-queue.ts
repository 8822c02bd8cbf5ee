// SPDX-License-Identifier: GPL-2.0-only
//
// The input side of tarUnpack: written chunks queued as they came, taken
// off the front in the sizes the parser asks for. Copies only when a
// request spans chunks.

export class ByteQueue {
  /** Bytes queued. */
  length = 0
  /** Bytes taken since the start (the archive offset of the next byte). */
  consumed = 0
  private _chunks: Buffer[] = []

  push (chunk: Buffer): void {
    this._chunks.push(chunk)
    this.length += chunk.byteLength
  }

  /** Exactly `n` bytes (n <= length). */
  take (n: number): Buffer {
    this.length -= n
    this.consumed += n
    const first = this._chunks[0]
    if (first.byteLength === n) { this._chunks.shift(); return first }
    if (first.byteLength > n) { this._chunks[0] = first.subarray(n); return first.subarray(0, n) }
    const out = Buffer.allocUnsafe(n)
    let off = 0
    while (off < n) {
      const c = this._chunks[0]
      const k = Math.min(c.byteLength, n - off)
      c.copy(out, off, 0, k)
      off += k
      if (k === c.byteLength) this._chunks.shift()
      else this._chunks[0] = c.subarray(k)
    }
    return out
  }

  /** Up to `n` bytes without copying (the first chunk's share); length must be > 0. */
  takeSome (n: number): Buffer {
    return this.take(Math.min(n, this._chunks[0].byteLength))
  }

  /** Drop everything queued (the bytes after the end-of-archive block). */
  clear (): void {
    this.consumed += this.length
    this.length = 0
    this._chunks = []
  }
}
