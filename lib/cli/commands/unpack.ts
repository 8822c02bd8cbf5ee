// SPDX-License-Identifier: GPL-2.0-only
// lkl unpack IMAGE[:/dir] [TARFILE|-] | --from IMAGE: a tar (maybe compressed)
// or a container image's layers into an image.

import { Command, arity } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'
import { imageWriter } from '../../index'
import { entryTransforms } from '../transforms'
import { Progress } from '../progress'
import { counter } from '../count'
import { runPipeline } from '../pipeline'
import { tarEntries, sourceEntries, sourceWriterOptions, ociSource, whiteoutMode, writerOptions, warnDropped, SKIP_UNSUPPORTED, SKIP_UNSUPPORTED_HELP, OCI_OPTIONS, OCI_HELP, OciOptions } from '../sources'

export const unpack: Command = {
  name: 'unpack',
  summary: 'extract a tar (stdin by default) into an image',
  help: `Usage: lkl unpack IMAGE[:/dir] [TARFILE|-]
       lkl unpack IMAGE[:/dir] --from oci:DIR[:REF]|oci-archive:FILE[:REF]|docker-archive:FILE[:REF]

Extract a tar into an image (or into a directory of it, made if missing),
from TARFILE or standard input. gzip, xz, zstd and bzip2 input is detected
and decompressed. Every attribute the tar carries is applied (numeric
owners, modes, ns times, xattrs, ACLs, devices, hardlinks) that the
filesystem can hold; one warning counts what it cannot (owners, setuid and
sticky bits on vfat/exfat). Existing files are replaced.
With --from, the layers of a container image are merged in; with
--whiteouts, a tar is one such layer (its .wh. files are whiteouts).
  -f, --from IMAGE    a container image (see lkl create --help)
${OCI_HELP}
${SKIP_UNSUPPORTED_HELP}`,
  options: { from: { type: 'string', short: 'f' }, ...SKIP_UNSUPPORTED, ...OCI_OPTIONS },
  async run (ctx, args, v) {
    arity(args, 1, 2, 'lkl unpack IMAGE[:/dir] [TARFILE|-]')
    const from = v.from as string | undefined
    if (from !== undefined && (args[1] !== undefined || ociSource(from) === null)) throw new UsageError('--from takes a container image (oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF]) instead of TARFILE')
    const oci: OciOptions = { platform: v.platform as string | undefined, whiteouts: whiteoutMode(v.whiteouts) }
    const src = from ?? args[1] ?? '-'
    if (src === '-' && process.stdin.isTTY) throw new UsageError('refusing to read a tar from a terminal; give TARFILE or redirect stdin')
    const spec = imageSpec(args[0])
    const img = await ctx.image(spec.image!, true)
    const progress = new Progress(`unpack ${spec.image}`)
    try {
      await img.fs.promises.mkdir(spec.path, { recursive: true })
      const entries = from !== undefined ? await sourceEntries(from, progress, oci) : await tarEntries(src, progress, { whiteouts: oci.whiteouts !== undefined })
      const writer = imageWriter(img, spec.path, sourceWriterOptions(src, writerOptions(true, v['skip-unsupported'] === true), oci))
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
