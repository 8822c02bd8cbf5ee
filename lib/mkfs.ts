// SPDX-License-Identifier: GPL-2.0-only
//
// lkl.mkfs(): make a filesystem image with the host's mkfs tool, optionally
// inside a one-partition table (MBR or GPT). Reproducible mode fixes the
// UUID, hash seed and timestamps the tools would otherwise randomise.

import * as fs from 'fs'
import * as path from 'path'
import { LklError, invalidArgType, invalidArgValue } from './errors'
import { TOOLS, run, stableUuid, imageSize } from './mkfs/tools'
import { canonicalFsType, FsType } from './fstype-aliases'
import { isObject } from './validate'
import { layout, writeTable, copyInto, ALIGN } from './mkfs/partition'
import { Usage, autoSize } from './mkfs/size'
import { setExfatSerial } from './mkfs/exfat'
import { PROBE_BYTES, readLabel, readUuid } from './probe'
import { extReproducible, extFinalize } from './mkfs/ext'

export { Usage }

export interface MkfsOptions {
  /** 'ext4', 'ext3', 'ext2', 'vfat' (or an alias), 'exfat', 'btrfs', 'xfs' or 'f2fs'. */
  type: FsType
  /**
   * Image size: bytes or '512M', '1G'; 'auto' sizes it for `usage` plus
   * headroom. Default: the existing file's size.
   */
  size?: number | string
  /** With size 'auto': what the image will hold (count entries with usage.add()). */
  usage?: Usage
  label?: string
  uuid?: string
  /** Put the filesystem inside a one-partition table. */
  partition?: 'mbr' | 'gpt' | false
  /**
   * Fix UUIDs, hash seeds and times: true (time = env SOURCE_DATE_EPOCH or 0)
   * or the epoch seconds to use.
   */
  reproducible?: boolean | number
  /** ext2/3/4: the number of inodes. */
  inodes?: number
  /** Extra arguments for the mkfs tool. */
  args?: string[]
}

export interface MkfsResult {
  path: string
  type: string
  /** Image size in bytes. */
  size: number
  /** Partition number holding the filesystem (0 = whole image). */
  partition: number
  /** Byte offset and size of the filesystem inside the image. */
  offset: number
  fsSize: number
  /** The UUID written, read back from the image (vfat, exfat: the volume serial 'XXXX-XXXX'). */
  uuid: string
  /** The label written, read back from the image ('' for none). */
  label: string
  /** Mount options the image must be filled with (reproducible ext*: 'nodelalloc'), else ''. */
  mountOptions: string
  /**
   * Call after filling the image and closing it: a reproducible ext3/4 gets
   * its journal only then, so its bytes do not depend on timing. A no-op
   * otherwise.
   */
  finalize (): Promise<void>
}

/** The filesystem types lkl.mkfs() can make. */
export const mkfsTypes: readonly string[] = Object.keys(TOOLS)

/** SOURCE_DATE_EPOCH from the environment, if set and valid. */
export function sourceDateEpoch (): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined
}

function check (file: unknown, o: MkfsOptions): void {
  if (typeof file !== 'string' || file === '') throw invalidArgType('path', 'a non-empty string', file)
  if (!isObject(o)) throw invalidArgType('options', 'of type object', o)
  if (typeof o.type !== 'string') throw invalidArgType('options.type', 'of type string', o.type)
  const type = canonicalFsType(o.type)
  if (!TOOLS[type]) throw invalidArgValue('options.type', o.type, `must be one of ${mkfsTypes.join(', ')}`)
  if (o.label !== undefined && typeof o.label !== 'string') throw invalidArgType('options.label', 'of type string', o.label)
  if (o.uuid !== undefined && (typeof o.uuid !== 'string' || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^[0-9a-f]{4}-?[0-9a-f]{4}$/i.test(o.uuid))) {
    throw invalidArgValue('options.uuid', o.uuid, 'must be a UUID (or XXXX-XXXX for vfat and exfat)')
  }
  if (o.uuid !== undefined && type === 'exfat' && !/^[0-9a-f]{4}-?[0-9a-f]{4}$/i.test(o.uuid)) throw invalidArgValue('options.uuid', o.uuid, 'must be a volume serial XXXX-XXXX for exfat')
  if (o.partition !== undefined && o.partition !== false && o.partition !== 'mbr' && o.partition !== 'gpt') {
    throw invalidArgValue('options.partition', o.partition, "must be 'mbr', 'gpt' or false")
  }
  if (o.reproducible !== undefined && typeof o.reproducible !== 'boolean' && !(Number.isSafeInteger(o.reproducible) && o.reproducible >= 0)) {
    throw invalidArgType('options.reproducible', 'a boolean or non-negative integer', o.reproducible)
  }
  if (o.inodes !== undefined && !(Number.isSafeInteger(o.inodes) && o.inodes > 0)) throw invalidArgValue('options.inodes', o.inodes, 'must be a positive integer')
  if (o.args !== undefined && !(Array.isArray(o.args) && o.args.every((a) => typeof a === 'string'))) throw invalidArgType('options.args', 'an array of strings', o.args)
}

/** Make a filesystem image at `file` (created or overwritten). Bad options throw synchronously. */
export function mkfs (file: string, options: MkfsOptions): Promise<MkfsResult> {
  check(file, options)
  if (options.size !== undefined && options.size !== 'auto') imageSize(options.size, 'options.size')
  return make(file, options)
}

async function make (file: string, options: MkfsOptions): Promise<MkfsResult> {
  const type = canonicalFsType(options.type)
  const tool = TOOLS[type]
  let size: number
  let extra: string[] = []
  let inodes = options.inodes
  if (options.size === 'auto') {
    if (!(options.usage instanceof Usage)) throw invalidArgType('options.usage', "an instance of Usage with size: 'auto'", options.usage)
    const est = autoSize(type, options.usage)
    size = Math.max(est.size, tool.min) + (options.partition ? 2 * ALIGN : 0)
    inodes ??= est.inodes
    if (!options.args?.length) extra = est.args
  } else if (options.size === undefined) {
    size = await fs.promises.stat(file).then((s) => s.size, () => 0)
    if (size === 0) throw invalidArgValue('options.size', options.size, 'is required for a new image')
  } else {
    size = imageSize(options.size, 'options.size')
  }
  const table = options.partition || undefined
  const repro = options.reproducible === true || typeof options.reproducible === 'number' ? (typeof options.reproducible === 'number' ? options.reproducible : sourceDateEpoch() ?? 0) : undefined
  const l = table ? layout(table, size) : { offset: 0, size }
  if (l.size < tool.min) {
    throw invalidArgValue('options.size', options.size, `is too small for ${type} (at least ${Math.ceil((tool.min + size - l.size) / 1048576)} MiB)`)
  }
  let uuid = options.uuid
  // exfat has no UUID: its volume serial is set after mkfs, below.
  if (uuid === undefined && repro !== undefined && type !== 'exfat') {
    uuid = stableUuid(type, options.label, size, repro)
    if (type === 'vfat') uuid = uuid.slice(0, 8)
  }
  const ext = repro !== undefined && TOOLS[type].bin === 'mke2fs' ? extReproducible(type, options.args ?? []) : null
  const o = { type, label: options.label, uuid, epoch: repro, inodes, args: [...extra, ...(ext?.args ?? []), ...(options.args ?? [])] }
  // A fresh sparse file: the tools only write their metadata. Only regular
  // files are replaced (never a device node or a directory).
  const existing = await fs.promises.lstat(file).catch(() => null)
  if (existing && !existing.isFile()) {
    throw LklError.notAFile(file)
  }
  await fs.promises.rm(file, { force: true })
  const target = table ? path.join(path.dirname(file), `.${path.basename(file)}.mkfs-${process.pid}`) : file
  try {
    await truncated(target, l.size)
    await run(tool.bin, tool.pkg, tool.args(target, o), tool.env?.(o), file)
    if (type === 'exfat' && (uuid !== undefined || repro !== undefined)) {
      const serial = uuid ?? stableUuid('exfat', options.label, size, repro)
      await setExfatSerial(target, 0, parseInt(serial.replace(/-/g, '').slice(0, 8), 16))
    }
    if (table) {
      await truncated(file, size)
      await writeTable(file, table, l, { type, label: options.label, uuid, reproducible: repro !== undefined })
      await copyInto(target, file, l.offset)
    }
  } catch (e) {
    await fs.promises.rm(file, { force: true })
    throw e
  } finally {
    if (table) await fs.promises.rm(target, { force: true })
  }
  const finalize = ext ? () => extFinalize(file, l.offset, ext.journal, repro as number) : () => Promise.resolve()
  const written = await readBack(file, l.offset, type)
  return { path: file, type, size, partition: table ? 1 : 0, offset: l.offset, fsSize: l.size, ...written, mountOptions: ext?.mountOptions ?? '', finalize }
}

/** What the tool actually wrote: the UUID and label in the new superblock. */
async function readBack (file: string, offset: number, type: string): Promise<{ uuid: string, label: string }> {
  const fh = await fs.promises.open(file, 'r')
  try {
    const read = async (pos: number, len: number): Promise<Buffer> => {
      const b = Buffer.alloc(len)
      const { bytesRead } = await fh.read(b, 0, len, offset + pos)
      return b.subarray(0, bytesRead)
    }
    const b = await read(0, PROBE_BYTES)
    return { uuid: readUuid(b, type), label: await readLabel(b, type, read) }
  } finally {
    await fh.close()
  }
}

async function truncated (file: string, size: number): Promise<void> {
  const fh = await fs.promises.open(file, 'w')
  try {
    await fh.truncate(size)
  } finally {
    await fh.close()
  }
}
