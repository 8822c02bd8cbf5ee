// SPDX-License-Identifier: GPL-2.0-only
//
// The one file that knows the addon's names and shapes.
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

import * as path from 'path'

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
  STATX_BASIC_STATS: number
  STATX_BTIME: number
  MS_RDONLY: number
  MS_NOATIME: number
  MS_SYNCHRONOUS: number
}

/** A result: >= 0 on success, -errno on failure. */
type R = Promise<number>

export interface Native {
  // kernel.cc
  boot(memoryBytes: number, logToStderr: boolean, cmdline: string): R
  halt(): R
  logTail(maxBytes: number): Promise<string>
  /** Synchronous: blocks the JS thread. Only for process exit. */
  emergencyClose(fds: number[], mounts: string[], timeoutMs: number): number

  // disk.cc
  diskAddFd(hostFd: number, readOnly: boolean): R
  diskRemove(diskId: number): R
  mount(diskId: number, partition: number, fstype: string, flags: number, data: string): Promise<string | number>
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
  truncate(root: number, path: string | Buffer, length: number): R

  // ops_struct.cc
  statx(root: number, path: string | Buffer, flags: number, mask: number): Promise<Statx | number>
  fstatx(fd: number, mask: number): Promise<Statx | number>
  /** Batched: the whole directory in one call, without "." and "..". */
  readdir(root: number, path: string | Buffer): Promise<RawDirent[] | number>
  readlinkat(root: number, path: string | Buffer): Promise<Buffer | number>
  statfs(root: number, path: string | Buffer): Promise<Statfs | number>
  utimensat(root: number, path: string | Buffer, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number, flags: number): R

  constants: Constants
  poolThreads: number
}

function load (): Native {
  const root = path.join(__dirname, '..')
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('node-gyp-build')(root) as Native
  } catch (err) {
    const e = err as Error
    e.message = 'lkl: could not load the native addon (' + e.message + '). ' +
      'It is built by `npm install` (deps/build.sh, then node-gyp); ' +
      'see README.md.'
    throw e
  }
}

export const native: Native = load()
export const constants: Constants = native.constants
