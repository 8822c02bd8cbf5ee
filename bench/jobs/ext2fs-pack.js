// SPDX-License-Identifier: GPL-2.0-only
// ext4 -> tar through node-ext2fs + tar-stream: walk with readdir/lstat,
// one tar entry per file (hard links by inode), skipping lost+found like
// the other sides. node-ext2fs reads no xattrs or device numbers, so its
// tar carries less than the others'.
// Usage: node bench/jobs/ext2fs-pack.js IMAGE OUT.tar
'use strict'

const fs = require('fs')
const { pipeline } = require('stream/promises')
const tarStream = require('tar-stream')
const { withImage } = require('../lib/ext2fs')

// Whole file as a Buffer, read in 64 KiB pieces (readFile would decode it
// as UTF-8, and one read of a large file is one equally large WASM
// allocation).
async function readAll (p, abs, size) {
  const handle = await p.open(abs, 'r')
  try {
    const data = Buffer.allocUnsafe(size)
    let done = 0
    while (done < size) {
      const { bytesRead } = await handle.read(data, done, Math.min(1 << 16, size - done), done)
      if (!bytesRead) break
      done += bytesRead
    }
    return data.subarray(0, done)
  } finally {
    await handle.close()
  }
}

async function main ([img, out]) {
  const pack = tarStream.pack()
  const written = pipeline(pack, fs.createWriteStream(out, { highWaterMark: 1 << 20 }))
  const add = (header, data) => new Promise((resolve, reject) => {
    pack.entry(header, data, (err) => err ? reject(err) : resolve())
  })
  const inodes = new Map()
  let skipped = 0
  const walk = async (p, dir) => {
    const names = (await p.readdir(dir)).filter((n) => n !== '.' && n !== '..').sort()
    for (const n of names) {
      const abs = dir === '/' ? '/' + n : dir + '/' + n
      if (abs === '/lost+found') continue
      const st = await p.lstat(abs)
      const header = { name: '.' + abs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime }
      if (st.isDirectory()) {
        await add({ ...header, type: 'directory' })
        await walk(p, abs)
      } else if (st.isSymbolicLink()) {
        await add({ ...header, type: 'symlink', linkname: await p.readlink(abs) })
      } else if (st.isFile() && st.nlink > 1 && inodes.has(st.ino)) {
        await add({ ...header, type: 'link', linkname: inodes.get(st.ino) })
      } else if (st.isFile()) {
        if (st.nlink > 1) inodes.set(st.ino, header.name)
        await add({ ...header, type: 'file' }, await readAll(p, abs, st.size))
      } else {
        skipped++
      }
    }
  }
  await withImage(img, async (p) => {
    const root = await p.lstat('/')
    await add({ name: './', type: 'directory', mode: root.mode & 0o7777, uid: root.uid, gid: root.gid, mtime: root.mtime })
    await walk(p, '/')
  })
  pack.finalize()
  await written
  if (skipped) console.error(`ext2fs-pack: ${skipped} devices/fifos skipped (no rdev in node-ext2fs)`)
}

main(process.argv.slice(2)).catch((err) => { console.error(err); process.exit(1) })
