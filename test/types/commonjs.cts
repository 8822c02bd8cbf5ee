// SPDX-License-Identifier: GPL-2.0-only
// The CommonJS flavour (`const lkl = require('lkl')` in TypeScript) and the
// docs' mkfs example, with stream's callback pipeline.

import lkl = require('lkl')
import fs = require('fs')
import stream = require('stream')
import { pipeline } from 'stream/promises'

export async function build (): Promise<void> {
  const usage = new lkl.Usage()
  for await (const e of lkl.hostWalk('rootfs')) { usage.add(e); e.content?.destroy() }
  const made = await lkl.mkfs('out.img', { type: 'ext4', size: 'auto', usage, partition: 'gpt' })
  const img = await lkl.open('out.img', { partition: made.partition, mountOptions: made.mountOptions })
  await pipeline(lkl.hostWalk('rootfs'), img.writer('/'))
  await img.close()
  await made.finalize()
}

export function pack (img: lkl.Image, done: (err: Error | null) => void): void {
  stream.pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream('out.tar'), done)
}
