// SPDX-License-Identifier: GPL-2.0-only
//
// The host mkfs tools: which binary makes each filesystem, which Debian
// package ships it, and the arguments for label, UUID and reproducible
// builds. Tools run as child processes; a missing tool names its package.

import { execFile } from 'child_process'
import * as crypto from 'crypto'
import { LklError } from '../errors'
import { parseSize } from '../byte-size'

export interface Tool {
  bin: string
  pkg: string
  /** Smallest size the tool accepts, in bytes. */
  min: number
  args (file: string, o: ToolOptions): string[]
  env? (o: ToolOptions): Record<string, string>
}

export interface ToolOptions {
  type: string
  label?: string
  uuid?: string
  /** Seconds since the epoch when reproducible, else undefined. */
  epoch?: number
  /** ext*: number of inodes. */
  inodes?: number
  /** Extra arguments passed to the tool before the file name. */
  args: string[]
}

const MiB = 1024 * 1024

const e2 = (type: string): Tool => ({
  bin: 'mke2fs',
  pkg: 'e2fsprogs',
  min: 1 * MiB,
  args (file, o) {
    const a = ['-q', '-F', '-t', type]
    const ext = ['root_owner=0:0']
    if (o.label !== undefined) a.push('-L', o.label)
    if (o.uuid !== undefined) a.push('-U', o.uuid)
    if (o.epoch !== undefined && o.uuid !== undefined) ext.push(`hash_seed=${o.uuid}`)
    if (o.inodes !== undefined) a.push('-N', String(o.inodes))
    a.push('-E', ext.join(','))
    return [...a, ...o.args, file]
  },
  env (o): Record<string, string> {
    // e2fsprogs reads a fake time of 0 as "unset": epoch 0 is written as 1 s.
    return o.epoch === undefined ? {} : { E2FSPROGS_FAKE_TIME: String(Math.max(1, o.epoch)) }
  }
})

export const TOOLS: Record<string, Tool> = {
  ext2: e2('ext2'),
  ext3: e2('ext3'),
  ext4: e2('ext4'),
  vfat: {
    bin: 'mkfs.fat',
    pkg: 'dosfstools',
    min: 64 * 1024,
    args (file, o) {
      const a: string[] = []
      if (o.label !== undefined) a.push('-n', o.label)
      if (o.uuid !== undefined) a.push('-i', o.uuid.replace(/-/g, '').slice(0, 8))
      if (o.epoch !== undefined) a.push('--invariant')
      return [...a, ...o.args, file]
    },
    env (o): Record<string, string> {
      return o.epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(o.epoch) }
    }
  },
  exfat: {
    bin: 'mkfs.exfat',
    pkg: 'exfatprogs',
    min: 1 * MiB,
    args (file, o) {
      const a: string[] = []
      if (o.label !== undefined) a.push('-L', o.label)
      return [...a, ...o.args, file]
    }
  },
  btrfs: {
    bin: 'mkfs.btrfs',
    pkg: 'btrfs-progs',
    min: 114 * MiB,
    args (file, o) {
      const a = ['-q', '-f']
      if (o.label !== undefined) a.push('-L', o.label)
      if (o.uuid !== undefined) a.push('-U', o.uuid)
      return [...a, ...o.args, file]
    }
  },
  xfs: {
    bin: 'mkfs.xfs',
    pkg: 'xfsprogs',
    min: 300 * MiB,
    args (file, o) {
      const a = ['-q', '-f']
      if (o.label !== undefined) a.push('-L', o.label)
      if (o.uuid !== undefined) a.push('-m', `uuid=${o.uuid}`)
      return [...a, ...o.args, file]
    }
  },
  f2fs: {
    bin: 'mkfs.f2fs',
    pkg: 'f2fs-tools',
    min: 40 * MiB,
    args (file, o) {
      const a = ['-q', '-f']
      if (o.label !== undefined) a.push('-l', o.label)
      if (o.uuid !== undefined) a.push('-U', o.uuid)
      if (o.epoch !== undefined) a.push('-T', String(o.epoch), '-r')
      return [...a, ...o.args, file]
    }
  }
}

/** The UUID a reproducible build uses when none is given: derived from its inputs. */
export function stableUuid (...parts: Array<string | number | undefined>): string {
  const h = crypto.createHash('sha256').update('lkl-mkfs\0' + parts.map((p) => String(p ?? '')).join('\0')).digest()
  h[6] = (h[6] & 0x0f) | 0x40
  h[8] = (h[8] & 0x3f) | 0x80
  const x = h.toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`
}

/** Run a host tool; rejects with a message naming the Debian package when it is missing. */
export function run (bin: string, pkg: string, args: string[], env: Record<string, string> = {}, what = ''): Promise<string> {
  const PATH = [process.env.PATH, '/usr/sbin', '/sbin'].filter(Boolean).join(':')
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: { ...process.env, PATH, ...env }, maxBuffer: 16 * MiB }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout)
      const e = err as NodeJS.ErrnoException & { code?: string | number }
      if (e.code === 'ENOENT') {
        return reject(LklError.toolMissing(bin, pkg))
      }
      const msg = String(stderr || stdout).trim().split('\n').filter(Boolean).slice(-2).join('; ')
      reject(LklError.toolFailed(bin, what, msg || `exit code ${String(e.code)}`))
    })
  })
}

/**
 * An image size (lib/byte-size.ts grammar), at least one byte. A string is
 * rounded up to whole 512-byte sectors; a number of bytes is taken as given.
 */
export function imageSize (v: unknown, name = 'size'): number {
  const bytes = parseSize(v, name, 1)
  return typeof v === 'string' ? Math.ceil(bytes / 512) * 512 : bytes
}
