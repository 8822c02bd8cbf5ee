// SPDX-License-Identifier: GPL-2.0-only
// `--whiteouts overlay` gives what overlayfs expects: an image of a layer,
// stored the overlayfs way, mounted by the host kernel as the upper lower
// layer over an image of the layer below, shows exactly the tree that
// `umoci unpack` makes of the two layers. Needs root (loop and overlay
// mounts), as CI is.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const h = require('./helpers')
const { lkl } = require('./helpers/cli')

const dir = h.tmpdir('lkl-ovl')
const layout = path.join(dir, 'img')

// A two-layer image: the second deletes a file and a directory, replaces a
// directory's whole content (opaque), changes a file and adds one.
function buildImage () {
  h.must('umoci', ['init', '--layout', layout])
  h.must('umoci', ['new', '--image', `${layout}:t`])
  const b = path.join(dir, 'bundle')
  h.must('umoci', ['unpack', '--image', `${layout}:t`, b])
  const r = (p) => path.join(b, 'rootfs', p)
  fs.mkdirSync(r('d/sub'), { recursive: true })
  fs.mkdirSync(r('gone/deep'), { recursive: true })
  fs.mkdirSync(r('opq'))
  fs.writeFileSync(r('a.txt'), 'a from layer 1\n')
  fs.writeFileSync(r('keep.txt'), 'kept\n')
  fs.writeFileSync(r('d/x'), 'x\n')
  fs.writeFileSync(r('d/sub/y'), 'y\n')
  fs.writeFileSync(r('gone/deep/z'), 'z\n')
  fs.writeFileSync(r('opq/old1'), '1\n')
  fs.writeFileSync(r('opq/old2'), '2\n')
  h.must('umoci', ['repack', '--image', `${layout}:t`, b])
  fs.rmSync(b, { recursive: true, force: true })
  h.must('umoci', ['unpack', '--image', `${layout}:t`, b])
  fs.rmSync(r('a.txt'))
  fs.rmSync(r('d/x'))
  fs.rmSync(r('gone'), { recursive: true })
  fs.rmSync(r('opq'), { recursive: true })
  fs.mkdirSync(r('opq'))
  fs.writeFileSync(r('opq/new'), 'new\n')
  fs.writeFileSync(r('keep.txt'), 'changed in layer 2\n')
  fs.writeFileSync(r('d/sub/added'), 'added\n')
  h.must('umoci', ['repack', '--image', `${layout}:t`, b])
  fs.rmSync(b, { recursive: true, force: true })
}

// The layer blobs of tag t, lowest first.
function layerBlobs () {
  const blob = (d) => path.join(layout, 'blobs', ...d.split(':'))
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json')))
  const m = index.manifests.find((x) => x.annotations?.['org.opencontainers.image.ref.name'] === 't')
  const manifest = JSON.parse(fs.readFileSync(blob(m.digest)))
  return manifest.layers.map((l) => blob(l.digest))
}

// { path: 'type:content-hash' } of a host tree (ext4's own lost+found aside).
function tree (root) {
  const out = {}
  const walk = (rel) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name
      if (r === 'lost+found') continue
      const st = fs.lstatSync(path.join(root, r))
      if (st.isDirectory()) { out[r] = 'dir'; walk(r) } else if (st.isFile()) out[r] = 'file:' + crypto.createHash('sha256').update(fs.readFileSync(path.join(root, r))).digest('hex').slice(0, 16)
      else out[r] = 'other:' + st.mode.toString(8)
    }
  }
  walk('')
  return out
}

test('--whiteouts overlay: the host kernel\'s overlayfs shows what umoci unpacks', (t) => {
  buildImage()
  const [l1, l2] = layerBlobs()
  const lower = path.join(dir, 'lower.img')
  const upper = path.join(dir, 'upper.img')
  let r = lkl(['create', lower, '--type', 'ext4', '--size', '64M', '--from', l1])
  t.equal(r.status, 0, 'layer 1 into its own image' + (r.status ? ': ' + r.stderr : ''))
  r = lkl(['create', upper, '--type', 'ext4', '--size', '64M'])
  t.equal(r.status, 0, 'an empty image for layer 2')
  r = lkl(['unpack', upper, l2, '--whiteouts', 'overlay'])
  t.equal(r.status, 0, 'layer 2 unpacked with --whiteouts overlay' + (r.status ? ': ' + r.stderr : ''))
  t.ok(h.fsck('ext4', upper).ok && h.fsck('ext4', lower).ok, 'both images e2fsck-clean')
  const ref = path.join(dir, 'ref')
  h.must('umoci', ['unpack', '--image', `${layout}:t`, ref])
  const mounts = []
  const mnt = (name) => { const p = path.join(dir, name); fs.mkdirSync(p); return p }
  try {
    const mLower = mnt('m-lower')
    const mUpper = mnt('m-upper')
    const merged = mnt('merged')
    for (const [img, at] of [[lower, mLower], [upper, mUpper]]) {
      h.must('mount', ['-o', 'loop,ro', img, at])
      mounts.unshift(at)
    }
    h.must('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${mUpper}:${mLower}`, merged])
    mounts.unshift(merged)
    const got = tree(merged)
    const want = tree(path.join(ref, 'rootfs'))
    t.same(got, want, 'the overlay mount equals umoci unpack: ' + Object.keys(want).join(' '))
    t.notOk('a.txt' in got || 'gone' in got || 'd/x' in got, 'deleted file and directory hidden')
    t.same(Object.keys(got).filter((p) => p.startsWith('opq/')), ['opq/new'], 'the opaque directory hides the lower layer\'s children')
  } finally {
    for (const m of mounts) h.sh('umount', [m])
  }
  t.end()
})
