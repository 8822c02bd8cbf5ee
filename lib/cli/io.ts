// SPDX-License-Identifier: GPL-2.0-only
//
// File streams of an image, as Node streams for pipeline().

import type { Image } from '../index'

export function readStream (img: Image, p: string): NodeJS.ReadableStream {
  return img.createReadStream(p) as unknown as NodeJS.ReadableStream
}

export function writeStream (img: Image, p: string, opts: { mode?: number } = {}): NodeJS.WritableStream {
  return img.createWriteStream(p, opts) as unknown as NodeJS.WritableStream
}
