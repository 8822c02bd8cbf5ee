// SPDX-License-Identifier: GPL-2.0-only
// The public API (re-exports only; see docs/api.md).

export { boot, halt, kernelLog, stats } from './kernel'
export type { BootOptions, KernelStats } from './kernel'
export { open, Image } from './image'
export type { OpenOptions, StatFs } from './image'
export * as disk from './disk'
export { Disk, FileDisk, MemoryDisk, CustomDisk, OverlayDisk } from './disk'
export type { Partition, CustomDiskImpl, FileDiskOptions, RawStreamOptions } from './disk'
export { LklError } from './errors'
export type { SystemError } from './errors'
export { Stats, BigIntStats, Dirent } from './fs/stats'
export { FileHandle } from './fs/file-handle'
export { Dir } from './fs/tree'
export type { FsPromises } from './fs/promises'
export type { Fs } from './fs/shim'
export { imageWalk, ImageWalk } from './tree/image-walk'
export type { WalkOptions } from './tree/image-walk'
export { imageWriter, ImageWriter } from './tree/image-writer'
export type { WriterOptions, WhiteoutMode } from './tree/image-writer'
export { fsCapabilities, describeDropped } from './tree/fs-capabilities'
export type { FsCapabilities, Dropped } from './tree/fs-capabilities'
export { ImageReadStream } from './streams/file-read'
export type { ReadStreamOptions } from './streams/file-read'
export { ImageWriteStream } from './streams/file-write'
export type { WriteStreamOptions } from './streams/file-write'
export { BlockReadStream, BlockWriteStream } from './streams/block'
export { copyIn, copyOut } from './streams/copy'
export type { CopyOptions } from './streams/copy'
export * as transforms from './tree/transforms'
export { nameFromBytes, nameToBytes } from './name-bytes'
export type { PackOptions } from './tar/pack'
export type { UnpackOptions } from './tar/unpack'
export { hostWalk, HostWalk } from './tree/host-walk'
export type { HostWalkOptions } from './tree/host-walk'
export { hostWriter, HostWriter } from './tree/host-writer'
export type { HostWriterOptions } from './tree/host-writer'
export type { Entry, EntryType } from './tree/entry'
export type { OciLayersOptions, OciFormat, LayerInfo } from './oci/layers'
export type { EntryReadable, EntryDuplex, EntryTransform, ByteDuplex, ObjectReadable, ObjectDuplex, ByteReadable } from './streams/node-types'
export type { MkfsOptions, MkfsResult } from './mkfs'
export type { FsType } from './fstype-aliases'
export type { MountOptions } from './compat'

// Loaded on first use (lib/lazy-module.ts): each name is a getter on its
// module, declared here with the module's own types.
/* eslint-disable @typescript-eslint/no-redeclare -- a class's value and its instance type share the name, as with a class declaration */
import type * as PackModule from './tar/pack'
import type * as UnpackModule from './tar/unpack'
import type * as OciModule from './oci/layers'
import type * as MkfsModule from './mkfs'
import type * as CompatModule from './compat'
import { lazyModule } from './lazy-module'
export declare const tarPack: typeof PackModule.tarPack
export declare const TarPack: typeof PackModule.TarPack
export type TarPack = PackModule.TarPack
export declare const tarUnpack: typeof UnpackModule.tarUnpack
export declare const TarUnpack: typeof UnpackModule.TarUnpack
export type TarUnpack = UnpackModule.TarUnpack
export declare const ociLayers: typeof OciModule.ociLayers
export declare const OciLayers: typeof OciModule.OciLayers
export type OciLayers = OciModule.OciLayers
export declare const mkfs: typeof MkfsModule.mkfs
export declare const mkfsTypes: typeof MkfsModule.mkfsTypes
export declare const Usage: typeof MkfsModule.Usage
export type Usage = MkfsModule.Usage
// The node-lkl 1.x API (docs/api.md, "node-lkl 1.x compatibility").
export declare const startKernelSync: typeof CompatModule.startKernelSync
export declare const haltKernelSync: typeof CompatModule.haltKernelSync
export declare const mount: typeof CompatModule.mount
export declare const umount: typeof CompatModule.umount
export declare const fs: typeof CompatModule.fs

const pack = lazyModule((): typeof PackModule => require('./tar/pack'))
const unpack = lazyModule((): typeof UnpackModule => require('./tar/unpack'))
const oci = lazyModule((): typeof OciModule => require('./oci/layers'))
const mkfsModule = lazyModule((): typeof MkfsModule => require('./mkfs'))
const compat = lazyModule((): typeof CompatModule => require('./compat'))
Object.defineProperty(exports, 'tarPack', { enumerable: true, get: function () { return pack.tarPack } })
Object.defineProperty(exports, 'TarPack', { enumerable: true, get: function () { return pack.TarPack } })
Object.defineProperty(exports, 'tarUnpack', { enumerable: true, get: function () { return unpack.tarUnpack } })
Object.defineProperty(exports, 'TarUnpack', { enumerable: true, get: function () { return unpack.TarUnpack } })
Object.defineProperty(exports, 'ociLayers', { enumerable: true, get: function () { return oci.ociLayers } })
Object.defineProperty(exports, 'OciLayers', { enumerable: true, get: function () { return oci.OciLayers } })
Object.defineProperty(exports, 'mkfs', { enumerable: true, get: function () { return mkfsModule.mkfs } })
Object.defineProperty(exports, 'mkfsTypes', { enumerable: true, get: function () { return mkfsModule.mkfsTypes } })
Object.defineProperty(exports, 'Usage', { enumerable: true, get: function () { return mkfsModule.Usage } })
Object.defineProperty(exports, 'startKernelSync', { enumerable: true, get: function () { return compat.startKernelSync } })
Object.defineProperty(exports, 'haltKernelSync', { enumerable: true, get: function () { return compat.haltKernelSync } })
Object.defineProperty(exports, 'mount', { enumerable: true, get: function () { return compat.mount } })
Object.defineProperty(exports, 'umount', { enumerable: true, get: function () { return compat.umount } })
Object.defineProperty(exports, 'fs', { enumerable: true, get: function () { return compat.fs } })
