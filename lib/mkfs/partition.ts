// SPDX-License-Identifier: GPL-2.0-only
//
// A one-partition table (MBR or GPT) written by the host's sfdisk, and the
// copy of a filesystem made in a temp file into that partition.

import * as fs from 'fs'
import { LklError } from '../errors'
import { run, stableUuid } from './tools'

export const ALIGN = 1024 * 1024
const CHUNK = 1024 * 1024

// MBR type bytes and GPT type GUIDs per filesystem.
const MBR_TYPE: Record<string, string> = { vfat: 'c', exfat: '7' }
const GPT_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7' // Microsoft basic data
const GPT_LINUX = '0FC63DAF-8483-4772-8E79-3D69DE47C4E4'

export interface Layout { offset: number, size: number }

/** Where the single partition goes in an image of `total` bytes. */
export function layout (table: 'mbr' | 'gpt', total: number): Layout {
  const tail = table === 'gpt' ? ALIGN : 0 // the backup GPT needs 33 sectors at the end
  const size = Math.floor((total - ALIGN - tail) / ALIGN) * ALIGN
  return { offset: ALIGN, size }
}

export interface TableOptions { type: string, label?: string, uuid?: string, reproducible: boolean }

/** Write the partition table with sfdisk. */
export async function writeTable (file: string, table: 'mbr' | 'gpt', l: Layout, o: TableOptions): Promise<void> {
  const lines = [`label: ${table === 'gpt' ? 'gpt' : 'dos'}`]
  const seed = o.uuid ?? (o.reproducible ? stableUuid('table', o.type, o.label, l.size) : undefined)
  if (seed !== undefined) {
    if (table === 'gpt') lines.push(`label-id: ${stableUuid('disk', seed)}`)
    else lines.push(`label-id: 0x${stableUuid('disk', seed).slice(0, 8)}`)
  }
  let part = `start=${l.offset / 512}, size=${l.size / 512}`
  if (table === 'gpt') {
    part += `, type=${o.type === 'vfat' || o.type === 'exfat' ? GPT_DATA : GPT_LINUX}`
    if (seed !== undefined) part += `, uuid=${stableUuid('part', seed)}`
    if (o.label) part += `, name="${o.label.replace(/["\\]/g, '')}"`
  } else {
    part += `, type=${MBR_TYPE[o.type] ?? '83'}`
  }
  lines.push(part)
  const script = lines.join('\n') + '\n'
  const tmp = `${file}.sfdisk-${process.pid}`
  await fs.promises.writeFile(tmp, script)
  try {
    // sfdisk reads its script from stdin only; sh redirects it from the
    // temp file (file names go as arguments, never into the script).
    await run('sh', 'dash', ['-c', 'exec sfdisk --no-reread --no-tell-kernel -q "$1" < "$2"', 'sh', file, tmp], {}, file)
  } catch (e) {
    // sh ran, sfdisk did not: the missing tool is sfdisk (in 'fdisk').
    if (/sfdisk: not found|sfdisk: command not found/.test((e as Error).message)) throw LklError.toolMissing('sfdisk', 'fdisk')
    throw e
  } finally {
    await fs.promises.rm(tmp, { force: true })
  }
}

/** Copy `src` into `dst` at `offset`, skipping zero chunks (dst is sparse). */
export async function copyInto (src: string, dst: string, offset: number): Promise<void> {
  const from = await fs.promises.open(src, 'r')
  const to = await fs.promises.open(dst, 'r+')
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let pos = 0; ;) {
      const { bytesRead } = await from.read(buf, 0, CHUNK, pos)
      if (bytesRead === 0) break
      const chunk = buf.subarray(0, bytesRead)
      if (!isZero(chunk)) await to.write(chunk, 0, bytesRead, offset + pos)
      pos += bytesRead
    }
  } finally {
    await from.close()
    await to.close()
  }
}

const ZERO = Buffer.alloc(CHUNK)

function isZero (b: Buffer): boolean {
  return b.equals(ZERO.subarray(0, b.length))
}
