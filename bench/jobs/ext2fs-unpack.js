// SPDX-License-Identifier: GPL-2.0-only
// tar -> ext4 through node-ext2fs + tar-stream: mkfs (same invocation as
// the other sides), then every entry created through its fs-like API. Its
// API has no utimes, xattrs or mknod, so this job carries less than the
// others (mode, owner, links, data); it is the lighter job, not a heavier
// one. Devices and fifos are counted and skipped.
// Usage: node bench/jobs/ext2fs-unpack.js IMAGE TAR SIZE
'use strict'

const fs = require('fs')
const tarStream = require('tar-stream')
const { makeImage } = require('../lib/mkfs')
const { withImage } = require('../lib/ext2fs')

const pathOf = (name) => '/' + name.replace(/^\.?\/+/, '').replace(/\/+$/, '')

async function writeAll (handle, chunk, position) {
  let done = 0
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done)
    done += bytesWritten
  }
}

async function create (p, entry) {
  const h = entry.header
  const name = pathOf(h.name)
  if (h.type === 'directory') {
    if (name !== '/') await p.mkdir(name, h.mode)
  } else if (h.type === 'file') {
    const handle = await p.open(name, 'w', h.mode)
    let position = 0
    for await (const chunk of entry) {
      await writeAll(handle, chunk, position)
      position += chunk.length
    }
    await handle.close()
  } else if (h.type === 'symlink') {
    await p.symlink(h.linkname, name)
    return true
  } else if (h.type === 'link') {
    await p.link(pathOf(h.linkname), name)
    return true
  } else {
    return false
  }
  await p.chown(name, h.uid, h.gid)
  await p.chmod(name, h.mode)
  return true
}

async function main ([img, tar, size]) {
  makeImage('ext4', img, Number(size))
  let skipped = 0
  await withImage(img, async (p) => {
    const extract = tarStream.extract()
    fs.createReadStream(tar, { highWaterMark: 1 << 20 }).pipe(extract)
    for await (const entry of extract) {
      if (!await create(p, entry)) skipped++
      entry.resume()
    }
  })
  if (skipped) console.error(`ext2fs-unpack: ${skipped} devices/fifos skipped (no mknod in node-ext2fs)`)
}

main(process.argv.slice(2)).catch((err) => { console.error(err); process.exit(1) })
