// SPDX-License-Identifier: GPL-2.0-only
//
// Errors: Node-shaped system errors for kernel failures, LklError (codes
// ERR_LKL_*) for library states, and Node's ERR_INVALID_ARG_* for bad args.

import * as util from 'util'
import { errnoName as linuxErrnoName } from './native'

/** A kernel failure shaped like the errors of node:fs. */
export interface SystemError extends Error {
  code: string
  errno: number
  syscall: string
  path?: string
  dest?: string
}

// The kernel speaks Linux errno numbers; the package runs on Linux hosts
// only (see package.json "os"), where Node's numbering is the same.
const EXTRA_MESSAGES: Record<string, string> = {
  EUCLEAN: 'structure needs cleaning',
  EBADMSG: 'bad message',
  ENOTBLK: 'block device required',
  EDQUOT: 'disk quota exceeded',
  ESTALE: 'stale file handle',
  ENOKEY: 'required key not available',
  ENODATA: 'no data available',
  EOVERFLOW: 'value too large for defined data type'
}

// Names: libuv's first (Node's own errors use them, e.g. ENOTSUP for 95),
// then the kernel's table (native/constants.cc) for the rest.
function errnoName (errno: number): string {
  const fromUv = util.getSystemErrorMap().get(-errno)
  if (fromUv) return fromUv[0]
  return linuxErrnoName(errno) ?? 'E' + errno
}

function errnoMessage (errno: number, name: string): string {
  const fromUv = util.getSystemErrorMap().get(-errno)
  if (fromUv) return fromUv[1]
  return EXTRA_MESSAGES[name] ?? 'unknown error'
}

// Error messages stay one readable line: a path longer than about twice
// `keep` is shown as its first and last `keep` characters around an
// ellipsis (the error's `path` property keeps it whole).
const ELIDE_KEEP = 100

/** `s` itself, or its first and last `keep` characters joined by '…' if it is long. */
export function elide (s: string, keep = ELIDE_KEEP): string {
  if (s.length <= keep * 2 + 40) return s
  return `${s.slice(0, keep)}…${s.slice(-keep)}`
}

/** A message with every long quoted part ('...': paths, entry names) elided. */
export function boundMessage (message: string): string {
  if (message.length <= ELIDE_KEEP * 2 + 40) return message
  return message.replace(/'([^']{241,})'/g, (_, q: string) => `'${elide(q)}'`)
}

/**
 * A directory entry's name for a message: quoted, with control bytes,
 * quotes, backslashes (and every non-ASCII byte when it is not UTF-8) as
 * escapes, so a corrupt name shows what it holds.
 */
export function escapeName (name: Buffer): string {
  const hex = (c: number): string => '\\x' + c.toString(16).padStart(2, '0')
  const s = name.toString('utf8')
  let out = ''
  if (Buffer.from(s, 'utf8').equals(name)) {
    for (const ch of s) {
      const c = ch.codePointAt(0) as number
      out += ch === '"' || ch === '\\' ? '\\' + ch : c < 0x20 || c === 0x7f ? hex(c) : ch
    }
  } else {
    for (const c of name) out += c === 0x22 || c === 0x5c ? '\\' + String.fromCharCode(c) : c < 0x20 || c >= 0x7f ? hex(c) : String.fromCharCode(c)
  }
  return `"${elide(out)}"`
}

/**
 * Build the error for a failed syscall. `neg` is the kernel's -errno;
 * `path`/`dest` are exactly what the caller passed. `stackFrom` is an
 * Error made at the call site, whose stack the result takes over.
 */
export function systemError (neg: number, syscall: string, path?: string, dest?: string, stackFrom?: Error): SystemError {
  const errno = -neg
  const code = errnoName(errno)
  let message = `${code}: ${errnoMessage(errno, code)}, ${syscall}`
  if (path !== undefined) message += ` '${elide(path)}'`
  if (dest !== undefined) message += ` -> '${elide(dest)}'`
  const err = new Error(message) as SystemError
  err.errno = neg
  err.code = code
  err.syscall = syscall
  if (path !== undefined) err.path = path
  if (dest !== undefined) err.dest = dest
  if (stackFrom?.stack) {
    // The caller's frames only: drop the ones inside this package.
    const frames = stackFrom.stack.split('\n').slice(1).filter((l) => !l.includes(__dirname))
    err.stack = `Error: ${message}\n${frames.join('\n')}`
  }
  return err
}

/** The code of a negative errno, e.g. -2 -> 'ENOENT'. */
export function errnoCode (neg: number): string {
  return errnoName(-neg)
}

// Every LklError carries this mark, whichever copy of the package made it.
const LKL_ERROR = Symbol.for('lkl.LklError')

/** Library state errors: one class, static factories, codes ERR_LKL_*. */
export class LklError extends Error {
  /**
   * `instanceof LklError` holds for an LklError of any copy of this code in
   * the process: the bundle (dist/lkl.bundle.js) and the modules tsc wrote, or two
   * installed versions, each have their own class object.
   */
  static override [Symbol.hasInstance] (x: unknown): boolean {
    if (this !== LklError) return Function.prototype[Symbol.hasInstance].call(this, x)
    return typeof x === 'object' && x !== null && (x as { [LKL_ERROR]?: boolean })[LKL_ERROR] === true
  }

  code: string
  errno?: number
  syscall?: string
  path?: string
  /** ERR_LKL_CORRUPT_NAME: the name's raw bytes. */
  badName?: Buffer
  /** ERR_LKL_MOUNT_FAILED: the kernel's lines (warning level or worse) logged by the attempt. */
  kernelLog?: string[]

  constructor (code: string, message: string) {
    super(boundMessage(message))
    this.name = 'LklError'
    this.code = code
    Object.defineProperty(this, LKL_ERROR, { value: true })
  }

  static halted (): LklError {
    return new LklError('ERR_LKL_HALTED', 'The kernel was halted; halt() is final for the process')
  }

  static imageClosed (): LklError {
    return new LklError('ERR_LKL_IMAGE_CLOSED', 'The image is closed')
  }

  static fileClosed (): LklError {
    return new LklError('ERR_LKL_FILE_CLOSED', 'The file handle is closed')
  }

  static unknownFsType (type: string, file: string): LklError {
    const e = new LklError('ERR_LKL_UNKNOWN_FSTYPE', type === 'auto'
      ? `Could not detect a filesystem in '${file}'`
      : `Unknown filesystem type '${type}' (not built into the kernel)`)
    e.path = file
    return e
  }

  static noPartition (file: string, partition: number): LklError {
    const e = new LklError('ERR_LKL_NO_PARTITION', `No partition ${partition} in '${file}'`)
    e.path = file
    return e
  }

  /** A partitioned disk opened without a partition: the list (`N: TYPE 'LABEL', SIZE`) and how to choose. */
  static partitionNeeded (file: string, partitions: string[]): LklError {
    const e = new LklError('ERR_LKL_UNKNOWN_FSTYPE', `Could not detect a filesystem in '${file}': it is partitioned (${partitions.join('; ')}); choose one with --partition N (open option partition: N)`)
    e.path = file
    return e
  }

  /** The warning when open() without a partition mounts the only partition holding a filesystem. */
  static partitionPicked (file: string, partition: string): LklError {
    return new LklError('ERR_LKL_PARTITION_PICKED', `Using partition ${partition}, the only partition of '${file}' holding a filesystem`)
  }

  static noPartitionMatching (file: string, what: string): LklError {
    const e = new LklError('ERR_LKL_NO_PARTITION', `No partition with ${what} in '${file}'`)
    e.path = file
    return e
  }

  static diskTooSmall (file: string, detail: string): LklError {
    const e = new LklError('ERR_LKL_DISK_TOO_SMALL', `'${file}' is too small: ${detail}`)
    e.path = file
    return e
  }

  static diskClosed (name: string): LklError {
    const e = new LklError('ERR_LKL_DISK_CLOSED', `The disk '${name}' is closed`)
    e.path = name
    return e
  }

  static readOnlyDisk (name: string): LklError {
    const e = new LklError('ERR_LKL_READ_ONLY', `The disk '${name}' is read-only`)
    e.path = name
    return e
  }

  /** Another process holds the image file's lock (see lib/disk/host-file.ts). */
  static imageLocked (file: string, write: boolean): LklError {
    const e = new LklError('ERR_LKL_IMAGE_BUSY', write
      ? `'${file}' is open in another process (open it when that one is done, or pass { wait: true } / --wait)`
      : `'${file}' is open for writing by another process (pass { wait: true } / --wait to wait for it)`)
    e.path = file
    return e
  }

  static imageBusy (file: string, partition: number): LklError {
    const what = partition ? `partition ${partition} of '${file}'` : `'${file}'`
    const e = new LklError('ERR_LKL_IMAGE_BUSY', `${what} is already open in this process`)
    e.path = file
    return e
  }

  static alreadyBooted (running: number, asked: number): LklError {
    const mib = (n: number): string => `${Math.round(n / 1048576)} MiB`
    return new LklError('ERR_LKL_ALREADY_BOOTED', `The kernel is already running with ${mib(running)} of memory (asked for ${mib(asked)}); call boot({ memory }) before the first open()`)
  }

  static toolMissing (bin: string, pkg: string): LklError {
    return new LklError('ERR_LKL_TOOL_MISSING', `${bin} not found: install the Debian package '${pkg}' (apt-get install ${pkg})`)
  }

  /** A tool (`bin`: its name, or its command line) that ran and failed; `output`: its last lines. */
  static toolFailed (bin: string, what: string, output: string): LklError {
    const e = new LklError('ERR_LKL_TOOL_FAILED', `${bin} failed${what ? ` for '${what}'` : ''}: ${output}`)
    if (what) e.path = what
    return e
  }

  /** An entry refused because it would land outside the destination tree; `why` says how. */
  static unsafePath (p: string, why = "its path leaves the destination (absolute or '..')"): LklError {
    const e = new LklError('ERR_LKL_UNSAFE_PATH', `Refusing the entry '${p}': ${why}`)
    e.path = p
    return e
  }

  /** An entry below `parent` (relative to the destination), which is a symlink or no directory. */
  static unsafeParent (p: string, parent: string, isSymlink: boolean): LklError {
    const e = new LklError('ERR_LKL_UNSAFE_PATH', `Refusing the entry '${p}': '${parent}' is ${isSymlink ? 'a symlink' : 'not a directory'}`)
    e.path = p
    return e
  }

  /** An entry of a kind the image's filesystem cannot create (symlinks on vfat). */
  static unsupportedEntry (fsType: string, kind: string, path: string): LklError {
    const e = new LklError('ERR_LKL_UNSUPPORTED_ENTRY', `${fsType} cannot hold ${kind}: '${path}'`)
    e.path = path
    return e
  }

  static notAFile (file: string): LklError {
    const e = new LklError('ERR_LKL_NOT_A_FILE', `'${file}' exists and is not a regular file`)
    e.path = file
    return e
  }

  /** A synchronous kernel call (bootSync, haltSync) that cannot wait for what is under way. */
  static busy (why: string): LklError {
    return new LklError('ERR_LKL_BUSY', `Cannot do that now: ${why}`)
  }

  static alreadyBootedClock (): LklError {
    return new LklError('ERR_LKL_ALREADY_BOOTED', 'The kernel is already running with a different clock; call boot({ frozenClock }) before the first open()')
  }

  static bootFailed (neg: number): LklError {
    const e = new LklError('ERR_LKL_BOOT_FAILED', `The kernel failed to boot (${errnoCode(neg)})`)
    e.errno = neg
    return e
  }

  /** `log`: the kernel's lines about the attempt (the last few go in the message). */
  static mountFailed (file: string, type: string, partition: number, neg: number, log: string[]): LklError {
    const where = partition ? `partition ${partition} of '${elide(file)}'` : `'${elide(file)}'`
    let message = `Could not mount ${where} as ${type} (${errnoCode(neg)})`
    if (log.length) message += `: ${log.slice(-3).map((l) => elide(l)).join('; ')}`
    const e = new LklError('ERR_LKL_MOUNT_FAILED', message)
    e.errno = neg
    e.syscall = 'mount'
    e.path = file
    e.kernelLog = log
    return e
  }

  static kernel (what: string, neg: number): LklError {
    const e = new LklError('ERR_LKL_KERNEL', `${what} failed (${errnoCode(neg)})`)
    e.errno = neg
    return e
  }

  // ---- Corrupt directories (lib/listing.ts) ----

  /**
   * A directory entry that is never followed: `name` (raw bytes) listed in
   * `dir`, refused because of `why`; `neg` the errno that fits (-EUCLEAN,
   * or the kernel's). `skipped`: the warning when it is skipped instead.
   */
  static corruptName (dir: string, name: Buffer, why: string, neg: number, skipped = false): LklError {
    const what = `directory entry ${escapeName(name)} in '${elide(dir)}': ${why}`
    const e = new LklError('ERR_LKL_CORRUPT_NAME', skipped ? `Skipped the corrupt ${what}` : `Corrupt ${what}`)
    e.errno = neg
    e.syscall = 'scandir'
    e.path = dir
    e.badName = name
    return e
  }

  /** The warning when a listing that ended early (`neg`) is kept as it is. */
  static listingCut (dir: string, neg: number): LklError {
    const e = new LklError('ERR_LKL_CORRUPT_NAME', `Skipped the rest of '${elide(dir)}': listing it failed with ${errnoCode(neg)} (a name the kernel refuses, empty or with '/', or a damaged directory block)`)
    e.errno = neg
    e.syscall = 'scandir'
    e.path = dir
    return e
  }

  /** A directory deeper than `max` levels below the walk's root. */
  static tooDeep (p: string, max: number): LklError {
    const e = new LklError('ERR_LKL_TOO_DEEP', `'${elide(p)}' is more than ${max} directories deep (a corrupt filesystem that loops?)`)
    e.path = p
    return e
  }

  // ---- The tar codec (lib/tar) ----

  /** Malformed tar input; `path` is the entry it concerns, when known. */
  static tarInvalid (message: string, path?: string): LklError {
    const e = new LklError('ERR_LKL_TAR_INVALID', message)
    if (path !== undefined) e.path = path
    return e
  }

  /** An entry's content is longer or shorter (`got` bytes) than its `size`. */
  static entrySize (path: string, size: number, got: number): LklError {
    const e = new LklError('ERR_LKL_ENTRY_SIZE', `The content of '${path}' is ${got > size ? 'longer' : 'shorter'} than its size (${size} bytes)`)
    e.path = path
    return e
  }

  // ---- end of the tar codec's factories ----

  // ---- Container images (lib/oci) ----

  /** A blob of a container image whose sha256 is not the one its image names. */
  static ociDigest (source: string, blob: string, expected: string, got: string): LklError {
    const e = new LklError('ERR_LKL_OCI_DIGEST', `${blob} of ${source} has the digest ${got}, not ${expected} (corrupt or changed)`)
    e.path = source
    return e
  }

  /** A container image source that is malformed or that lkl cannot read. */
  static ociInvalid (source: string, why: string): LklError {
    const e = new LklError('ERR_LKL_OCI_INVALID', `${source}: ${why}`)
    e.path = source
    return e
  }

  /** No image of the source matches the ref / platform asked for (`have` lists what there is). */
  static ociNotFound (source: string, what: string, have: string[]): LklError {
    const e = new LklError('ERR_LKL_OCI_NOT_FOUND', `${source} has no image ${what}${have.length ? ` (it has: ${have.join(', ')})` : ''}`)
    e.path = source
    return e
  }
}

/** Node's ERR_INVALID_ARG_TYPE, thrown synchronously before native calls. */
export function invalidArgType (name: string, expected: string, actual: unknown): TypeError {
  let got: string
  if (actual == null) got = ` Received ${actual}`
  else if (typeof actual === 'function') got = ' Received function'
  else if (typeof actual === 'object') got = ` Received an instance of ${(actual as object).constructor?.name ?? 'Object'}`
  else got = ` Received type ${typeof actual} (${util.inspect(actual).slice(0, 28)})`
  const e = new TypeError(`The "${name}" argument must be ${expected}.${got}`) as TypeError & { code: string }
  e.code = 'ERR_INVALID_ARG_TYPE'
  return e
}

/** Node's ERR_INVALID_ARG_VALUE. */
export function invalidArgValue (name: string, value: unknown, reason: string): TypeError {
  const e = new TypeError(`The argument '${name}' ${reason}. Received ${util.inspect(value)}`) as TypeError & { code: string }
  e.code = 'ERR_INVALID_ARG_VALUE'
  return e
}

/** Node's ERR_OUT_OF_RANGE. */
export function outOfRange (name: string, range: string, value: unknown): RangeError {
  const e = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${util.inspect(value)}`) as RangeError & { code: string }
  e.code = 'ERR_OUT_OF_RANGE'
  return e
}
