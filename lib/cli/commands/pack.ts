// SPDX-License-Identifier: GPL-2.0-only
// lkl pack IMAGE[:/dir] [TARFILE|-]: the tree as a pax tar.

import * as fs from 'fs'
import { Command, arity } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'
import { imageWalk, tarPack } from '../../index'
import { entryTransforms } from '../transforms'
import { Codec, compressor } from '../compress'
import { Progress } from '../progress'
import { counter } from '../count'
import { runPipeline } from '../pipeline'

const BY_EXT: Array<[RegExp, Codec]> = [[/\.(tgz|gz)$/, 'gzip'], [/\.(txz|xz)$/, 'xz'], [/\.(tzst|zst)$/, 'zstd'], [/\.(tbz2|tbz|bz2)$/, 'bzip2']]

const UNWRITTEN = /\.(lz|lzma|lz4|lzo|Z|tlz|taz|tz)$/

export const pack: Command = {
  name: 'pack',
  summary: 'write the tree of an image as a tar (stdout by default)',
  help: `Usage: lkl pack [--gzip|--xz|--zstd|--bzip2] [--no-sparse] IMAGE[:/dir] [TARFILE|-]

Write the tree of an image (or of a directory in it) as a pax tar with every
attribute (owners, modes, ns times, xattrs, ACLs, devices, hardlinks), to
TARFILE or standard output. Files with holes are GNU sparse members (only
their data is stored; GNU tar and bsdtar restore the holes). The codec is
also chosen from TARFILE's extension (.gz/.tgz, .xz/.txz, .zst/.tzst,
.bz2/.tbz2).
  -z, --gzip        compress with gzip
  -J, --xz          compress with xz (host xz)
      --zstd        compress with zstd (host zstd)
  -j, --bzip2       compress with bzip2 (host bzip2)
      --no-sparse   store files with holes whole (holes as zeroes)`,
  options: {
    gzip: { type: 'boolean', short: 'z' },
    xz: { type: 'boolean', short: 'J' },
    zstd: { type: 'boolean' },
    bzip2: { type: 'boolean', short: 'j' },
    'no-sparse': { type: 'boolean' }
  },
  async run (ctx, args, v) {
    arity(args, 1, 2, 'lkl pack IMAGE[:/dir] [TARFILE|-]')
    const codecs = (['gzip', 'xz', 'zstd', 'bzip2'] as const).filter((c) => v[c] === true)
    if (codecs.length > 1) throw new UsageError('choose one of --gzip, --xz, --zstd, --bzip2')
    const dest = args[1] ?? '-'
    let codec: Codec | undefined = codecs[0]
    if (!codec && dest !== '-') codec = BY_EXT.find(([re]) => re.test(dest))?.[1]
    // Never a plain tar under the name of a codec we do not write.
    if (!codec && dest !== '-' && UNWRITTEN.test(dest)) throw new UsageError(`cannot write the compression '${UNWRITTEN.exec(dest)![0]}' names; use .gz, .xz, .zst, .bz2 or .tar`)
    if (dest === '-' && process.stdout.isTTY) throw new UsageError('refusing to write a tar to a terminal; give TARFILE or redirect stdout')
    const spec = imageSpec(args[0])
    const img = await ctx.image(spec.image!, false)
    const progress = new Progress(`pack ${spec.image}`)
    if (progress.enabled && spec.path === '/') {
      const s = await img.statfs().catch(() => null)
      if (s) progress.total = (Number(s.blocks) - Number(s.bfree)) * s.bsize
    }
    const walk = imageWalk(img, spec.path)
    const out = dest === '-' ? process.stdout : fs.createWriteStream(dest)
    const stages: NodeJS.ReadWriteStream[] = [...entryTransforms(ctx.g), counter(progress), tarPack({ sparse: v['no-sparse'] !== true })]
    if (codec) stages.push(compressor(codec))
    walk.on('error', (e: unknown) => tagImage(e, spec.image))
    try {
      await runPipeline(walk, stages, out, { end: dest !== '-' })
    } catch (e) {
      if (dest !== '-') await fs.promises.rm(dest, { force: true })
      throw tagImage(e, spec.image)
    } finally {
      progress.done()
    }
  }
}
