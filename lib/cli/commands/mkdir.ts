// SPDX-License-Identifier: GPL-2.0-only
// lkl mkdir [-p] [-m MODE] IMAGE:/path...

import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'

export const mkdir: Command = {
  name: 'mkdir',
  summary: 'make directories in an image',
  help: `Usage: lkl mkdir [-p] [-m MODE] IMAGE:/path...

Make directories inside an image.
  -p, --parents     make parent directories as needed; no error if it exists
  -m, --mode MODE   permissions (octal, default 755)`,
  options: {
    parents: { type: 'boolean', short: 'p' },
    mode: { type: 'string', short: 'm' }
  },
  async run (ctx, args, v) {
    if (args.length === 0) throw new UsageError('missing argument: IMAGE:/path')
    const m = v.mode as string | undefined
    if (m !== undefined && !/^[0-7]{1,4}$/.test(m)) throw new UsageError(`--mode must be octal (got '${m}')`)
    const mode = m === undefined ? 0o755 : parseInt(m, 8)
    for (const a of args) {
      const spec = imageSpec(a)
      const img = await ctx.image(spec.image!, true)
      try {
        await img.fs.promises.mkdir(spec.path, { recursive: v.parents === true, mode })
        if (m !== undefined) await img.fs.promises.chmod(spec.path, mode)
      } catch (e) {
        throw tagImage(e, spec.image)
      }
    }
  }
}
