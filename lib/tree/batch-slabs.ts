// SPDX-License-Identifier: GPL-2.0-only
//
// The small files' contents of imageWriter's batches, copied into two
// buffers the writer owns and reuses: one for the batch being collected,
// one for the batch the kernel is applying. Why: an entry's content is
// usually a slice of a large input chunk (tarUnpack hands out subarrays of
// the 1 MiB reads), and a batch held the whole chunk alive until the kernel
// had applied it. Held that long, the chunks outlived V8's young-generation
// collections, were promoted, and piled up as old garbage until a full GC
// (tar -> image of a rootfs: ~70 MiB of ArrayBuffers at the peak). Copied
// here, a chunk dies young and the next scavenge frees it.
//
// The caller guarantees the ping-pong: the slab of a batch is reused only
// after that batch's native call has finished (ImageWriter._flush waits for
// the batch in flight before it starts the next one).

export class BatchSlabs {
  private _slabs: Buffer[] = []
  private _cur = 0
  private _used = 0
  private readonly _size: number

  constructor (size: number) {
    this._size = size
  }

  /** Bytes used in the current slab. */
  get used (): number {
    return this._used
  }

  /** Whether `n` more bytes fit in the current slab. */
  fits (n: number): boolean {
    return this._used + n <= this._size
  }

  /** Whether a content of `n` bytes is copied at all (larger ones keep their own buffer). */
  takes (n: number): boolean {
    return n > 0 && n <= this._size
  }

  /** A copy of `data` in the current slab (the caller checked fits()). */
  copy (data: Buffer): Buffer {
    let slab = this._slabs[this._cur]
    if (!slab) slab = this._slabs[this._cur] = Buffer.allocUnsafeSlow(this._size)
    const at = this._used
    data.copy(slab, at)
    this._used += data.byteLength
    return slab.subarray(at, at + data.byteLength)
  }

  /** The current batch was handed to the kernel: the next one fills the other slab. */
  next (): void {
    this._cur ^= 1
    this._used = 0
  }
}
