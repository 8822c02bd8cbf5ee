// SPDX-License-Identifier: GPL-2.0-only
// lkl create OUT.img --type TYPE [--size SIZE|auto] [--from TAR|DIR]...

import * as fs from 'fs'
import * as path from 'path'
import { Command, arity } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageWriter } from '../../index'
import { entryTransforms, clampEpoch } from '../transforms'
import { Progress } from '../progress'
import { counter } from '../count'
import { runPipeline } from '../pipeline'
import { sourceEntries, spoolStdin, writerOptions, eachEntry, chain, isDir, warnDropped, SKIP_UNSUPPORTED, SKIP_UNSUPPORTED_HELP, OCI_OPTIONS, OCI_HELP, OciOptions, sourcePath, sourceWriterOptions, whiteoutMode, ociSource } from '../sources'
import { MergedTree } from '../../oci/merged'
import { addDropped, Dropped } from '../../tree/fs-capabilities'
import { mkfs, mkfsTypes, Usage, MkfsOptions, MkfsResult } from '../../mkfs'
import { imageSize } from '../../mkfs/tools'
import { canonicalFsType, untypedFsType } from '../../fstype-aliases'
import { LklError } from '../../errors'
import { randomBytes } from 'crypto'
import type { Context } from '../context'

const RETRIES = 3

// Several sources add up.
function addUsage (into: Usage, more: Usage): void {
  const a = into as unknown as Record<string, number>
  for (const [k, v] of Object.entries(more)) if (typeof v === 'number') a[k] = (a[k] ?? 0) + v
}

// (A container image counts the peak of its merged layers: lib/oci/merged.ts.)
async function measure (ctx: Context, sources: string[], oci: OciOptions): Promise<Usage> {
  const usage = new Usage()
  for (const src of sources) {
    const entries = await sourceEntries(src, undefined, oci)
    const t = entryTransforms(ctx.g, { clamp: false })
    const stream = t.length ? chain(entries, ...t) : entries
    if (ociSource(src) && oci.whiteouts !== 'keep') {
      const merged = new MergedTree()
      await eachEntry(stream, (e) => merged.add(e))
      addUsage(usage, merged.usage())
    } else {
      await eachEntry(stream, (e) => usage.add(e as Parameters<Usage['add']>[0]), await isDir(src))
    }
  }
  return usage
}

// Fill the image being built at `file` (shown to the user as `out`).
async function populate (ctx: Context, file: string, out: string, made: MkfsResult, sources: string[], skip: boolean, oci: OciOptions): Promise<void> {
  const img = await ctx.image(file, true, made.partition, made.mountOptions)
  const dropped: Dropped = {}
  for (const src of sources) {
    const progress = new Progress(`create ${out} <- ${src}`)
    try {
      const entries = await sourceEntries(src, progress, oci)
      const writer = imageWriter(img, '/', sourceWriterOptions(src, writerOptions(true, skip), oci))
      await runPipeline(entries, [...entryTransforms(ctx.g), counter(progress, await isDir(src))], writer)
      addDropped(dropped, writer.dropped)
    } catch (e) {
      throw tagImage(e, out)
    } finally {
      progress.done()
    }
  }
  await ctx.close()
  warnDropped('create', out, img, dropped)
}

// The image is built under a temporary name beside OUT and renamed into
// place only once complete, so OUT is never a half-filled image: an error
// or SIGINT/SIGTERM/SIGHUP removes the temporary file (and the signal ends
// the command with 128 + its number, as a shell expects).
const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }

function removeOnSignal (tmp: string, out: string): () => void {
  const on = (signal: NodeJS.Signals): void => {
    fs.rmSync(tmp, { force: true })
    process.stderr.write(`lkl create: ${out}: interrupted by ${signal}; no image was made\n`)
    process.exit(SIGNAL_CODES[signal])
  }
  const signals = Object.keys(SIGNAL_CODES) as NodeJS.Signals[]
  for (const s of signals) process.on(s, on)
  return () => { for (const s of signals) process.removeListener(s, on) }
}

async function moveIntoPlace (tmp: string, out: string): Promise<void> {
  await fs.promises.rename(tmp, out)
  // The new name must survive a host crash too.
  const dir = await fs.promises.open(path.dirname(out), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

function isNoSpace (e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'ENOSPC'
}

export const create: Command = {
  name: 'create',
  summary: 'make a filesystem image (optionally partitioned) and fill it',
  help: `Usage: lkl create OUT.img --type TYPE [--size SIZE|auto] [--from TAR|DIR|IMAGE]...
                  [--label L] [--uuid U] [--partition mbr|gpt] [--reproducible]

Make a filesystem image with the host's mkfs tool (TYPE: ${mkfsTypes.join(', ')}),
optionally inside a one-partition table, and fill it from tar files
(gzip/xz/zstd detected; '-' is stdin), host directories and container
images (their layers merged), in order.
  -s, --size SIZE     image size (512M, 2G, ...) or 'auto': the content plus
                      headroom (the default when --from is given)
  -f, --from SRC      a tar file, '-' or a directory (repeatable), or a
                      container image: oci:DIR[:REF] (an OCI layout),
                      oci-archive:FILE[:REF], docker-archive:FILE[:REF]
${OCI_HELP}
  -L, --label L       filesystem label (and GPT partition name)
      --uuid U        filesystem UUID (vfat, exfat: serial XXXX-XXXX)
      --partition T   'mbr' or 'gpt': put the filesystem in partition 1
      --mkfs-arg ARG  extra argument for the mkfs tool (repeatable)
${SKIP_UNSUPPORTED_HELP}
With --reproducible or SOURCE_DATE_EPOCH set, times are clamped to the epoch
and the UUID and hash seeds are fixed (the reference named below says which
filesystems then give byte-identical images).`,
  options: {
    size: { type: 'string', short: 's' },
    from: { type: 'string', short: 'f', multiple: true },
    label: { type: 'string', short: 'L' },
    uuid: { type: 'string' },
    'mkfs-arg': { type: 'string', multiple: true },
    ...SKIP_UNSUPPORTED,
    ...OCI_OPTIONS
  },
  async run (ctx, args, v) {
    arity(args, 1, 1, 'lkl create OUT.img --type TYPE [--size SIZE|auto] [--from TAR|DIR]...')
    const out = args[0]
    const g = ctx.g
    if (g.overlay || g.readOnly) throw new UsageError(`--${g.overlay ? 'overlay' : 'read-only'} cannot be used with create`)
    if (!g.type) throw new UsageError(`--type is required (${mkfsTypes.join(', ')})`)
    if (!mkfsTypes.includes(canonicalFsType(g.type))) throw new UsageError(`cannot make '${g.type}': --type is one of ${mkfsTypes.join(', ')}`)
    const table = g.partition
    if (table !== undefined && table !== 'mbr' && table !== 'gpt') throw new UsageError(`--partition for create is 'mbr' or 'gpt' (got '${table}')`)
    let sources = (v.from as string[] | undefined) ?? []
    if (sources.filter((s) => s === '-').length > 1) throw new UsageError("'-' (stdin) can be given once")
    const sizeArg = (v.size as string | undefined) ?? (sources.length ? 'auto' : undefined)
    if (sizeArg === undefined) throw new UsageError('--size is required without --from')
    if (sizeArg !== 'auto') {
      try {
        imageSize(sizeArg)
      } catch {
        throw new UsageError(`--size must look like 512M, 2G or auto (got '${sizeArg}')`)
      }
    }
    for (const s of sources) if (s !== '-') await fs.promises.access(sourcePath(s))
    const oci: OciOptions = { platform: v.platform as string | undefined, whiteouts: whiteoutMode(v.whiteouts) }
    const epoch = clampEpoch(g)
    const base: MkfsOptions = {
      type: untypedFsType(g.type),
      label: v.label as string | undefined,
      uuid: v.uuid as string | undefined,
      partition: table as 'mbr' | 'gpt' | undefined,
      reproducible: epoch,
      args: v['mkfs-arg'] as string[] | undefined
    }
    const existing = await fs.promises.lstat(out).catch(() => null)
    if (existing && !existing.isFile()) throw LklError.notAFile(out)
    const tmp = path.join(path.dirname(out), `.${path.basename(out)}.lkl-${randomBytes(4).toString('hex')}`)
    const stopWatching = removeOnSignal(tmp, out)
    let spooled: string | null = null
    try {
      let usage: Usage | undefined
      if (sizeArg === 'auto') {
        if (sources.includes('-')) {
          spooled = await spoolStdin()
          sources = sources.map((s) => s === '-' ? spooled! : s)
        }
        usage = await measure(ctx, sources, oci)
      }
      let size: string | number = sizeArg
      for (let attempt = 0; ; attempt++) {
        const result = await mkfs(tmp, { ...base, size, usage })
        if (g.verbose) process.stderr.write(`lkl create: ${out}: ${result.type}, ${result.size} bytes${result.partition ? `, partition ${result.partition} (${table})` : ''}\n`)
        try {
          if (sources.length) await populate(ctx, tmp, out, result, sources, v['skip-unsupported'] === true, oci)
          await result.finalize()
          await moveIntoPlace(tmp, out)
          return
        } catch (e) {
          await ctx.close().catch(() => {})
          if (sizeArg !== 'auto' || !isNoSpace(e) || attempt >= RETRIES) throw e
          // The estimate was short: grow by a third and build again.
          size = Math.ceil(result.size * 4 / 3 / 1048576) * 1048576
          if (g.verbose) process.stderr.write(`lkl create: ${out}: out of space at ${result.size} bytes, retrying with ${size}\n`)
          usage = undefined
        }
      }
    } catch (e) {
      await fs.promises.rm(tmp, { force: true }).catch(() => {})
      // The user knows the image by its final name, not the temporary one.
      if (e instanceof Error && e.message.includes(tmp)) e.message = e.message.split(tmp).join(out)
      throw tagImage(e, out)
    } finally {
      stopWatching()
      if (spooled) await fs.promises.rm(path.dirname(spooled), { recursive: true, force: true })
    }
  }
}
