// SPDX-License-Identifier: GPL-2.0-only
// lkl ls [-l] [-R] IMAGE[:/path]...

import * as posix from 'path/posix'
import { Command } from '../command'
import { UsageError, tagImage } from '../errors'
import { imageSpec } from '../spec'
import { splitDev } from '../../device-number'
import type { Image, Stats } from '../../index'
import { LklError } from '../../errors'
import { MAX_DEPTH, judgeEntry } from '../../listing'
import { nameToBytes } from '../../name-bytes'

const TYPES: Record<number, string> = { 0o140000: 's', 0o120000: 'l', 0o100000: '-', 0o060000: 'b', 0o040000: 'd', 0o020000: 'c', 0o010000: 'p' }

/** `drwxr-xr-x` from a mode. */
export function modeString (mode: number): string {
  const t = TYPES[mode & 0o170000] ?? '?'
  const bit = (m: number, c: string): string => (mode & m) ? c : '-'
  const x = (m: number, special: number, set: string): string =>
    (mode & special) ? ((mode & m) ? set : set.toUpperCase()) : bit(m, 'x')
  return t + bit(0o400, 'r') + bit(0o200, 'w') + x(0o100, 0o4000, 's') +
    bit(0o040, 'r') + bit(0o020, 'w') + x(0o010, 0o2000, 's') +
    bit(0o004, 'r') + bit(0o002, 'w') + x(0o001, 0o1000, 't')
}

function time (d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

async function longLine (img: Image, full: string, name: string, st: Stats): Promise<string[]> {
  const isDev = st.isCharacterDevice() || st.isBlockDevice()
  const size = isDev ? splitDev(st.rdev).join(', ') : String(st.size)
  let shown = name
  if (st.isSymbolicLink()) shown += ` -> ${String(await img.fs.promises.readlink(full))}`
  return [modeString(st.mode), String(st.nlink), String(st.uid), String(st.gid), size, time(st.mtime), shown]
}

function columns (rows: string[][]): string {
  const w: number[] = []
  for (const r of rows) r.forEach((c, i) => { if (i < r.length - 1) w[i] = Math.max(w[i] ?? 0, c.length) })
  return rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : (i === 0 || i === 5 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' ')).join('\n') + (rows.length ? '\n' : '')
}

/**
 * lstat each name; an entry the kernel finds corrupt (a loop, EUCLEAN) is
 * left out with a warning under --skip-bad-names (the image's policy).
 */
async function statAll (img: Image, dir: string, names: string[]): Promise<{ names: string[], stats: Stats[] }> {
  const all = await Promise.all(names.map((n) => img.fs.promises.lstat(posix.join(dir, n)).then((st) => st as Stats, (e: NodeJS.ErrnoException) => {
    if (typeof e.errno === 'number' && judgeEntry(e.errno, dir, nameToBytes(n), img._listing)) return null
    throw e
  })))
  const keep = all.map((st, i) => st ? i : -1).filter((i) => i >= 0)
  return { names: keep.map((i) => names[i]), stats: keep.map((i) => all[i] as Stats) }
}

async function list (img: Image, dir: string, long: boolean, recurse: boolean, header: boolean, out: string[], depth = 0): Promise<void> {
  // Names that would lead back into the same directory never come out of
  // readdir (lib/listing.ts); the bound is for loops the kernel cannot see.
  if (depth > MAX_DEPTH) throw LklError.tooDeep(dir, MAX_DEPTH)
  const { names, stats } = await statAll(img, dir, (await img.fs.promises.readdir(dir) as string[]).sort())
  if (header) out.push(`${dir}:\n`)
  if (long) {
    const rows = await Promise.all(names.map((n, i) => longLine(img, posix.join(dir, n), n, stats[i])))
    out.push(columns(rows))
  } else {
    out.push(names.map((n) => n + '\n').join(''))
  }
  if (recurse) {
    for (let i = 0; i < names.length; i++) {
      if (!stats[i].isDirectory()) continue
      out.push('\n')
      await list(img, posix.join(dir, names[i]), long, true, true, out, depth + 1)
      flush(out)
    }
  }
}

// Names that are not UTF-8 go out as their bytes, as GNU ls writes them to a pipe.
function flush (out: string[]): void {
  if (out.length) process.stdout.write(nameToBytes(out.splice(0).join('')))
}

export const ls: Command = {
  name: 'ls',
  summary: 'list a directory of an image',
  help: `Usage: lkl ls [-l] [-R] IMAGE[:/path]...

List the directory (default /) of an image, or show a file.
  -l, --long        long format: mode, links, owner, group, size, mtime
  -R, --recursive   list subdirectories recursively`,
  options: {
    long: { type: 'boolean', short: 'l' },
    recursive: { type: 'boolean', short: 'R' }
  },
  async run (ctx, args, v) {
    if (args.length === 0) throw new UsageError('missing argument: IMAGE[:/path]')
    const long = v.long === true
    const recurse = v.recursive === true
    for (let i = 0; i < args.length; i++) {
      const spec = imageSpec(args[i])
      const img = await ctx.image(spec.image!, false)
      const out: string[] = []
      try {
        const p = posix.resolve('/', spec.path)
        const st = await img.fs.promises.lstat(p) as Stats
        if (!st.isDirectory()) {
          out.push(long ? columns([await longLine(img, p, spec.path, st)]) : spec.path + '\n')
        } else {
          if (args.length > 1 && i > 0) out.push('\n')
          await list(img, p, long, recurse, recurse || args.length > 1, out)
        }
      } catch (e) {
        throw tagImage(e, spec.image)
      }
      flush(out)
    }
  }
}
