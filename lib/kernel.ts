// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel's lifecycle in this process: lazy boot, halt (final), the
// registry of open images, and what happens to them at process exit.

import { native } from './native'
import { LklError, invalidArgType, invalidArgValue } from './errors'
import { parseSize } from './byte-size'
import { checkOptions, checkBool, checkInt } from './validate'

export interface BootOptions {
  /** Kernel memory: bytes, or a size string like '256M', '1.5G' (lib/byte-size.ts). Default 64M. */
  memory?: number | string
  /** Echo the kernel log to stderr (also: env LKL_LOG=1). */
  log?: boolean
  /**
   * Freeze the kernel's wall clock at this time (a Date, or seconds since
   * the epoch as with SOURCE_DATE_EPOCH): every time the kernel stamps
   * (file, superblock, journal) is this one, so writing the same input
   * twice gives the same image bytes. Sleeps and timers are unaffected.
   */
  frozenClock?: Date | number
}

/** What the registry needs from an open image. */
export interface OpenImage {
  /** Close (wait for pending ops, sync, unmount, detach). */
  close (): Promise<void>
  /** For the synchronous exit path: kernel fds to close and the mount point. */
  _exitState (): { fds: number[], mount: string | null }
}

type State = 'off' | 'booting' | 'running' | 'halting' | 'halted'

let state: State = 'off'
let booting: Promise<void> | null = null
let bootedMemory = 0 // what boot() asked for (0 = the default)
let bootedClock = -1 // the frozen wall clock in seconds, -1 = running
let halting: Promise<void> | null = null
const images = new Set<OpenImage>()
const opening = new Set<Promise<unknown>>()
// Disks attached to the kernel (detached by halt() after the images).
const disks = new Set<{ close (): Promise<void> }>()

const DEFAULT_MEMORY = 64 * 1024 * 1024

function parseFrozenClock (clock: Date | number | undefined): number {
  if (clock === undefined) return -1
  const seconds = clock instanceof Date ? Math.floor(clock.getTime() / 1000) : clock
  if (typeof seconds !== 'number') throw invalidArgType('options.frozenClock', 'an instance of Date or of type number', clock)
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw invalidArgValue('frozenClock', clock, 'must be a non-negative whole number of seconds since the epoch')
  return seconds
}

interface BootArgs { memory: number, log: boolean, clock: number }

// The checks boot() and bootSync() share; throws for bad options and for a
// kernel that booted (or is booting) in a way that does not match.
function bootArgs (options: BootOptions): BootArgs {
  checkOptions(options)
  // 0 asks the host library for its default size (DEFAULT_MEMORY).
  const memory = options.memory === undefined ? 0 : parseSize(options.memory, 'options.memory')
  checkBool(options.log, 'options.log')
  const clock = parseFrozenClock(options.frozenClock)
  return { memory, log: options.log ?? process.env.LKL_LOG === '1', clock }
}

// A second boot is fine unless it asks for memory or a clock the kernel lacks.
function checkBootedAs (options: BootOptions, a: BootArgs): void {
  if (a.memory !== 0 && a.memory !== bootedMemory) throw LklError.alreadyBooted(bootedMemory || DEFAULT_MEMORY, a.memory)
  if (options.frozenClock !== undefined && a.clock !== bootedClock) throw LklError.alreadyBootedClock()
}

function cmdline (a: BootArgs): string {
  return a.clock >= 0 ? `lkl.frozen_clock=${a.clock}` : ''
}

/** Boot the kernel (once). Optional: open() boots lazily. */
export function boot (options: BootOptions = {}): Promise<void> {
  const a = bootArgs(options)
  if (state === 'halting' || state === 'halted') return Promise.reject(LklError.halted())
  if (booting) {
    try {
      checkBootedAs(options, a)
    } catch (err) {
      return Promise.reject(err)
    }
    return booting
  }
  state = 'booting'
  bootedMemory = a.memory
  bootedClock = a.clock
  booting = native.boot(a.memory, a.log, cmdline(a)).then((r) => {
    if (r < 0) {
      state = 'off'
      booting = null
      throw LklError.bootFailed(r)
    }
    state = 'running'
  })
  return booting
}

/**
 * boot() that returns once the kernel is up, blocking the JS thread while
 * it boots (a host thread does the work): for the node-lkl 1.x API
 * (lib/compat). Throws what boot() rejects with, and ERR_LKL_BUSY while an
 * asynchronous boot is under way (it cannot be waited for here).
 */
export function bootSync (options: BootOptions = {}): void {
  const a = bootArgs(options)
  if (state === 'halting' || state === 'halted') throw LklError.halted()
  if (state === 'running') return checkBootedAs(options, a)
  if (state === 'booting') throw LklError.busy('the kernel is booting asynchronously (boot() or a first open()); await it instead')
  const r = native.bootSync(a.memory, a.log, cmdline(a))
  if (r < 0) throw LklError.bootFailed(r)
  bootedMemory = a.memory
  bootedClock = a.clock
  booting = Promise.resolve()
  state = 'running'
}

/** Boot if needed; rejects once halted. */
export function ensureBooted (): Promise<void> {
  if (state === 'running') return Promise.resolve()
  return boot()
}

export function isHalted (): boolean {
  return state === 'halting' || state === 'halted'
}

/** Track an open() in progress: halt() lets it finish, then closes it. */
export function trackOpen<T> (p: Promise<T>): Promise<T> {
  opening.add(p)
  const forget = (): void => { opening.delete(p) }
  p.then(forget, forget)
  return p
}

export function register (img: OpenImage): void {
  if (images.size === 0) installExitHooks()
  images.add(img)
}

export function unregister (img: OpenImage): void {
  images.delete(img)
  if (images.size === 0) removeExitHooks()
}

export function registerDisk (disk: { close (): Promise<void> }): void {
  disks.add(disk)
}

export function unregisterDisk (disk: { close (): Promise<void> }): void {
  disks.delete(disk)
}

/**
 * Close every open image (each waits for its pending operations), detach
 * every disk, then halt the kernel. Final: the kernel cannot boot again in this process.
 */
export function halt (): Promise<void> {
  if (halting) return halting
  const was = state
  state = 'halting'
  halting = (async () => {
    if (was === 'booting') await booting?.catch(() => {})
    await Promise.allSettled([...opening])
    const closed = await Promise.allSettled([...images].map((img) => img.close()))
    closed.push(...await Promise.allSettled([...disks].map((disk) => disk.close())))
    const failed = closed.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) {
      // The kernel must not be halted with a filesystem still mounted.
      state = 'halted'
      throw failed.reason
    }
    if (was !== 'off') {
      const r = await native.halt()
      if (r < 0) throw LklError.kernel('halt', r)
    }
    state = 'halted'
  })()
  return halting
}

/**
 * halt() that returns once the kernel is halted, blocking the JS thread (a
 * host thread does the work): for the node-lkl 1.x API (lib/compat). It
 * cannot wait for images to close, so it throws ERR_LKL_BUSY while any
 * image is open (or opening), any disk attached, or a boot or halt under way.
 * Final, like halt().
 */
export function haltSync (): void {
  if (state === 'halted') return
  if (state === 'halting' || state === 'booting') throw LklError.busy(`the kernel is ${state}; await lkl.halt() instead`)
  const open = images.size + opening.size
  if (open > 0 || disks.size > 0) {
    const what = open > 0 ? `${open} image(s) are still open` : `${disks.size} disk(s) are still attached`
    throw LklError.busy(`${what}: umount() or close() them first, or await lkl.halt(), which closes them`)
  }
  if (state === 'running') {
    const r = native.haltSync()
    if (r < 0) throw LklError.kernel('halt', r)
  }
  state = 'halted'
  halting = Promise.resolve()
}

export interface KernelStats {
  /** Kernel memory (boot({ memory })), bytes. */
  memoryTotal: number
  /** Free kernel memory, bytes (page cache not counted as free). */
  memoryFree: number
  /** Kernel tasks (threads), incl. host threads the kernel knows. */
  tasks: number
}

/** The kernel's memory and task counts (boots the kernel if needed). */
export async function stats (): Promise<KernelStats> {
  await ensureBooted()
  const r = await native.stats()
  if (typeof r === 'number') throw LklError.kernel('sysinfo', r)
  return { memoryTotal: r.totalram, memoryFree: r.freeram, tasks: r.procs }
}

/** The kernel's log ring: every record it still holds, oldest first (seq: its sequence number). */
async function logRecords (): Promise<Array<{ seq: number, text: string }>> {
  if (state !== 'running') return []
  const r = await native.kernelLog(7)
  if (typeof r === 'number') throw LklError.kernel('reading the kernel log', r)
  const out = []
  for (let i = 0; i + 2 < r.length; i += 3) out.push({ seq: r[i + 1] as number, text: r[i + 2] as string })
  return out
}

/**
 * The kernel's recent log lines, every level (its own ring holds the last
 * 64 KiB of records, whatever the console shows): the newest whole lines
 * within maxBytes, oldest first. '' before boot and after halt.
 */
export function kernelLog (maxBytes = 16384): Promise<string> {
  checkInt(maxBytes, 'maxBytes', 0)
  return logRecords().then((records) => {
    const lines: string[] = []
    let bytes = 0
    for (const { text } of records.reverse()) {
      bytes += Buffer.byteLength(text) + 1
      if (bytes > maxBytes) break
      lines.push(text)
    }
    return lines.reverse().map((l) => l + '\n').join('')
  })
}

/** A mark in the kernel log: kernelLogSince(mark) gives the lines logged after it (the CLI's --log). */
export async function kernelLogMark (): Promise<number> {
  const r = await logRecords()
  return r.length ? r[r.length - 1].seq : -1
}

export async function kernelLogSince (mark: number): Promise<string[]> {
  return (await logRecords()).filter((r) => r.seq > mark).map((r) => r.text)
}

// ---- process exit ----------------------------------------------------------
// beforeExit (the loop ran dry with images open) and fatal signals with no
// other listener: close them properly, then halt. exit (process.exit(), an
// uncaught error): synchronous sync + unmount from a host thread while this
// thread waits (native.emergencyClose).

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
let hooked = false

function emergencyClose (): void {
  // While images are registered the kernel is up (halt() unregisters them
  // all before it halts the kernel).
  if (images.size === 0 || (state !== 'running' && state !== 'halting')) return
  const fds: number[] = []
  const mounts: string[] = []
  for (const img of images) {
    const s = img._exitState()
    fds.push(...s.fds)
    if (s.mount) mounts.push(s.mount)
  }
  images.clear()
  native.emergencyClose(fds, mounts, 20000)
}

function onBeforeExit (): void {
  if (images.size > 0 && !halting) halt().catch(() => {})
}

function onExit (): void {
  emergencyClose()
}

// A fatal signal nobody else listens to: close every image properly (as
// halt() does), then die of the same signal. A second signal, or a close
// that takes more than 10 s, falls back to the synchronous path.
let signalled = false

function reraise (signal: NodeJS.Signals): void {
  removeExitHooks()
  process.kill(process.pid, signal)
}

// While we close everything for a signal, the app's pending or next calls
// fail with ERR_LKL_IMAGE_CLOSED / ERR_LKL_HALTED; unhandled, such a
// rejection would end the process with a stack trace (status 1) before the
// signal is raised again. Those are a consequence of the signal: ignored.
function closingRejection (reason: unknown): void {
  const code = (reason as { code?: unknown } | null)?.code
  if (code === 'ERR_LKL_IMAGE_CLOSED' || code === 'ERR_LKL_HALTED') return
  // Anything else keeps Node's own behaviour for an unhandled rejection.
  process.removeListener('unhandledRejection', closingRejection)
  throw reason
}

function onSignal (signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return
  if (!signalled && process.listenerCount('unhandledRejection') === 0) process.on('unhandledRejection', closingRejection)
  if (signalled) {
    emergencyClose()
    reraise(signal)
    return
  }
  signalled = true
  const timer = setTimeout(() => {
    emergencyClose()
    reraise(signal)
  }, 10000)
  halt().catch(() => {}).then(() => {
    clearTimeout(timer)
    reraise(signal)
  })
}

function installExitHooks (): void {
  if (hooked) return
  hooked = true
  process.on('beforeExit', onBeforeExit)
  process.on('exit', onExit)
  for (const s of SIGNALS) process.on(s, onSignal)
}

function removeExitHooks (): void {
  if (!hooked) return
  hooked = false
  process.removeListener('beforeExit', onBeforeExit)
  process.removeListener('exit', onExit)
  for (const s of SIGNALS) process.removeListener(s, onSignal)
}
