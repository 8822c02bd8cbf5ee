// SPDX-License-Identifier: GPL-2.0-only
// The inputs every row reads, made once per run before any timing: the
// Debian minbase rootfs as a tar (test/helpers/tree.js builds and caches the
// tree), N copies of it in one tar for the scale rows, and per filesystem
// type an image holding the rootfs made by the host kernel (the pack rows'
// source, read-only on every side).
'use strict'

const fs = require('fs')
const path = require('path')
const { execFileSync } = require('child_process')
const TAR = require('./gnu-tar')
const host = require('./host-jobs')
const { measure } = require('./measure')

const GiB = 1024 * 1024 * 1024

// Image size for a tar: room for the data, the metadata and mkfs's own
// reserves, the same on every side; at least 1 GiB.
const imageSize = (tarBytes) => Math.max(1, Math.ceil(tarBytes * 2.5 / GiB)) * GiB

// `copies` hard-linked copies of the rootfs under ./r0 ... in one tar; GNU
// tar's --hard-dereference stores each copy's data again, as N real copies.
function multiTar (rootfs, work, copies) {
  const out = path.join(work, `rootfs-x${copies}.tar`)
  const dir = path.join(work, `x${copies}`)
  fs.mkdirSync(dir)
  for (let i = 0; i < copies; i++) execFileSync('cp', ['-al', rootfs, path.join(dir, `r${i}`)])
  execFileSync('tar', [...TAR.CREATE, '--hard-dereference', '-C', dir, '-cf', out, '.'])
  fs.rmSync(dir, { recursive: true, force: true })
  return out
}

function describe (tar) {
  const bytes = fs.statSync(tar).size
  return { tar, bytes, entries: TAR.entries(tar), size: imageSize(bytes) }
}

function prepare (work, opts) {
  const { debianRootfs } = require('../../test/helpers/tree')
  const rootfs = debianRootfs()
  const one = path.join(work, 'rootfs.tar')
  execFileSync('tar', [...TAR.CREATE, '-C', rootfs, '-cf', one, '.'])
  const inputs = { rootfs: describe(one), scale: {}, images: {} }
  for (const n of opts.scale) inputs.scale[n] = describe(multiTar(rootfs, work, n))
  const mnt = path.join(work, 'mnt-prep')
  fs.mkdirSync(mnt)
  for (const type of opts.fs) {
    const img = path.join(work, `source-${type}.img`)
    const r = measure(host.unpack(type, img, one, mnt, inputs.rootfs.size))
    if (r.error) throw new Error(`making the ${type} source image: ${r.error}`)
    inputs.images[type] = img
  }
  return inputs
}

module.exports = { prepare }
