// SPDX-License-Identifier: GPL-2.0-only
//
// imageWriter(img, root, opts): an object Writable of Entry that creates
// each entry in the image with its metadata (numeric owners, mode incl.
// setuid/sticky, ns times, xattrs incl. ACLs and capabilities, devices,
// fifos, hardlinks). Directory times are applied at the end, deepest first,
// after their children were written.
//
// Batched: small files (whole content), directories, links and nodes are
// queued and created by one native call per batch; a big file is written in
// large chunks (all-zero blocks are skipped, leaving holes: sparse-write.ts).
//
// Confinement: every entry is created beneath the writer's root with the
// kernel's guarantee (native/beneath.h: openat2 RESOLVE_BENEATH per parent,
// the last component never followed), so no entry (a symlink planted by an
// earlier one, '..', an absolute link) reaches outside the root; one that
// would fails with ERR_LKL_UNSAFE_PATH naming it, and nothing of it is made.
//
// What the filesystem cannot hold (fs-capabilities.ts: vfat, exfat): owners,
// setuid/setgid/sticky bits and xattrs are dropped and counted in
// writer.dropped; entry kinds it cannot create (symlinks, hardlinks,
// devices, fifos, sockets) fail with ERR_LKL_UNSUPPORTED_ENTRY naming the
// entry, or with `unsupported: 'skip'` are skipped and counted.
//
// Layers (container images: lib/oci, or a layer tar): with `whiteouts`
// set, entries are merged as overlayfs merges layers: later entries replace
// earlier ones whatever their kinds (a file replaces a directory with its
// contents, a directory a file), and the layer marks (entry.ts: 'whiteout',
// 'opaque') are applied (removed beneath the root, never through a symlink:
// native/batch_apply.cc), stored the overlayfs way, or kept as .wh. files.
// An opaque directory keeps the children its own layer gave it: the writer
// remembers the names each directory got in the current layer (entry.layer
// changes start a new one), memory in proportion to one layer's entries.
//
// img.close() waits for the batch in flight and for a big file being
// written (to its end, metadata included; the file is one pending operation
// of the image); the writer's next entry then fails with
// ERR_LKL_IMAGE_CLOSED. See docs/threads.md.

import { Writable } from 'streamx'
import { native, constants as C, errno, applyCodes, ApplyItem } from '../native'
import { systemError, invalidArgValue, LklError } from '../errors'
import { ImageCore, shown } from '../image-core'
import { Entry, normalizePath, unsafePath, entryTimes, typeBits, readContent, takeBuffer } from './entry'
import { whiteoutName, OPAQUE_NAME, OVERLAY_OPAQUE_XATTR } from './whiteouts'
import { PathLike, checkPath, checkOptions } from '../validate'
import { writeSparse, SPARSE_CHUNK } from './sparse-write'
import { BatchSlabs } from './batch-slabs'
import { FsCapabilities, Dropped, fsCapabilities, isUnsupported, kindName } from './fs-capabilities'
import { nameFromBytes } from '../name-bytes'
import { randomBytes } from '../random'

export interface WriterOptions {
  /** Replace existing non-directories (default false: EEXIST names the entry). */
  overwrite?: boolean
  /** Apply uid/gid (default true; numeric, as the entries say). */
  owners?: boolean
  /** Apply xattrs (default true). */
  xattrs?: boolean
  /** Skip xattrs the filesystem does not support instead of failing (default false). */
  lenientXattrs?: boolean
  /**
   * Entries of a kind the filesystem cannot hold at all (symlinks on vfat):
   * 'error' (default) fails with ERR_LKL_UNSUPPORTED_ENTRY, 'skip' skips them
   * (counted in writer.dropped).
   */
  unsupported?: 'error' | 'skip'
  /**
   * Merge the entries as container image layers and say what to do with
   * their whiteouts: 'apply' (remove the paths they name; an opaque
   * directory loses the children earlier layers gave it), 'overlay' (store
   * them as overlayfs does: a 0/0 character device, and the xattr
   * trusted.overlay.opaque=y), 'keep' (write the .wh. files literally).
   * Implies overwrite, and a non-directory then replaces a directory with
   * its contents. Unset: plain merging, and a whiteout entry is an error.
   */
  whiteouts?: WhiteoutMode
  /** Files up to this size are batched with their content (default 1 MiB). */
  smallFile?: number
  highWaterMark?: number
}

export type WhiteoutMode = 'apply' | 'overlay' | 'keep'
const WHITEOUT_MODES: readonly WhiteoutMode[] = ['apply', 'overlay', 'keep']

const OP = applyCodes.op
const F = applyCodes.flag
const STEP = applyCodes.step
const BATCH_ITEMS = 512
const OUTSIDE = 'it resolves outside the destination (through a symlink or \'..\')'
// Small files' bytes per batch: their contents are copied into the writer's
// two slabs of this size (batch-slabs.ts); 2 MiB batches measured no slower
// than 16 MiB ones, and keep 28 MiB less alive.
const BATCH_BYTES = 2 << 20

// The syscall an error names: by op for the create step, else by step.
const CREATE_SYSCALL: Record<number, string> = {
  [OP.file]: 'open', [OP.dir]: 'mkdir', [OP.symlink]: 'symlink', [OP.hardlink]: 'link', [OP.node]: 'mknod', [OP.meta]: 'lstat', [OP.remove]: 'unlink', [OP.clear]: 'rmdir'
}
const STEP_SYSCALL: Record<number, string> = {
  [STEP.write]: 'write', [STEP.chown]: 'chown', [STEP.chmod]: 'chmod', [STEP.xattr]: 'setxattr', [STEP.times]: 'utime', [STEP.unlink]: 'unlink', [STEP.rename]: 'rename'
}

export class ImageWriter extends Writable {
  private _img: ImageCore
  private _kroot: string
  private _shownRoot: string
  private _flags: number
  private _xattrs: boolean
  private _small: number
  private _batch: ApplyItem[] = []
  private _names: string[] = []
  private _bytes = 0
  private _slabs = new BatchSlabs(BATCH_BYTES)
  // A big file's chunk buffer, reused from file to file (one big file at a time).
  private _bigBuf: Buffer | null = null
  // Directory times, set at the end: the last entry of each directory wins.
  private _dirTimes = new Map<string, ApplyItem>()
  private _whiteouts: WhiteoutMode
  private _layered: boolean
  // Layers: the names each directory got in the current layer (opaque
  // directories keep them), and which layer that is.
  private _layerNames = new Map<string, Set<string>>()
  private _layer: number | undefined
  private _caps: FsCapabilities
  private _skip: boolean
  // The owner the filesystem shows for every file when it holds none.
  private _fsOwner: [number, number] = [0, 0]
  /**
   * What the filesystem could not hold, counted per kind: dropped attributes
   * (owners, setuid, setgid, sticky: entries; xattrs: attributes) and
   * skipped entries (symlink, hardlink, char, block, fifo, socket). Kinds
   * that never happened are absent. Final once the writer has finished.
   */
  readonly dropped: Dropped = {}

  constructor (img: ImageCore, root: PathLike = '/', opts: WriterOptions = {}) {
    checkPath(root, 'root')
    opts = checkOptions(opts)
    super({ highWaterMark: opts.highWaterMark ?? 64, byteLength: () => 1 })
    this._img = img
    const kroot = img._kpath(root)
    this._kroot = typeof kroot === 'string' ? kroot : nameFromBytes(kroot)
    this._shownRoot = shown(root)
    if (opts.whiteouts !== undefined && !WHITEOUT_MODES.includes(opts.whiteouts)) throw invalidArgValue('options.whiteouts', opts.whiteouts, "must be 'apply', 'overlay' or 'keep'")
    this._whiteouts = opts.whiteouts ?? 'apply'
    this._layered = opts.whiteouts !== undefined
    this._flags = (opts.overwrite || this._layered ? F.replace : 0) | (this._layered ? F.replaceTree : 0) |
      (opts.owners === false ? F.noOwner : 0) | (opts.lenientXattrs ? F.xattrLenient : 0)
    this._xattrs = opts.xattrs !== false
    this._small = opts.smallFile ?? 1 << 20
    if (opts.unsupported !== undefined && opts.unsupported !== 'error' && opts.unsupported !== 'skip') throw invalidArgValue('options.unsupported', opts.unsupported, "must be 'error' or 'skip'")
    this._skip = opts.unsupported === 'skip'
    this._caps = fsCapabilities(img.type)
  }

  override _open (cb: (err: Error | null) => void): void {
    // The destination directory and its parents must exist: made like
    // `mkdir -p` of the path the user gave (which may go through symlinks).
    const parts = this._kroot.split('/').filter(Boolean)
    this._img._op(async () => {
      for (let i = 1; i <= parts.length; i++) {
        const p = '/' + parts.slice(0, i).join('/')
        const r = await native.mkdirat(this._img._root, p, 0o755)
        if (r < 0 && r !== -errno.EEXIST) throw systemError(r, 'mkdir', i === parts.length ? this._shownRoot : p)
      }
      if (!this._caps.owners) {
        const st = await native.statx(this._img._root, this._kroot, 0, C.STATX_BASIC_STATS)
        if (typeof st === 'number') throw systemError(st, 'stat', this._shownRoot)
        this._fsOwner = [st.uid, st.gid]
      }
    }).then(() => cb(null), cb)
  }

  override _write (entry: Entry, cb: (err: Error | null) => void): void {
    this._add(entry).then(() => cb(null), cb)
  }

  override _final (cb: (err: Error | null) => void): void {
    this._finish().then(() => cb(null), cb)
  }

  override _destroy (cb: (err: Error | null) => void): void {
    // A content stream being read is stopped (a Buffer content has nothing to stop).
    const c = this._current as { destroyed?: boolean, destroy?: () => void } | null
    if (c && typeof c.destroy === 'function' && !c.destroyed) c.destroy()
    cb(null)
  }

  private _current: Entry['content'] | null = null

  private _count (kind: keyof Dropped, n = 1): void {
    this.dropped[kind] = (this.dropped[kind] ?? 0) + n
  }

  // Keep of the entry what the filesystem can hold; count what is dropped.
  private _fit (e: Entry, item: ApplyItem): void {
    const caps = this._caps
    let flags = item.flags as number
    if (!caps.owners) {
      flags |= F.noOwner
      const uid = e.uid ?? -1
      const gid = e.gid ?? -1
      if ((uid >= 0 && uid !== this._fsOwner[0]) || (gid >= 0 && gid !== this._fsOwner[1])) this._count('owners')
    }
    if (caps.modes === 'readonly') {
      const mode = item.mode as number
      if (mode & 0o4000) this._count('setuid')
      if (mode & 0o2000) this._count('setgid')
      if (mode & 0o1000) this._count('sticky')
      // FAT keeps one bit, the read-only attribute, for files only: writable
      // or not by the owner. The kernel masks 0o777 with the mount's fmask.
      if (e.type === 'file') item.mode = mode & 0o200 ? 0o777 : 0o555
      else flags |= F.noMode
    }
    if (!caps.xattrs && item.xattrs) {
      this._count('xattrs', item.xattrs.length / 2)
      delete item.xattrs
    }
    item.flags = flags
  }

  private _shown (rel: string): string {
    return rel === '.' ? this._shownRoot : rel
  }

  private async _add (e: Entry): Promise<void> {
    if (e === null || typeof e !== 'object' || typeof e.path !== 'string') throw invalidArgValue('entry', e, 'must be an Entry object')
    const rel = normalizePath(e.path)
    if (rel === null) throw unsafePath(e.path)
    if (this._layered) this._noteLayer(e, rel)
    if (e.type === 'whiteout' || e.type === 'opaque') {
      if (!this._layered) throw invalidArgValue('entry.type', e.type, `needs options.whiteouts (a layer mark, entry '${e.path}')`)
      for (const item of this._mark(e, rel)) await this._queue(item, rel)
      return
    }
    if (isUnsupported(this._caps, e.type)) {
      if (!this._skip) throw LklError.unsupportedEntry(this._img.type, kindName(e.type), this._shown(rel))
      this._count(e.type as keyof Dropped)
      const c = e.content
      if (c && !c.destroyed) c.destroy()
      return
    }
    const { atime: [at, atn], mtime: [mt, mtn] } = entryTimes(e)
    const item: ApplyItem = {
      op: OP.meta,
      path: rel,
      flags: this._flags,
      mode: (e.mode ?? 0) & 0o7777,
      uid: e.uid ?? -1,
      gid: e.gid ?? -1,
      atime: at,
      atimeNsec: atn,
      mtime: mt,
      mtimeNsec: mtn
    }
    if (this._xattrs && e.xattrs) {
      const xs: Array<string | Buffer> = []
      for (const [k, v] of Object.entries(e.xattrs)) xs.push(k, v)
      item.xattrs = xs
    }
    this._fit(e, item)
    switch (e.type) {
      case 'file': {
        const c = e.content
        if (c != null && typeof (c as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') {
          throw invalidArgValue('entry.content', c, `must be a readable stream (entry '${e.path}')`)
        }
        let data = takeBuffer(c)
        if (!data && (e.size ?? 0) > this._small) {
          await this._flush(true)
          await this._bigFile(e, rel, item)
          return
        }
        if (!data) {
          this._current = c ?? null
          data = await readContent(c)
          this._current = null
        }
        if (this._slabs.takes(data.byteLength)) {
          if (!this._slabs.fits(data.byteLength)) await this._flush()
          data = this._slabs.copy(data)
        }
        item.op = OP.file
        item.data = data
        this._bytes += data.byteLength
        break
      }
      case 'directory':
        item.op = OP.dir
        item.flags = (item.flags as number) | F.noTimes
        // (layers: only if it is still a directory then)
        this._dirTimes.delete(rel)
        this._dirTimes.set(rel, { op: OP.meta, path: item.path, flags: F.noOwner | F.noMode | (this._layered ? F.ifDir : 0), atime: at, atimeNsec: atn, mtime: mt, mtimeNsec: mtn })
        break
      case 'symlink':
        if (typeof e.linkname !== 'string') throw invalidArgValue('entry.linkname', e.linkname, `must be a string for the symlink '${e.path}'`)
        item.op = OP.symlink
        item.target = e.linkname
        break
      case 'hardlink': {
        const target = typeof e.linkname === 'string' ? normalizePath(e.linkname) : null
        if (target === null) throw unsafePath(e.path, `its link target '${String(e.linkname)}' leaves the destination`)
        item.op = OP.hardlink
        item.target = target
        break
      }
      case 'char': case 'block': case 'fifo': case 'socket':
        item.op = OP.node
        item.mode = typeBits(e.type) | ((e.mode ?? 0) & 0o7777)
        item.major = e.devmajor ?? 0
        item.minor = e.devminor ?? 0
        break
      default:
        throw invalidArgValue('entry.type', e.type, `is not an entry type (entry '${e.path}')`)
    }
    await this._queue(item, rel)
  }

  private async _queue (item: ApplyItem, rel: string): Promise<void> {
    this._batch.push(item)
    this._names.push(this._shown(rel))
    if (this._batch.length >= BATCH_ITEMS || this._bytes >= BATCH_BYTES) await this._flush()
  }

  // Layers: a new entry.layer starts a new layer; every entry but a mark
  // is remembered as a name its directory got in this layer.
  private _noteLayer (e: Entry, rel: string): void {
    if (e.layer !== this._layer) {
      this._layer = e.layer
      this._layerNames.clear()
    }
    if (e.type === 'whiteout' || e.type === 'opaque' || rel === '.') return
    const slash = rel.lastIndexOf('/')
    const dir = slash < 0 ? '.' : rel.slice(0, slash)
    let names = this._layerNames.get(dir)
    if (!names) this._layerNames.set(dir, names = new Set())
    names.add(rel.slice(slash + 1))
  }

  // The batch items of a whiteout or opaque mark, as `whiteouts` says:
  // 'overlay' applies the mark to the layers merged here and stores it for
  // those beneath the tree (an overlayfs upper directory). A stored mark
  // under a path that is not a directory (umoci writes 'd2f/.wh.x' after
  // the file 'd2f') has nothing to hide and is skipped.
  private _mark (e: Entry, rel: string): ApplyItem[] {
    const { atime: [at, atn], mtime: [mt, mtn] } = entryTimes(e)
    const times = { atime: at, atimeNsec: atn, mtime: mt, mtimeNsec: mtn }
    const opaque = e.type === 'opaque'
    if (!opaque && rel === '.') throw invalidArgValue('entry.path', e.path, 'cannot be whited out: it is the root of the tree')
    const applied: ApplyItem = opaque ? { op: OP.clear, path: rel, keep: [...(this._layerNames.get(rel) ?? [])] } : { op: OP.remove, path: rel }
    const stored = (this._flags & ~F.replaceTree) | F.ifParent
    switch (this._whiteouts) {
      case 'apply':
        return [applied]
      case 'overlay':
        return [applied, opaque
          ? { op: OP.meta, path: rel, flags: F.noOwner | F.noMode | F.noTimes | F.ifDir, xattrs: [OVERLAY_OPAQUE_XATTR, Buffer.from('y')] }
          : { op: OP.node, path: rel, flags: stored, mode: typeBits('char'), uid: 0, gid: 0, major: 0, minor: 0, ...times }]
      case 'keep':
        return [{ op: OP.file, path: opaque ? (rel === '.' ? OPAQUE_NAME : `${rel}/${OPAQUE_NAME}`) : whiteoutName(rel), flags: stored, mode: (e.mode ?? 0) & 0o7777, uid: e.uid ?? 0, gid: e.gid ?? 0, data: Buffer.alloc(0), ...times }]
    }
  }

  // One batch runs natively while the next one is being collected; a
  // failure surfaces at the next flush (or at the end).
  private _inflight: Promise<void> | null = null

  private async _flush (wait = false): Promise<void> {
    const prev = this._inflight
    if (this._batch.length > 0) {
      const batch = this._batch
      const names = this._names
      this._batch = []
      this._names = []
      this._bytes = 0
      this._slabs.next()
      const p = (async () => {
        if (prev) await prev
        await this._apply(batch, names)
      })()
      p.catch(() => {})
      this._inflight = p
    }
    if (prev) await prev
    if (wait && this._inflight) {
      const cur = this._inflight
      this._inflight = null
      await cur
    }
  }

  private async _apply (batch: ApplyItem[], names: string[]): Promise<void> {
    let retried = -1
    for (;;) {
      const r = await this._run(() => native.applyEntries(this._img._root, this._kroot, batch))
      if (r === 0) return
      const [i, err, step] = r as [number, number, number]
      if (step === STEP.resolve && err === -errno.EXDEV) throw unsafePath(names[i], OUTSIDE)
      // A parent the archive did not list: create it (like tar) and go on.
      if (err === -errno.ENOENT && (step === STEP.create || step === STEP.resolve) && batch[i].op !== OP.meta && retried !== i) {
        await this._parents(String(batch[i].path))
        batch = batch.slice(i)
        names = names.slice(i)
        retried = 0
        continue
      }
      const syscall = step === STEP.create || step === STEP.resolve ? CREATE_SYSCALL[batch[i].op] : STEP_SYSCALL[step]
      throw systemError(err, syscall, names[i])
    }
  }

  // The missing parents of `rel`, made beneath the root like every entry.
  private async _parents (rel: string): Promise<void> {
    const parts = rel.split('/').slice(0, -1)
    const dirs: ApplyItem[] = parts.map((_, i) => ({ op: OP.dir, path: parts.slice(0, i + 1).join('/'), flags: F.noOwner | F.noTimes, mode: 0o755 }))
    if (dirs.length === 0) return
    const r = await this._run(() => native.applyEntries(this._img._root, this._kroot, dirs))
    if (r === 0) return
    const [i, err, step] = r as [number, number, number]
    const name = String(dirs[i].path)
    if (step === STEP.resolve && err === -errno.EXDEV) throw unsafePath(name, OUTSIDE)
    throw systemError(err, 'mkdir', name)
  }

  // While a big file is written, its fd stays open across many calls and
  // across waits for its content: the whole file is one pending operation
  // of the image (img.close() waits for it to finish, metadata included),
  // and the calls inside it run directly. Nothing else of this writer runs
  // meanwhile (batches are flushed first; entries come one at a time).
  private _holding = false

  private _run<T> (fn: () => Promise<T>): Promise<T> {
    return this._holding ? fn() : this._img._op(fn)
  }

  private _bigFile (e: Entry, rel: string, item: ApplyItem): Promise<void> {
    return this._img._op(async () => {
      this._holding = true
      try {
        await this._writeBig(e, rel, item)
      } finally {
        this._holding = false
      }
    })
  }

  // A big file: created empty beneath the root like every entry, opened
  // beneath it again (never through a symlink), written in large chunks
  // (zero chunks skipped), then its metadata applied like any other entry.
  // With overwrite it is made under a temporary sibling name and renamed
  // over the entry's name at the end (native: made durable first when it
  // replaces a file), so a kill never leaves the name without a whole file.
  // Runs inside _bigFile's hold.
  private async _writeBig (e: Entry, rel: string, item: ApplyItem): Promise<void> {
    const name = this._shown(rel)
    const replace = (this._flags & F.replace) !== 0
    const slash = rel.lastIndexOf('/')
    const tmpLeaf = `.lkl-new-${randomBytes(6).toString('hex')}`
    const at = replace ? (slash < 0 ? tmpLeaf : rel.slice(0, slash + 1) + tmpLeaf) : rel
    await this._apply([{ op: OP.file, path: at, flags: F.noOwner | F.noMode | F.noTimes | (replace ? 0 : this._flags & F.replace) }], [name])
    let done = false
    try {
      const fd = await native.openBeneath(this._img._root, this._kroot, at, C.O_WRONLY | C.O_NOFOLLOW | C.O_CLOEXEC, 0)
      if (fd === -errno.EXDEV) throw unsafePath(name, OUTSIDE)
      if (fd < 0) throw systemError(fd, 'open', name)
      try {
        this._current = e.content ?? null
        this._bigBuf ??= Buffer.allocUnsafeSlow(SPARSE_CHUNK)
        await writeSparse(fd, e.content as AsyncIterable<Buffer> | undefined, name, this._bigBuf)
        this._current = null
      } finally {
        await native.close(fd)
      }
      item.mode = C.S_IFREG | (item.mode as number)
      await this._apply([{ ...item, path: at }], [name])
      if (replace) await this._apply([{ op: OP.rename, path: rel, target: tmpLeaf, flags: this._flags & F.replaceTree }], [name])
      done = true
    } finally {
      if (!done && replace) await native.unlinkat(this._img._root, this._kroot + '/' + at, 0)
    }
  }

  private async _finish (): Promise<void> {
    await this._flush(true)
    // Directory times last, deepest (latest in pre-order) first.
    const dirs = [...this._dirTimes.values()].reverse()
    this._dirTimes.clear()
    for (let i = 0; i < dirs.length; i += 1024) {
      const part = dirs.slice(i, i + 1024)
      await this._apply(part, part.map((d) => String(d.path)))
    }
  }
}

export function imageWriter (img: ImageCore, root?: PathLike, opts?: WriterOptions): ImageWriter {
  return new ImageWriter(img, root, opts)
}
