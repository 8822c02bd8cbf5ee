// SPDX-License-Identifier: GPL-2.0-only
// lkl rm [-r] [-f] IMAGE:/path...

import * as posix from 'path/posix'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'
import type { Image } from '../../index'

async function remove (img: Image, p: string, recursive: boolean, force: boolean): Promise<void> {
  const fsp = img.fs.promises as typeof img.fs.promises & { rm?: (p: string, o: object) => Promise<void> }
  if (fsp.rm) return fsp.rm(p, { recursive, force })
  // Older builds without fs.rm: unlink, or rmdir after the children.
  let st
  try {
    st = await fsp.lstat(p)
  } catch (e) {
    if (force && (e as { code?: string }).code === 'ENOENT') return
    throw e
  }
  if (!st.isDirectory()) return fsp.unlink(p)
  if (!recursive) {
    const e = new Error(`EISDIR: is a directory, rm '${p}'`) as Error & { code: string }
    e.code = 'EISDIR'
    throw e
  }
  for (const n of await fsp.readdir(p) as string[]) await remove(img, posix.join(p, n), true, force)
  await fsp.rmdir(p)
}

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
        await remove(img, spec.path, v.recursive === true, v.force === true)
      } catch (e) {
        throw tagImage(e, spec.image)
      }
    }
  }
}
