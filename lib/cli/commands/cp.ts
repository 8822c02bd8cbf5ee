// SPDX-License-Identifier: GPL-2.0-only
// lkl cp [-r] [-a] SRC... DST: host <-> image <-> image.

import * as fs from 'fs'
import * as path from 'path'
import * as posix from 'path/posix'
import { pipeline } from 'stream/promises'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { anySpec, Spec } from '../spec'
import { imageWalk, imageWriter, hostWalk, hostWriter, transforms, copyIn, copyOut } from '../../index'
import { entryTransforms } from '../transforms'
import { Progress } from '../progress'
import { counter } from '../count'
import { writerOptions } from '../sources'
import type { Context } from '../context'

interface Kind { exists: boolean, dir: boolean }

async function kindOf (ctx: Context, s: Spec, write: boolean): Promise<Kind> {
  try {
    const st = s.image ? await (await ctx.image(s.image, write)).fs.promises.stat(s.path) : await fs.promises.stat(s.path)
    return { exists: true, dir: st.isDirectory() }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { exists: false, dir: false }
    throw tagImage(e, s.image)
  }
}

const join = (s: Spec, name: string): Spec => ({ ...s, path: s.image ? posix.join(s.path, name) : path.join(s.path, name) })
const base = (s: Spec): string => (s.image ? posix.basename(posix.resolve('/', s.path)) : path.basename(path.resolve(s.path)))
const parent = (s: Spec): Spec => ({ ...s, path: s.image ? posix.dirname(posix.resolve('/', s.path)) : path.dirname(path.resolve(s.path)) })

export const cp: Command = {
  name: 'cp',
  summary: 'copy files and trees between the host and images',
  help: `Usage: lkl cp [-r] [-a] SRC... DST

Copy files (and with -r, directories) between host paths and image paths
(IMAGE:/path), in any direction, including image to image. With several
SRCs, DST must be a directory. Without -a: content, modes, symlinks and
times; with -a: every attribute (owners, ns times, xattrs, ACLs, devices,
hardlinks).
  -r, --recursive   copy directories recursively
  -a, --archive     keep every attribute (implies -r)`,
  options: {
    recursive: { type: 'boolean', short: 'r' },
    archive: { type: 'boolean', short: 'a' }
  },
  async run (ctx, args, v) {
    if (args.length < 2) throw new UsageError('missing argument: lkl cp SRC... DST')
    const archive = v.archive === true
    const recursive = archive || v.recursive === true
    const specs = args.map(anySpec)
    const dst = specs.pop()!
    if (!specs.some((s) => s.image) && !dst.image) throw new UsageError('no image path: write images as IMAGE:/path')
    // The destination image is opened writable first (sources may share it).
    const dk = await kindOf(ctx, dst, true)
    if (specs.length > 1 && !dk.dir) throw new UsageError(`target '${dst.arg}' is not a directory`)
    for (const src of specs) {
      const sk = await kindOf(ctx, src, false)
      if (!sk.exists) {
        const e = Object.assign(new Error(`ENOENT: no such file or directory, stat '${src.path}'`), { code: 'ENOENT', path: src.path })
        throw tagImage(e, src.image)
      }
      if (sk.dir && !recursive) throw new UsageError(`-r not specified; omitting directory '${src.arg}'`)
      const target = dk.dir ? join(dst, base(src)) : dst
      await copy(ctx, src, target, archive)
    }
  }
}

/**
 * A plain file between the host and an image, with no entry options: the
 * native copy (lkl.copyIn / lkl.copyOut), then the mode and times.
 */
async function copyFile (ctx: Context, src: Spec, target: Spec): Promise<boolean> {
  if (!src.image === !target.image || ctx.g.exclude.length || ctx.g.strip !== undefined || ctx.g.ownerMap !== undefined || ctx.g.reproducible) return false
  if (src.image) {
    const img = await ctx.image(src.image, false)
    const st = await img.fs.promises.lstat(src.path, { bigint: true })
    if (!st.isFile()) return false
    try {
      await copyOut(img, src.path, target.path, { mode: Number(st.mode) & 0o7777 })
    } catch (e) {
      throw tagImage(e, src.image)
    }
    await fs.promises.utimes(target.path, Number(st.atimeNs) / 1e9, Number(st.mtimeNs) / 1e9)
  } else {
    const st = await fs.promises.lstat(src.path, { bigint: true })
    if (!st.isFile()) return false
    const img = await ctx.image(target.image!, true)
    try {
      await copyIn(src.path, img, target.path, { mode: Number(st.mode) & 0o7777 })
      await img.fs.promises.chmod(target.path, Number(st.mode) & 0o7777)
      await img.fs.promises.utimes(target.path, st.atimeNs, st.mtimeNs)
    } catch (e) {
      throw tagImage(e, target.image)
    }
  }
  return true
}

/** Copy the tree at src to target (its parent must exist): one entry pipeline. */
async function copy (ctx: Context, src: Spec, target: Spec, archive: boolean): Promise<void> {
  if (!archive && await copyFile(ctx, src, target)) return
  const progress = new Progress(`cp ${src.arg}`)
  const walk = src.image
    ? imageWalk(await ctx.image(src.image, false), src.path, { xattrs: archive })
    : hostWalk(src.path, { xattrs: archive })
  const into = parent(target)
  const name = base(target)
  let writer
  if (target.image) {
    const img = await ctx.image(target.image, true)
    writer = imageWriter(img, into.path, writerOptions(img, archive))
  } else {
    writer = hostWriter(into.path, { overwrite: true, owners: archive, xattrs: archive, lenientXattrs: true })
  }
  walk.on('error', (e: unknown) => tagImage(e, src.image))
  writer.on('error', (e: unknown) => tagImage(e, target.image))
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(walk, ...entryTransforms(ctx.g), transforms.prefix(name), counter(progress), writer)
  } finally {
    progress.done()
  }
}
