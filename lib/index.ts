// SPDX-License-Identifier: GPL-2.0-only
// The public API (re-exports only; see docs/api.md).

export { boot, halt, kernelLog } from './kernel'
export type { BootOptions } from './kernel'
export { open, Image } from './image'
export type { OpenOptions } from './image'
export { LklError } from './errors'
export type { SystemError } from './errors'
export { Stats, Dirent } from './fs/stats'
export { FileHandle } from './fs/file-handle'
export type { FsPromises } from './fs/promises'
