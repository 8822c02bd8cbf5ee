// SPDX-License-Identifier: GPL-2.0-only
//
// The one file that knows the addon's names and shapes (longer than most
// files on purpose: the addon's whole surface, typed in one place).
//
// Every function returning a Promise runs its work on the addon's pool of
// host threads (never on the JS thread) and resolves on the JS thread.
// Results are the kernel's: a value >= 0 or a negative Linux errno, never a
// rejection (the addon has no policy and no messages).
//
// Path operations take a root first: a kernel O_PATH directory fd (an
// image's root) that the call is chrooted into, so absolute symlinks and
// ".." resolve inside the image; -1 = the kernel's own root. Paths are
// strings or Buffers (raw bytes).

import { packageRoot } from './package-root'

export interface Statx {
  mask: number
  blksize: number
  attributes: number
  nlink: number
  uid: number
  gid: number
  mode: number
  ino: number
  size: number
  blocks: number
  atimeSec: number
  atimeNsec: number
  btimeSec: number
  btimeNsec: number
  ctimeSec: number
  ctimeNsec: number
  mtimeSec: number
  mtimeNsec: number
  rdevMajor: number
  rdevMinor: number
  devMajor: number
  devMinor: number
}

export interface RawDirent {
  name: string
  /** DT_* value from the kernel (0 when the fs does not say). */
  type: number
  ino: number
}

/**
 * What a directory listing could not give (native/dirents.h), as properties
 * of the array of entries, each only when there is one: `bad`, names never
 * followed (empty, with a NUL byte, a second '.' or '..'; raw bytes);
 * `listErr`, the -errno getdents failed with after some entries.
 */
export interface ListingFlaws {
  bad?: Buffer[]
  listErr?: number
}

export interface Statfs {
  type: number
  bsize: number
  blocks: number
  bfree: number
  bavail: number
  files: number
  ffree: number
  namelen: number
}

export interface Constants {
  O_RDONLY: number
  O_WRONLY: number
  O_RDWR: number
  O_CREAT: number
  O_EXCL: number
  O_NOCTTY: number
  O_TRUNC: number
  O_APPEND: number
  O_NONBLOCK: number
  O_DSYNC: number
  O_SYNC: number
  O_DIRECTORY: number
  O_NOFOLLOW: number
  O_NOATIME: number
  O_CLOEXEC: number
  O_PATH: number
  O_DIRECT: number
  AT_FDCWD: number
  AT_REMOVEDIR: number
  AT_SYMLINK_NOFOLLOW: number
  AT_EMPTY_PATH: number
  RENAME_NOREPLACE: number
  RENAME_EXCHANGE: number
  S_IFMT: number
  S_IFSOCK: number
  S_IFLNK: number
  S_IFREG: number
  S_IFBLK: number
  S_IFDIR: number
  S_IFCHR: number
  S_IFIFO: number
  S_ISUID: number
  S_ISGID: number
  S_ISVTX: number
  XATTR_CREATE: number
  XATTR_REPLACE: number
  STATX_BASIC_STATS: number
  STATX_BTIME: number
  MS_RDONLY: number
  MS_NOATIME: number
  MS_SYNCHRONOUS: number
}

/**
 * Linux errno numbers by name (positive, as in the kernel's headers; results
 * are their negatives), from native/constants.cc. Every Linux errno name is
 * present at run time (lib/errors.ts names errors with this table); the
 * ones lib/ compares results with are typed here.
 */
export interface Errno {
  readonly EPERM: number
  readonly ENOENT: number
  readonly EIO: number
  readonly ENXIO: number
  readonly EBADF: number
  readonly EEXIST: number
  readonly EXDEV: number
  readonly EAGAIN: number
  readonly ENODEV: number
  readonly EISDIR: number
  readonly ENOTDIR: number
  readonly EINVAL: number
  readonly ELOOP: number
  readonly EOPNOTSUPP: number
  readonly EUCLEAN: number
  readonly EBADMSG: number
  readonly EFBIG: number
}

/** applyEntries' codes (native/batch_apply.cc): what to create, how, and which step failed. */
export interface ApplyCodes {
  op: { file: number, dir: number, symlink: number, hardlink: number, node: number, meta: number, rename: number, remove: number, clear: number }
  /** Bits: replace an existing non-directory (a directory too with replaceTree), leave times / owner / mode alone, skip xattrs the fs lacks, meta only on a directory, skip under a missing parent. */
  flag: { replace: number, noTimes: number, noOwner: number, noMode: number, xattrLenient: number, replaceTree: number, ifDir: number, ifParent: number }
  step: { create: number, write: number, chown: number, chmod: number, xattr: number, times: number, unlink: number, resolve: number, rename: number }
}

/** scanDir/scanDirs flag bits (native/batch_scan.cc): read xattrs; the path itself, not its children. */
export interface ScanFlags { xattrs: number, self: number }

/** The op numbers a custom disk's dispatch receives (native/disk_custom.cc). */
export interface CustomDiskOps { read: number, write: number, flush: number, discard: number }

/** A partition as diskPartitions/diskTable report it (byte offsets). */
export interface RawPartition { number: number, start: number, size: number, name: string, type: string, uuid: string }

/** A directory entry as scanDir returns it (lstat + link target + xattrs). */
export interface ScanRec {
  name: Buffer
  err: number
  mode: number
  uid: number
  gid: number
  nlink: number
  ino: number
  size: number
  blocks: number
  atimeSec: number
  atimeNsec: number
  mtimeSec: number
  mtimeNsec: number
  ctimeSec: number
  ctimeNsec: number
  rdevMajor: number
  rdevMinor: number
  devMajor: number
  devMinor: number
  link?: Buffer
  xattrs?: Array<string | Buffer>
  xattrErr?: number
  /** The whole content of a small regular file (scanDirs with maxFile). */
  data?: Buffer
}

/** One entry for applyEntries (op and flags: ApplyCodes). */
export interface ApplyItem {
  op: number
  path: string | Buffer
  flags?: number
  mode?: number
  uid?: number
  gid?: number
  atime?: number
  atimeNsec?: number
  mtime?: number
  mtimeNsec?: number
  target?: string | Buffer
  major?: number
  minor?: number
  data?: Uint8Array
  xattrs?: Array<string | Buffer>
  /** op clear: the child names that stay. */
  keep?: string[]
}

/** A result: >= 0 on success, -errno on failure. */
type R = Promise<number>

export interface Native {
  // kernel.cc
  boot(memoryBytes: number, logToStderr: boolean, cmdline: string): R
  halt(): R
  /** Synchronous boot and halt: block the JS thread (a host thread does the work). The node-lkl 1.x API only. */
  bootSync(memoryBytes: number, logToStderr: boolean, cmdline: string): number
  haltSync(): number
  /** The kernel's sysinfo: memory in bytes, procs = kernel tasks. */
  stats(): Promise<{ totalram: number, freeram: number, bufferram: number, procs: number } | number>
  /** Synchronous: blocks the JS thread. Only for process exit. */
  emergencyClose(fds: number[], mounts: string[], timeoutMs: number): number
  // kmsg.cc
  /** Every record the kernel's log ring holds, oldest first, levels up to maxLevel: [level, seq, text, ...]. */
  kernelLog(maxLevel: number): Promise<Array<number | string> | number>

  // disk.cc
  diskAddFd(hostFd: number, readOnly: boolean): R
  diskRemove(diskId: number): R
  /** The buffer's memory is the disk, in place; keep it referenced until removed. */
  diskAddMemory(buffer: Uint8Array, readOnly: boolean): R
  /** Copy-on-write in memory over a host file (opened read-only by the host library). */
  diskAddOverlay(hostFd: number, size: number): R
  diskOverlayBytes(diskId: number): R
  diskSize(diskId: number): R
  /** A kernel fd on the block device of a partition (0 = whole disk). */
  diskOpen(diskId: number, partition: number, flags: number): R
  /** The partitions the kernel found. */
  diskPartitions(diskId: number): Promise<RawPartition[] | number>
  /** The partitions the table on the disk declares, as written (also those the kernel dropped or cut short). */
  diskTable(diskId: number): Promise<RawPartition[] | number>
  /**
   * disk_custom.cc: a JS-backed disk. dispatch(op, buffer, position, length,
   * complete) runs on the JS thread for each request (op: customDiskOps;
   * read fills buffer) and must call complete(0 | -errno) once.
   */
  diskAddCustom(size: number, readOnly: boolean,
    dispatch: (op: number, buffer: Buffer | null, position: number, length: number, complete: (result: number) => void) => void,
    hasFlush: boolean, hasDiscard: boolean): R
  /** The mount point, or the errno and the kernel's lines of warning level or worse logged during the attempt. */
  mount(diskId: number, partition: number, fstype: string, flags: number, data: string): Promise<string | { errno: number, log: string[] }>
  umount(mountPoint: string): R

  // ops.cc
  openat(root: number, path: string | Buffer, flags: number, mode: number): R
  close(fd: number): R
  /** pos < 0: at the current file position. The buffer is used in place. */
  read(fd: number, buf: Uint8Array, offset: number, length: number, pos: number): R
  write(fd: number, buf: Uint8Array, offset: number, length: number, pos: number): R
  lseek(fd: number, offset: number, whence: number): R
  mkdirat(root: number, path: string | Buffer, mode: number): R
  unlinkat(root: number, path: string | Buffer, flags: number): R
  renameat2(root: number, oldPath: string | Buffer, newPath: string | Buffer, flags: number): R
  symlinkat(root: number, target: string | Buffer, linkPath: string | Buffer): R
  linkat(root: number, oldPath: string | Buffer, newPath: string | Buffer, flags: number): R
  fchmodat(root: number, path: string | Buffer, mode: number): R
  fchownat(root: number, path: string | Buffer, uid: number, gid: number, flags: number): R
  fsync(fd: number): R
  fdatasync(fd: number): R
  syncfs(fd: number): R
  sync(): R
  ftruncate(fd: number, length: number): R
  /** sync_file_range(fd, 0, length, WAIT_BEFORE | WRITE): wait for writeback under way, start the rest. */
  writeBack(fd: number, length: number): R
  truncate(root: number, path: string | Buffer, length: number): R

  // ops_struct.cc
  statx(root: number, path: string | Buffer, flags: number, mask: number): Promise<Statx | number>
  fstatx(fd: number, mask: number): Promise<Statx | number>
  /** Batched: the whole directory in one call, without "." and "..". */
  readdir(root: number, path: string | Buffer): Promise<(RawDirent[] & ListingFlaws) | number>
  readlinkat(root: number, path: string | Buffer): Promise<Buffer | number>
  statfs(root: number, path: string | Buffer): Promise<Statfs | number>
  utimensat(root: number, path: string | Buffer, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number, flags: number): R

  // ops_file.cc
  fchmod(fd: number, mode: number): R
  fchown(fd: number, uid: number, gid: number): R
  futimens(fd: number, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): R
  /** pos < 0: at the current file position. The buffers are used in place. */
  readv(fd: number, buffers: Uint8Array[], pos: number): R
  writev(fd: number, buffers: Uint8Array[], pos: number): R
  mknodat(root: number, path: string | Buffer, mode: number, major: number, minor: number): R
  faccessat(root: number, path: string | Buffer, mode: number): R
  /** The canonical path of a directory inside the root (chdir + getcwd). */
  dirpath(root: number, path: string | Buffer): Promise<Buffer | number>

  // ops_xattr.cc (follow = false: the l-prefixed call)
  getxattr(root: number, path: string | Buffer, name: string, follow: boolean): Promise<Buffer | number>
  /** The kernel's list: names, each NUL-terminated. */
  listxattr(root: number, path: string | Buffer, follow: boolean): Promise<Buffer | number>
  setxattr(root: number, path: string | Buffer, name: string, value: Uint8Array, flags: number, follow: boolean): R
  removexattr(root: number, path: string | Buffer, name: string, follow: boolean): R

  // ops_tree.cc (batched)
  /**
   * The whole subtree, breadth-first: [relpath, DT_* type, ...]; `bad`:
   * [reldir, name, ...] and `listErrs`: [reldir, -errno, ...] as in
   * ListingFlaws; `openErrs`: [relpath, -errno, ...], subdirectories that
   * could not be opened (not walked).
   */
  readdirTree(root: number, path: string | Buffer): Promise<(Array<string | number> & { bad?: Array<string | Buffer>, listErrs?: Array<string | number>, openErrs?: Array<string | number> }) | number>
  /** Remove a path and everything below it. */
  rmTree(root: number, path: string | Buffer): R

  // batch_scan.cc, batch_apply.cc, copy.cc (batched; see lib/tree and lib/streams)
  /** One directory (flags: scanFlags): sorted children with lstat, symlink targets, xattrs. */
  scanDir(root: number, path: string | Buffer, flags: number): Promise<(ScanRec[] & ListingFlaws) | number>
  /** Start reading a file range into the kernel's cache (returns once submitted). */
  readahead(fd: number, offset: number, length: number): R
  /** Drop a file's clean pages from the kernel's cache (read through once). */
  dropCache(fd: number, offset?: number, len?: number): R
  /** Several directories in one job (scanDir for each); files up to maxFile bytes come with `data`, within budget bytes. */
  scanDirs(root: number, paths: Array<string | Buffer>, flags: number, maxFile?: number, budget?: number): Promise<Array<(ScanRec[] & ListingFlaws) | number>>
  /** Many small files read whole in one job: a Buffer or -errno each. */
  readFiles(root: number, paths: Array<string | Buffer>, maxEach: number): Promise<Array<Buffer | number>>
  /** Create entries with content and metadata: 0, or [index, -errno, step] of the first failure. */
  applyEntries(root: number, base: string, items: ApplyItem[]): Promise<number | [number, number, number]>
  /** open(path) resolved beneath the directory base (openat2 RESOLVE_BENEATH): fd or -errno (-EXDEV: it leaves base). */
  openBeneath(root: number, base: string | Buffer, path: string | Buffer, flags: number, mode: number): R
  copyIn(hostFd: number, hostOff: number, kernelFd: number, kernelOff: number, len: number): R
  copyOut(kernelFd: number, kernelOff: number, hostFd: number, hostOff: number, len: number): R
  // name_codec.cc: the bytes <-> string mapping of names (lib/name-bytes.ts)
  nameToBytes(name: string): Buffer
  nameFromBytes(bytes: Uint8Array): string
  // host_ops.cc: host syscalls node:fs lacks (synchronous, JS thread, never the kernel)
  hostXattrs(path: string | Buffer): Array<string | Buffer> | number
  hostSetXattr(path: string | Buffer, name: string, value: Uint8Array): number
  hostMknod(path: string | Buffer, mode: number, major: number, minor: number): number
  hostLutimens(path: string | Buffer, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): number
  /** lseek on a host fd (SEEK_DATA = 3, SEEK_HOLE = 4): offset or -errno. */
  hostSeek(fd: number, offset: number, whence: number): number
  /** flock(fd, LOCK_SH or LOCK_EX, non-blocking): 0 or -errno (-EWOULDBLOCK when another holds it). */
  hostFlock(fd: number, exclusive: boolean): number
  /** flock(fd, LOCK_UN): 0 | -errno. */
  hostUnlock(fd: number): number

  constants: Constants
  errno: Errno
  applyCodes: ApplyCodes
  scanFlags: ScanFlags
  customDiskOps: CustomDiskOps
  poolThreads: number
}

function load (): Native {
  try {
    return require('node-gyp-build')(packageRoot) as Native
  } catch (err) {
    const e = err as Error
    e.message = 'lkl: could not load the native addon (' + e.message + '). ' +
      'The package ships prebuilt addons for linux-x64 and linux-arm64 (glibc >= 2.31); ' +
      'elsewhere the install script builds it from source (without --ignore-scripts): ' +
      'see docs/building.md.'
    throw e
  }
}

export const native: Native = load()
export const constants: Constants = native.constants
export const errno: Errno = native.errno
export const applyCodes: ApplyCodes = native.applyCodes
export const scanFlags: ScanFlags = native.scanFlags
export const customDiskOps: CustomDiskOps = native.customDiskOps

const errnoTable = native.errno as unknown as Record<string, number>
let errnoNames: Map<number, string> | null = null

/** The Linux errno number a code names ('ENOENT' -> 2), undefined if none. */
export function errnoNumber (code: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(errnoTable, code) ? errnoTable[code] : undefined
}

/** The name of a Linux errno number (2 -> 'ENOENT'; aliases come after the names). */
export function errnoName (n: number): string | undefined {
  if (!errnoNames) {
    errnoNames = new Map()
    for (const [name, v] of Object.entries(errnoTable)) if (!errnoNames.has(v)) errnoNames.set(v, name)
  }
  return errnoNames.get(n)
}
