// SPDX-License-Identifier: GPL-2.0-only
//
// The state of one CLI run: global options, the images it opened (each
// opened once, closed at the end), and the entry transforms built from the
// global options.

import * as path from 'path'
import * as lkl from '../index'
import { UsageError, tagImage, describe } from './errors'
import { clampEpoch } from './transforms'
import { kernelLogMark, kernelLogSince } from '../kernel'
import { untypedFsType } from '../fstype-aliases'

export interface Globals {
  type?: string
  partition?: string
  readOnly: boolean
  overlay: boolean
  wait: boolean
  memory?: string
  ownerMap?: string
  exclude: string[]
  strip?: string
  reproducible: boolean
  /** --skip-bad-names: images open with badNames 'skip' (warnings on stderr). */
  skipBadNames: boolean
  /** --log: print the kernel's lines of this run at the end. */
  log: boolean
  verbose: boolean
}

type Partition = NonNullable<lkl.OpenOptions['partition']>

/** `--partition N`, `label=L` or `partlabel=L`. */
export function parsePartition (v: string | undefined): Partition | undefined {
  if (v === undefined) return undefined
  if (/^\d+$/.test(v)) return Number(v)
  const m = /^(label|partlabel)=(.+)$/.exec(v)
  if (!m) throw new UsageError(`--partition must be a number, label=LABEL or partlabel=LABEL (got '${v}')`)
  return m[1] === 'label' ? { label: m[2] } : { partlabel: m[2] }
}

export class Context {
  readonly g: Globals
  /** The command running, for messages ('ls'). */
  readonly command: string
  private _images = new Map<string, { img: lkl.Image, write: boolean }>()
  private _booted = false
  private _logMark: number | null = null

  constructor (g: Globals, command = '') {
    this.g = g
    this.command = command
  }

  /** A warning on stderr, one line like an error's: `lkl CMD: warning: IMAGE: message`. */
  warn (w: Error, image?: string): void {
    process.stderr.write(`lkl${this.command ? ' ' + this.command : ''}: warning: ${describe(tagImage(w, image))}\n`)
  }

  /**
   * Boot before the first image is opened: --memory, and in reproducible
   * mode the kernel's wall clock frozen at the epoch (with its randomness
   * made deterministic), so the same input gives the same image bytes.
   */
  async boot (): Promise<void> {
    if (this._booted) return
    this._booted = true
    const opts: lkl.BootOptions = {}
    if (this.g.memory !== undefined) opts.memory = this.g.memory
    const epoch = clampEpoch(this.g)
    if (epoch !== undefined) opts.frozenClock = epoch
    await lkl.boot(opts)
    // --log shows what the kernel said while the command ran, not its boot.
    if (this.g.log) this._logMark = await kernelLogMark()
  }

  /** --log: the kernel's lines since boot, on stderr (call after close()). */
  async printKernelLog (): Promise<void> {
    if (this._logMark === null) return
    const lines = await kernelLogSince(this._logMark)
    process.stderr.write(lines.map((l) => `kernel: ${l}\n`).join(''))
  }

  /**
   * Open `file` with the global options (each image once per run). `write`
   * says whether this command writes to it; others open read-only.
   */
  async image (file: string, write: boolean, partition?: Partition, mountOptions?: string): Promise<lkl.Image> {
    const part = partition ?? parsePartition(this.g.partition)
    const key = `${path.resolve(file)}#${JSON.stringify(part ?? 0)}`
    const have = this._images.get(key)
    if (have && (have.write || !write)) return have.img
    if (have) {
      await have.img.close()
      this._images.delete(key)
    }
    await this.boot()
    const readOnly = this.g.readOnly || (!write && !this.g.overlay)
    const opts: lkl.OpenOptions = { readOnly, wait: this.g.wait, badNames: this.g.skipBadNames ? 'skip' : 'error', onWarning: (w) => this.warn(w, file) }
    if (this.g.type !== undefined) opts.type = untypedFsType(this.g.type)
    if (part !== undefined) opts.partition = part
    if (mountOptions) opts.mountOptions = mountOptions
    try {
      const target = this.g.overlay ? lkl.disk.overlay(file) : file
      if (this.g.overlay) opts.readOnly = this.g.readOnly
      const img = await lkl.open(target, opts)
      this._images.set(key, { img, write })
      return img
    } catch (e) {
      throw tagImage(e, file)
    }
  }

  /** Close every image opened (sync + unmount); the first error wins. */
  async close (): Promise<void> {
    let first: unknown = null
    for (const [key, { img }] of this._images) {
      this._images.delete(key)
      try {
        await img.close()
      } catch (e) {
        first ??= tagImage(e, img.path)
      }
    }
    if (first) throw first
  }
}
