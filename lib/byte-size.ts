// SPDX-License-Identifier: GPL-2.0-only
//
// The one grammar for sizes the user writes (kernel memory, memory disks,
// mkfs image sizes, the CLI's --size): a number of bytes, or a string of
// digits with an optional fraction and a binary unit:
//   '4096'  '64K'  '512M'  '1.5G'  '2T'  '512MiB'  '1gb'  '8 M'
// K/M/G/T are 1024^1..4 (case-insensitive), optionally followed by 'i',
// 'B' or 'iB'. A fraction rounds up to a whole byte.

import { invalidArgType, invalidArgValue } from './errors'

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }
const GRAMMAR = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:iB|i|B)?$/i

/** Bytes from a size argument; `min` is the smallest accepted (0 or more). */
export function parseSize (v: unknown, name: string, min = 0): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < min) throw invalidArgValue(name, v, `must be a whole number of bytes >= ${min}`)
    return v
  }
  if (typeof v !== 'string') throw invalidArgType(name, 'of type number or string', v)
  const m = GRAMMAR.exec(v.trim())
  const bytes = m ? Math.ceil(Number(m[1]) * UNITS[m[2].toUpperCase()]) : NaN
  if (!Number.isSafeInteger(bytes)) throw invalidArgValue(name, v, "must look like '512M', '1.5G' or '4096'")
  if (bytes < min) throw invalidArgValue(name, v, `must be at least ${min} bytes`)
  return bytes
}

/** A size for people: '512 MiB', '1.5 GiB' (binary units, one decimal). */
export function formatSize (n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return i === 0 ? `${n} B` : `${Number(n.toFixed(1))} ${u[i]}`
}
