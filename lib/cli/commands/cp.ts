// SPDX-License-Identifier: GPL-2.0-only
// lkl cp [-r] [-a] SRC... DST: host <-> image <-> image.

import * as fs from 'fs'
import * as path from 'path'
import * as posix from 'path/posix'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { systemError } from '../../errors'
import { errno } from '../../native'
import { anySpec, Spec } from '../spec'
import { imageWalk, imageWriter, hostWalk, hostWriter, transforms, copyIn, copyOut } from '../../index'
import type { Entry } from '../../index'
import { fsCapabilities, addDropped, Dropped } from '../../tree/fs-capabilities'
import type { ImageWriter } from '../../tree/image-writer'
import { entryTransforms } from '../transforms'
import { Progress } from '../progress'
import { counter } from '../count'
import { runPipeline } from '../pipeline'
import { writerOptions, warnDropped, SKIP_UNSUPPORTED, SKIP_UNSUPPORTED_HELP } from '../sources'
import type { Context } from '../context'

interface Kind { exists: boolean, dir: boolean }

/** What one cp run left out: special files omitted, what the destination's filesystem dropped. */
interface Report { omitted: number, dropped: Dropped }

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
SRCs, DST must be a directory; a DST ending in '/' must be an existing
directory (for a file SRC). Without -a, like GNU cp -r: content,
symlinks and times; modes without setuid/setgid (sticky kept on
directories) and under the umask; owned by the user running lkl; special
files (devices, fifos, sockets) are omitted with a message (exit status 1).
With -a: every attribute (owners, modes, ns times, xattrs, ACLs, devices,
hardlinks).
  -r, --recursive   copy directories recursively
  -a, --archive     keep every attribute and special files (implies -r)
${SKIP_UNSUPPORTED_HELP}`,
  options: {
    recursive: { type: 'boolean', short: 'r' },
    archive: { type: 'boolean', short: 'a' },
    ...SKIP_UNSUPPORTED
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
    const report: Report = { omitted: 0, dropped: {} }
    for (const src of specs) {
      const sk = await kindOf(ctx, src, false)
      if (!sk.exists) {
        const e = Object.assign(new Error(`ENOENT: no such file or directory, stat '${src.path}'`), { code: 'ENOENT', path: src.path })
        throw tagImage(e, src.image)
      }
      if (sk.dir && !recursive) throw new UsageError(`-r not specified; omitting directory '${src.arg}'`)
      // Like coreutils: DST/ names a directory; a file is never made under that name.
      if (!dk.dir && (dk.exists || !sk.dir) && /\/$/.test(dst.path)) throw tagImage(systemError(-errno.ENOTDIR, 'open', dst.path), dst.image)
      const target = dk.dir ? join(dst, base(src)) : dst
      await copy(ctx, src, target, { archive, skip: v['skip-unsupported'] === true }, report)
    }
    if (dst.image) warnDropped('cp', dst.image, await ctx.image(dst.image, true), report.dropped)
    // Like GNU cp omitting a directory without -r: the rest is copied, the
    // status says something was left out.
    return report.omitted > 0 ? 1 : 0
  }
}

const SPECIAL: Record<string, string> = { char: 'character device', block: 'block device', fifo: 'fifo', socket: 'socket' }

/** The source path of an entry of the walk of `src`, as the user writes it. */
function shownPath (src: Spec, rel: string): string {
  if (rel === '.') return src.arg
  return src.image ? `${src.image}:${posix.join(posix.resolve('/', src.path), rel)}` : path.join(src.path, rel)
}

/**
 * Without -a, special files are not copied (a device node of the image's
 * could open a disk of the host's): one line each on stderr, counted in
 * `report.omitted`.
 */
function omitSpecial (src: Spec, report: Report): NodeJS.ReadWriteStream {
  return transforms.filter((e: Entry) => {
    const kind = SPECIAL[e.type]
    if (kind === undefined) return true
    report.omitted++
    process.stderr.write(`lkl cp: omitting the ${kind} '${shownPath(src, e.path)}' (-a copies special files)\n`)
    return false
  })
}

/**
 * A plain file between the host and an image, with no entry options: the
 * native copy (lkl.copyIn / lkl.copyOut), then the mode and times.
 */
async function copyFile (ctx: Context, src: Spec, target: Spec): Promise<boolean> {
  if (!src.image === !target.image || ctx.g.exclude.length || ctx.g.strip !== undefined || ctx.g.ownerMap !== undefined || ctx.g.reproducible) return false
  const umask = transforms.processUmask()
  if (src.image) {
    const img = await ctx.image(src.image, false)
    const st = await img.fs.promises.lstat(src.path, { bigint: true })
    if (!st.isFile()) return false
    try {
      await copyOut(img, src.path, target.path, { mode: transforms.plainCopyMode('file', Number(st.mode), umask) })
    } catch (e) {
      throw tagImage(e, src.image)
    }
    await fs.promises.utimes(target.path, Number(st.atimeNs) / 1e9, Number(st.mtimeNs) / 1e9)
  } else {
    const st = await fs.promises.lstat(src.path, { bigint: true })
    if (!st.isFile()) return false
    const img = await ctx.image(target.image!, true)
    const mode = transforms.plainCopyMode('file', Number(st.mode), umask)
    try {
      await copyIn(src.path, img, target.path, { mode })
      // Made by the kernel as root; owned like GNU cp's copy: by the caller.
      const uid = process.getuid?.() ?? 0
      const gid = process.getgid?.() ?? 0
      if ((uid !== 0 || gid !== 0) && fsCapabilities(img.type).owners) await img.fs.promises.chown(target.path, uid, gid)
      await img.fs.promises.chmod(target.path, mode)
      await img.fs.promises.utimes(target.path, st.atimeNs, st.mtimeNs)
    } catch (e) {
      throw tagImage(e, target.image)
    }
  }
  return true
}

/**
 * Copy the tree at src to target (its parent must exist): one entry
 * pipeline. What it leaves out is added to `report`.
 */
async function copy (ctx: Context, src: Spec, target: Spec, o: { archive: boolean, skip: boolean }, report: Report): Promise<void> {
  const archive = o.archive
  if (!archive && await copyFile(ctx, src, target)) return
  const progress = new Progress(`cp ${src.arg}`)
  const walk = src.image
    ? imageWalk(await ctx.image(src.image, false), src.path, { xattrs: archive })
    : hostWalk(src.path, { xattrs: archive })
  const into = parent(target)
  const name = base(target)
  let writer
  let iw: ImageWriter | null = null
  if (target.image) {
    const img = await ctx.image(target.image, true)
    // Without -a the entries carry the caller's owner (noPreserve below).
    writer = iw = imageWriter(img, into.path, { ...writerOptions(archive, o.skip), owners: true })
  } else {
    writer = hostWriter(into.path, { overwrite: true, owners: archive, xattrs: archive, lenientXattrs: true })
  }
  walk.on('error', (e: unknown) => tagImage(e, src.image))
  writer.on('error', (e: unknown) => tagImage(e, target.image))
  const plain = archive ? [] : [omitSpecial(src, report), transforms.noPreserve()]
  try {
    await runPipeline(walk, [...plain, ...entryTransforms(ctx.g), transforms.prefix(name), counter(progress)], writer)
  } finally {
    progress.done()
  }
  if (iw) addDropped(report.dropped, iw.dropped)
}
