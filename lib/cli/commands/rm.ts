// SPDX-License-Identifier: GPL-2.0-only
// lkl rm [-r] [-f] IMAGE:/path...

import * as posix from 'path/posix'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'

export const rm: Command = {
  name: 'rm',
  summary: 'remove files or directories from an image',
  help: `Usage: lkl rm [-r] [-f] IMAGE:/path...

Remove files (and with -r, directories and their contents) inside an image.
  -r, --recursive   remove directories and their contents
  -f, --force       ignore paths that do not exist`,
  options: {
    recursive: { type: 'boolean', short: 'r' },
    force: { type: 'boolean', short: 'f' }
  },
  async run (ctx, args, v) {
    if (args.length === 0) throw new UsageError('missing argument: IMAGE:/path')
    for (const a of args) {
      const spec = imageSpec(a)
      if (posix.resolve('/', spec.path) === '/') throw new UsageError(`refusing to remove the root of '${spec.image}'`)
      const img = await ctx.image(spec.image!, true)
      try {
        await img.fs.promises.rm(spec.path, { recursive: v.recursive === true, force: v.force === true })
      } catch (e) {
        // node:fs's message for this names rm's option, not the command's.
        if ((e as { code?: string }).code === 'ERR_FS_EISDIR') (e as Error).message = `cannot remove '${spec.path}': is a directory (use -r)`
        throw tagImage(e, spec.image)
      }
    }
  }
}
