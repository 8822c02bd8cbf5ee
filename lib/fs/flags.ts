// SPDX-License-Identifier: GPL-2.0-only
// Node's open flags ('r', 'w+', ... or a number) -> the kernel's O_* flags.

import { constants as C } from '../native'
import { invalidArgValue } from '../errors'

export type OpenFlags = string | number

export function parseFlags (flags: OpenFlags | undefined, dflt: string): number {
  if (flags === undefined || flags === null) flags = dflt
  if (typeof flags === 'number') return flags
  const W = C.O_WRONLY | C.O_CREAT
  switch (flags) {
    case 'r': return C.O_RDONLY
    case 'rs': case 'sr': return C.O_RDONLY | C.O_SYNC
    case 'r+': return C.O_RDWR
    case 'rs+': case 'sr+': return C.O_RDWR | C.O_SYNC
    case 'w': return W | C.O_TRUNC
    case 'wx': case 'xw': return W | C.O_TRUNC | C.O_EXCL
    case 'w+': return C.O_RDWR | C.O_CREAT | C.O_TRUNC
    case 'wx+': case 'xw+': return C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_EXCL
    case 'a': return W | C.O_APPEND
    case 'ax': case 'xa': return W | C.O_APPEND | C.O_EXCL
    case 'as': case 'sa': return W | C.O_APPEND | C.O_SYNC
    case 'a+': return C.O_RDWR | C.O_CREAT | C.O_APPEND
    case 'ax+': case 'xa+': return C.O_RDWR | C.O_CREAT | C.O_APPEND | C.O_EXCL
    case 'as+': case 'sa+': return C.O_RDWR | C.O_CREAT | C.O_APPEND | C.O_SYNC
  }
  throw invalidArgValue('flags', flags, 'is invalid')
}

export function parseMode (mode: number | string | undefined, dflt: number): number {
  if (mode === undefined || mode === null) return dflt
  if (typeof mode === 'string' && /^[0-7]+$/.test(mode)) return parseInt(mode, 8)
  if (typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777) return mode
  throw invalidArgValue('mode', mode, 'must be a 32-bit unsigned integer or an octal string')
}
