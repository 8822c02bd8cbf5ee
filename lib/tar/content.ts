// SPDX-License-Identifier: GPL-2.0-only
//
// A file member's content: the Readable a tarUnpack entry carries, fed
// from the archive by the parser along the member's plan (sparse holes
// become zeroes). The parser waits while the content is full; reading or
// destroying it wakes the parser.

import { Readable } from 'streamx'
import { LklError } from '../errors'
import { ByteQueue } from './byte-queue'
import { PlanOp } from './sparse'

const ZERO = Buffer.alloc(1 << 20)

class Content extends Readable {
  private _wake: () => void
  constructor (wake: () => void) {
    super({ highWaterMark: 1 << 20, byteLength: (b: Buffer) => b.byteLength })
    this._wake = wake
    // Errors also reach the tar stream; an unread content must not crash.
    this.on('error', () => {})
  }

  override _read (cb: (err: Error | null) => void): void {
    cb(null)
    this._wake()
  }

  override _destroy (cb: (err: Error | null) => void): void {
    cb(null)
    this._wake()
  }
}

/** What feeding stopped for: input needed, the content is full, more to do, or the plan is done. */
export type FeedResult = 'input' | 'full' | 'more' | 'end'

export class ContentFeed {
  readonly stream: Readable
  /** Archive bytes of the member not yet consumed. */
  left: number
  plan: PlanOp[] = []
  private _path: string

  constructor (archiveSize: number, path: string, wake: () => void) {
    this.stream = new Content(wake)
    this.left = archiveSize
    this._path = path
  }

  /** Push the next piece of content (at most one chunk). */
  feed (bytes: ByteQueue): FeedResult {
    const c = this.stream
    if (c.destroyed) {
      // The consumer does not want this content: drop the rest.
      this.plan = []
    }
    const op = this.plan[0]
    if (!op) {
      c.push(null)
      return 'end'
    }
    if (c.destroying) return 'full'
    let more: boolean
    if ('zero' in op) {
      const n = Math.min(op.zero, ZERO.length)
      op.zero -= n
      if (op.zero === 0) this.plan.shift()
      more = c.push(ZERO.subarray(0, n))
    } else {
      if (bytes.length === 0) return 'input'
      if (op.data > this.left) throw LklError.tarInvalid(`Invalid sparse data for '${this._path}'`, this._path)
      const b = bytes.takeSome(op.data)
      op.data -= b.byteLength
      this.left -= b.byteLength
      if (op.data === 0) this.plan.shift()
      more = c.push(b)
    }
    return more ? 'more' : 'full'
  }
}
