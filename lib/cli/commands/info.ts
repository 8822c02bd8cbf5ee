// SPDX-License-Identifier: GPL-2.0-only
// lkl info IMAGE: partitions, filesystem types, labels, sizes and usage.

import { Command, arity } from '../command'
import { tagImage } from '../errors'
import * as lkl from '../../index'
import type { Context } from '../context'
import { untypedFsType } from '../../fstype-aliases'

interface FsInfo {
  partition: number
  start: number
  size: number
  name?: string
  partType?: string
  uuid?: string
  type: string | null
  label?: string
  blockSize?: number
  total?: number
  used?: number
  free?: number
  files?: number
  error?: string
}

function human (n: number): string {
  const u = ['B', 'K', 'M', 'G', 'T']
  let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return i === 0 ? `${n}B` : `${n.toFixed(n < 10 ? 1 : 0)}${u[i]}`
}

async function describeFs (ctx: Context, disk: lkl.Disk, fi: FsInfo): Promise<void> {
  let img: lkl.Image | null = null
  try {
    const opts: lkl.OpenOptions = { partition: fi.partition, readOnly: true }
    if (ctx.g.type !== undefined) opts.type = untypedFsType(ctx.g.type)
    img = await lkl.open(disk, opts)
    fi.type = img.type
    const { label } = await disk.probe(fi.partition)
    if (label) fi.label = label
    {
      const s = await img.statfs()
      fi.blockSize = s.bsize
      fi.total = Number(s.blocks) * s.bsize
      fi.free = Number(s.bavail) * s.bsize
      fi.used = (Number(s.blocks) - Number(s.bfree)) * s.bsize
      fi.files = Number(s.files) - Number(s.ffree)
    }
  } catch (e) {
    fi.error = (e as Error).message
  } finally {
    await img?.close()
  }
}

export const info: Command = {
  name: 'info',
  summary: 'show partitions, filesystem types, labels, sizes and usage',
  help: `Usage: lkl info [--json] IMAGE

Show the partition table of an image and, for each filesystem, its type,
label, size and usage.
      --json        print JSON instead of a table`,
  options: {
    json: { type: 'boolean' }
  },
  async run (ctx, args, v) {
    arity(args, 1, 1, 'lkl info IMAGE')
    const file = args[0]
    await ctx.boot()
    const disk = lkl.disk.file(file, { readOnly: true })
    const result: { image: string, size: number, table: string, partitions: FsInfo[] } = { image: file, size: 0, table: 'none', partitions: [] }
    try {
      const fs = await import('fs')
      result.size = (await fs.promises.stat(file)).size
      const parts = await disk.partitions()
      if (parts.length) {
        result.table = parts.some((p) => /^0x/.test(p.type)) ? 'mbr' : 'gpt'
        for (const p of parts) {
          result.partitions.push({ partition: p.number, start: p.start, size: p.size, name: p.name || undefined, partType: p.type, uuid: p.uuid, type: null })
        }
      } else {
        result.partitions.push({ partition: 0, start: 0, size: result.size, type: null })
      }
      for (const fi of result.partitions) await describeFs(ctx, disk, fi)
    } catch (e) {
      throw tagImage(e, file)
    } finally {
      await disk.close()
    }
    if (v.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n')
      return
    }
    const lines = [`${file}: ${human(result.size)}, partition table: ${result.table}`]
    const rows = [['PART', 'START', 'SIZE', 'TYPE', 'LABEL', 'USED', 'FREE', 'USE%', 'FILES']]
    for (const p of result.partitions) {
      rows.push([String(p.partition), human(p.start), human(p.size), p.type ?? '-', p.label ?? p.name ?? '',
        p.used !== undefined ? human(p.used) : '-', p.free !== undefined ? human(p.free) : '-',
        p.total ? `${Math.round(100 * (p.used ?? 0) / p.total)}%` : '-', p.files !== undefined ? String(p.files) : '-'])
    }
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
    for (const r of rows) lines.push(r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd())
    process.stdout.write(lines.join('\n') + '\n')
  }
}
