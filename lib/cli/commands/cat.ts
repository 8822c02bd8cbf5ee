// SPDX-License-Identifier: GPL-2.0-only
// lkl cat IMAGE:/path...

import { once } from 'events'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'

export const cat: Command = {
  name: 'cat',
  summary: 'write files of an image to stdout',
  help: `Usage: lkl cat IMAGE:/path...

Write the contents of files inside an image to standard output.`,
  options: {},
  async run (ctx, args) {
    if (args.length === 0) throw new UsageError('missing argument: IMAGE:/path')
    for (const a of args) {
      const spec = imageSpec(a)
      const img = await ctx.image(spec.image!, false)
      try {
        // stdout stays open for the next file: write with backpressure, no end().
        for await (const chunk of img.createReadStream(spec.path) as AsyncIterable<Buffer>) {
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
        }
      } catch (e) {
        throw tagImage(e, spec.image)
      }
    }
  }
}
