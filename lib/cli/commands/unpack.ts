// SPDX-License-Identifier: GPL-2.0-only
// lkl unpack IMAGE[:/dir] [TARFILE|-]: a tar (maybe compressed) into an image.

import { Command, arity } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'
import { imageWriter } from '../../index'
import { entryTransforms } from '../transforms'
import { Progress } from '../progress'
import { counter } from '../count'
import { runPipeline } from '../pipeline'
import { tarEntries, writerOptions, warnDropped, SKIP_UNSUPPORTED, SKIP_UNSUPPORTED_HELP } from '../sources'

export const unpack: Command = {
  name: 'unpack',
  summary: 'extract a tar (stdin by default) into an image',
  help: `Usage: lkl unpack IMAGE[:/dir] [TARFILE|-]

Extract a tar into an image (or into a directory of it, made if missing),
from TARFILE or standard input. gzip, xz, zstd and bzip2 input is detected
and decompressed. Every attribute the tar carries is applied (numeric
owners, modes, ns times, xattrs, ACLs, devices, hardlinks) that the
filesystem can hold; one warning counts what it cannot (owners, setuid and
sticky bits on vfat/exfat). Existing files are replaced.
${SKIP_UNSUPPORTED_HELP}`,
  options: { ...SKIP_UNSUPPORTED },
  async run (ctx, args, v) {
    arity(args, 1, 2, 'lkl unpack IMAGE[:/dir] [TARFILE|-]')
    const src = args[1] ?? '-'
    if (src === '-' && process.stdin.isTTY) throw new UsageError('refusing to read a tar from a terminal; give TARFILE or redirect stdin')
    const spec = imageSpec(args[0])
    const img = await ctx.image(spec.image!, true)
    const progress = new Progress(`unpack ${spec.image}`)
    try {
      await img.fs.promises.mkdir(spec.path, { recursive: true })
      const entries = await tarEntries(src, progress)
      const writer = imageWriter(img, spec.path, writerOptions(true, v['skip-unsupported'] === true))
      await runPipeline(entries, [...entryTransforms(ctx.g), counter(progress, false)], writer)
      progress.done()
      warnDropped('unpack', spec.image!, img, writer.dropped)
    } catch (e) {
      throw tagImage(e, spec.image)
    } finally {
      progress.done()
    }
  }
}
