// SPDX-License-Identifier: GPL-2.0-only
// The CommonJS flavour (`const lkl = require('lkl')` in TypeScript) and the
// docs' mkfs example, with stream's callback pipeline.

import lkl = require('lkl')
import fs = require('fs')
import stream = require('stream')
import { pipeline } from 'stream/promises'

export async function build (): Promise<void> {
  const usage = new lkl.Usage()
  for await (const e of lkl.hostWalk('rootfs')) { usage.add(e); e.content?.destroy() }
  const made = await lkl.mkfs('out.img', { type: 'ext4', size: 'auto', usage, partition: 'gpt' })
  const img = await lkl.open('out.img', { partition: made.partition, mountOptions: made.mountOptions })
  await pipeline(lkl.hostWalk('rootfs'), img.writer('/'))
  await img.close()
  await made.finalize()
}

export function pack (img: lkl.Image, done: (err: Error | null) => void): void {
  stream.pipeline(img.walk('/'), lkl.transforms.exclude('lost+found'), lkl.tarPack(), fs.createWriteStream('out.tar'), done)
}

// node-lkl 1.x's README example (docs/api.md), unchanged but for the function around it.
export function nodeLkl (): void {
  lkl.startKernelSync(10 * 1024 * 1024)
  const disk = new lkl.disk.FileDisk('data.ext4')
  lkl.mount(disk, { filesystem: 'ext4' }, function (err, mountpoint) {
    if (err) { console.error(err); return }
    lkl.fs.createReadStream(mountpoint + '/etc/passwd').pipe(process.stdout)
    // @ts-expect-error a mountpoint is a string
    const n: number = mountpoint
    console.log(n)
  })
  // @ts-expect-error mount's callback is a function
  lkl.mount(disk, { filesystem: 'ext4' }, 'cb')
}

// Disks, copies and the byte streams (docs/api.md).
export async function disks (): Promise<void> {
  const mem = lkl.disk.memory('64M')
  await lkl.mkfs('x.img', { type: 'vfat', size: '64M' })
  const img = await lkl.open(mem, { type: 'vfat' })
  const copied: number = await lkl.copyIn('host.bin', img, '/a.bin', { mode: 0o644 })
  await lkl.copyOut(img, '/a.bin', 'back.bin')
  fs.createReadStream('host.bin').pipe(img.createWriteStream('/b.bin'))
  await pipeline(img.createReadStream('/b.bin', { start: 0, end: 9 }), fs.createWriteStream('part'))
  console.log(copied, (await mem.partitions()).length, await img.statfs())
  await img.close()
  await mem.close()
}
