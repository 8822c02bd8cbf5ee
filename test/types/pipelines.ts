// SPDX-License-Identifier: GPL-2.0-only
// Every pipeline of README.md, docs/api.md and examples/, with
// stream/promises and with stream's callback pipeline(), without casts.

import * as fs from 'fs'
import * as stream from 'stream'
import { pipeline } from 'stream/promises'
import * as lkl from 'lkl'

export async function documented (img: lkl.Image, ext4: lkl.Image, btrfs: lkl.Image): Promise<void> {
  await pipeline(img.walk('/'), lkl.tarPack(), fs.createWriteStream('out.tar'))
  await pipeline(fs.createReadStream('in.tar'), lkl.tarUnpack(), img.writer('/'))
  await pipeline(ext4.walk('/'), lkl.transforms.exclude('lost+found'), btrfs.writer('/'))
  await pipeline(lkl.hostWalk('rootfs/'), img.writer('/'))
  await pipeline(img.walk('/etc'), lkl.hostWriter('out/etc'))
  await pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream('out.tar'))
  await pipeline(fs.createReadStream('in.tar'), lkl.tarUnpack(), img.writer('/srv'))
  await pipeline(fs.createReadStream('file'), img.createWriteStream('/via-streams', { mode: 0o755 }))
  await pipeline(img.createReadStream('/etc/passwd'), fs.createWriteStream('passwd'))
  // Several transforms, and the functions of lkl.imageWalk & co.
  await pipeline(lkl.imageWalk(img, '/'), lkl.transforms.strip(1), lkl.transforms.prefix('x'),
    lkl.transforms.squashOwners(), lkl.tarPack({ sparse: false }), fs.createWriteStream('out.tar'))
  await pipeline(fs.createReadStream('in.tar'), lkl.tarUnpack(), lkl.transforms.clampMtime(0), lkl.imageWriter(img, '/'))
  await pipeline(lkl.hostWalk('rootfs'), lkl.transforms.noPreserve(), lkl.transforms.owner({ uid: 0, gid: 0 }), img.writer('/'), { signal: AbortSignal.timeout(1000) })
  // Our streams next to node's own.
  await pipeline(img.walk('/'), lkl.tarPack(), new stream.PassThrough(), fs.createWriteStream('out.tar'))
  await pipeline(fs.createReadStream('in.tar'), new stream.PassThrough(), lkl.tarUnpack(), lkl.transforms.filter((e) => e.type === 'file'), img.writer('/'))
  // Raw disk bytes.
  await pipeline(img.disk.createReadStream(), fs.createWriteStream('disk.raw'))
}

// A user's own entry transforms: lkl.transforms.mapEntries, or node's object Transform.
export async function custom (img: lkl.Image): Promise<void> {
  const upper: lkl.EntryTransform = lkl.transforms.mapEntries((e) => ({ ...e, path: e.path.toUpperCase() }))
  const drop = lkl.transforms.mapEntries((e) => e.type === 'fifo' ? null : e)
  const log = new stream.Transform({
    objectMode: true,
    transform (e: lkl.Entry, _enc, cb) { console.log(e.path); cb(null, e) }
  })
  await pipeline(img.walk('/'), upper, drop, log, lkl.tarPack(), fs.createWriteStream('out.tar'))
  const walk: lkl.EntryReadable = img.walk('/')
  const unpack: lkl.EntryDuplex = lkl.tarUnpack()
  await pipeline(walk, lkl.hostWriter('out'))
  await pipeline(fs.createReadStream('in.tar'), unpack, img.writer('/'))
  // @ts-expect-error mapEntries returns an entry, null or undefined
  lkl.transforms.mapEntries((e) => e.path)
}

export function callbacks (img: lkl.Image): void {
  stream.pipeline(img.walk('/'), lkl.tarPack(), fs.createWriteStream('out.tar'), (err) => {
    if (err) console.error(err.code)
  })
  stream.pipeline(fs.createReadStream('in.tar'), lkl.tarUnpack(), img.writer('/'), (err) => { if (err) throw err })
  stream.pipeline(lkl.hostWalk('rootfs'), lkl.transforms.exclude('*.o'), img.writer('/'), (err) => { if (err) throw err })
}

export async function iterate (img: lkl.Image): Promise<lkl.Entry[]> {
  const out: lkl.Entry[] = []
  const names: string[] = []
  for await (const e of img.walk('/')) {
    const p: string = e.path
    const t: lkl.EntryType = e.type
    if (t === 'file' && p) e.content?.destroy()
    out.push(e)
    // @ts-expect-error an Entry is not a string
    names.push(e)
  }
  for await (const e of lkl.hostWalk('rootfs')) out.push(e)
  for await (const e of fs.createReadStream('in.tar').pipe(lkl.tarUnpack())) out.push(e)
  const sources: Array<AsyncIterable<lkl.Entry>> = [img.walk('/'), lkl.hostWalk('/'), lkl.tarUnpack()]
  names.push(String(sources.length))
  // The docs' usage count (lkl.mkfs).
  const usage = new lkl.Usage()
  for await (const e of lkl.hostWalk('rootfs')) { usage.add(e); e.content?.destroy() }
  return out
}

export async function misuse (img: lkl.Image): Promise<void> {
  // @ts-expect-error a writer is no source
  await pipeline(img.writer('/'), lkl.tarPack(), fs.createWriteStream('out.tar'))
  // @ts-expect-error a pipeline ends in a writable
  await pipeline(img.walk('/'), img.walk('/x'))
}
