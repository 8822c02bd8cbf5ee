// SPDX-License-Identifier: GPL-2.0-only
// lkl.ociLayers and the layered image writer on their own (issue 11):
// tar+zstd and uncompressed layers, a multi-platform index, refs, a missing
// blob, whiteouts that would reach outside the writer's root, marks
// without `whiteouts`. Layouts are made by umoci, then varied by rewriting
// their JSON blobs as a registry would serve them.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')
const crypto = require('crypto')
const { pipeline } = require('stream/promises')
const { Readable } = require('streamx')
const h = require('./helpers')
const { lkl } = require('./helpers/cli')
const lib = require('..')

const dir = h.tmpdir('lkl-oci-layers')
const layout = path.join(dir, 'img')
const bundle = path.join(dir, 'bundle')
const R = path.join(bundle, 'rootfs')
h.must('umoci', ['init', '--layout', layout])
h.must('umoci', ['new', '--image', `${layout}:t`])
h.must('umoci', ['unpack', '--image', `${layout}:t`, bundle])
fs.mkdirSync(path.join(R, 'etc'))
fs.writeFileSync(path.join(R, 'etc/one'), 'layer one\n')
fs.writeFileSync(path.join(R, 'big.bin'), h.pattern(5 << 20, 3))
h.must('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:t`, bundle])
fs.rmSync(path.join(R, 'etc/one'))
fs.writeFileSync(path.join(R, 'etc/two'), 'layer two\n')
h.must('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:t`, bundle])

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex')
const blob = (root, digest) => path.join(root, 'blobs/sha256', digest.slice(7))
function putBlob (root, buf) {
  const hex = sha(buf)
  fs.writeFileSync(path.join(root, 'blobs/sha256', hex), buf)
  return { digest: 'sha256:' + hex, size: buf.length }
}
const readJson = (f) => JSON.parse(fs.readFileSync(f))
const index0 = readJson(path.join(layout, 'index.json'))
const manifest0 = readJson(blob(layout, index0.manifests[0].digest))

async function paths (source, opts) {
  const out = []
  for await (const e of lib.ociLayers(source, opts)) {
    out.push(`${e.layer}:${e.type}:${e.path}`)
    if (e.content) for await (const chunk of e.content) out.length += 0 * chunk.length
  }
  return out
}

async function imageFiles (file) {
  const img = await lib.open(file, { readOnly: true })
  try {
    return { etc: (await img.fs.promises.readdir('/etc')).sort(), big: sha(await img.fs.promises.readFile('/big.bin')) }
  } finally {
    await img.close()
  }
}

test('tar+zstd and uncompressed layers: the same tree as tar+gzip', async (t) => {
  const alt = path.join(dir, 'zstd')
  fs.cpSync(layout, alt, { recursive: true })
  const m = JSON.parse(JSON.stringify(manifest0))
  // Layer 1 as zstd, layer 2 uncompressed.
  const tar1 = zlib.gunzipSync(fs.readFileSync(blob(layout, m.layers[0].digest)))
  const z = h.must('zstd', ['-q', '-c'], { input: tar1 }).stdout
  m.layers[0] = { ...m.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', ...putBlob(alt, z) }
  const tar2 = zlib.gunzipSync(fs.readFileSync(blob(layout, m.layers[1].digest)))
  m.layers[1] = { ...m.layers[1], mediaType: 'application/vnd.oci.image.layer.v1.tar', ...putBlob(alt, tar2) }
  const md = putBlob(alt, Buffer.from(JSON.stringify(m)))
  fs.writeFileSync(path.join(alt, 'index.json'), JSON.stringify({ ...index0, manifests: [{ ...index0.manifests[0], ...md }] }))
  const a = path.join(dir, 'gzip.img')
  const b = path.join(dir, 'zstd.img')
  for (const [out, src] of [[a, layout], [b, alt]]) {
    const r = lkl(['create', out, '--type', 'ext4', '--from', `oci:${src}:t`])
    t.equal(r.status, 0, r.stderr)
    t.ok(h.fsck('ext4', out).ok, 'e2fsck -fn clean')
  }
  const want = await imageFiles(a)
  t.deepEqual(want.etc, ['two'], 'the whiteout applied')
  t.equal(want.big, sha(h.pattern(5 << 20, 3)), 'the big file intact')
  t.deepEqual(await imageFiles(b), want, 'zstd + plain layers give the same tree')
})

test('a multi-platform index: --platform picks; an unknown one lists those there are', async (t) => {
  const multi = path.join(dir, 'multi')
  fs.cpSync(layout, multi, { recursive: true })
  // arm64: only the first layer.
  const arm = putBlob(multi, Buffer.from(JSON.stringify({ ...manifest0, layers: manifest0.layers.slice(0, 1) })))
  const { annotations, ...amd } = index0.manifests[0]
  const sub = putBlob(multi, Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: amd.mediaType, ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }
    ]
  })))
  fs.writeFileSync(path.join(multi, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...sub, annotations }] }))
  const armPaths = await paths(multi, { ref: 't', platform: 'linux/arm64' })
  t.ok(armPaths.includes('0:file:etc/one') && !armPaths.some((p) => p.startsWith('1:')), 'arm64: one layer')
  const amdPaths = await paths(multi, { platform: 'linux/amd64' })
  t.ok(amdPaths.includes('1:whiteout:etc/one') && amdPaths.includes('1:file:etc/two'), 'amd64: both layers, the whiteout an entry')
  const out = path.join(dir, 'arm.img')
  let r = lkl(['create', out, '--type', 'ext4', '--from', `oci:${multi}:t`, '--platform', 'linux/arm64/v8'])
  t.equal(r.status, 0, r.stderr)
  t.deepEqual((await imageFiles(out)).etc, ['one'], 'create --platform linux/arm64/v8')
  r = lkl(['create', path.join(dir, 'none.img'), '--type', 'ext4', '--from', `oci:${multi}`, '--platform', 'linux/s390x'])
  t.notEqual(r.status, 0)
  t.ok(r.stderr.includes('no image for linux/s390x (it has: linux/amd64, linux/arm64/v8)'), r.stderr.trim())
  t.notOk(fs.existsSync(path.join(dir, 'none.img')), 'no image')
})

test('a missing blob, a source that is not an image, a bad option', async (t) => {
  const gone = path.join(dir, 'gone')
  fs.cpSync(layout, gone, { recursive: true })
  fs.rmSync(blob(gone, manifest0.layers[1].digest))
  let err = null
  try { await paths(gone) } catch (e) { err = e }
  t.equal(err && err.code, 'ERR_LKL_OCI_INVALID', 'missing blob: ERR_LKL_OCI_INVALID')
  t.ok(err && err.message.includes(manifest0.layers[1].digest.slice(7)), err && err.message)
  err = null
  try { await paths(dir) } catch (e) { err = e }
  t.equal(err && err.code, 'ERR_LKL_OCI_INVALID', 'a plain directory')
  t.throws(() => lib.ociLayers(layout, { format: 'zip' }), /options.format/, 'format checked')
  t.throws(() => lib.ociLayers(layout, { platform: 'linux' }), /os\/arch/, 'platform checked')
})

function entries (list) {
  return Readable.from(list.map((e) => ({ mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0n, ...e })))
}

test('layered writer: whiteouts stay beneath the root, marks need `whiteouts`', async (t) => {
  const file = path.join(dir, 'confine.img')
  h.must('mkfs.ext4', ['-q', '-F', file, '32M'])
  const img = await lib.open(file)
  try {
    const fsp = img.fs.promises
    await fsp.mkdir('/outside')
    await fsp.writeFile('/outside/keep', 'must stay')
    await pipeline(entries([
      { path: '.', type: 'directory', mode: 0o755 },
      { path: 'up', type: 'symlink', linkname: '../outside', layer: 0 },
      { path: 'abs', type: 'symlink', linkname: '/outside', layer: 0 },
      { path: 'd', type: 'directory', mode: 0o755, layer: 0 },
      { path: 'd/f', type: 'file', layer: 0 }
    ]), img.writer('/root', { whiteouts: 'apply' }))
    for (const p of ['up/keep', 'abs/keep']) {
      let err = null
      try {
        await pipeline(entries([{ path: p, type: 'whiteout', layer: 1 }]), img.writer('/root', { whiteouts: 'apply' }))
      } catch (e) { err = e }
      t.equal(err && err.code, 'ERR_LKL_UNSAFE_PATH', `whiteout ${p}: ERR_LKL_UNSAFE_PATH`)
    }
    t.equal(await fsp.readFile('/outside/keep', 'utf8'), 'must stay', 'nothing outside removed')
    // The whiteout of a symlink removes the link, not what it points to.
    await pipeline(entries([{ path: 'up', type: 'whiteout', layer: 1 }, { path: 'd', type: 'whiteout', layer: 1 }]), img.writer('/root', { whiteouts: 'apply' }))
    t.deepEqual((await fsp.readdir('/root')).sort(), ['abs'], 'link and directory removed')
    t.ok((await fsp.lstat('/outside/keep')).isFile(), 'the link target stays')
    let err = null
    try {
      await pipeline(entries([{ path: 'abs', type: 'whiteout' }]), img.writer('/root'))
    } catch (e) { err = e }
    t.equal(err && err.code, 'ERR_INVALID_ARG_VALUE', 'a mark without whiteouts is refused')
    t.ok((await fsp.lstat('/root/abs')).isSymbolicLink(), 'and changes nothing')
    err = null
    try {
      await pipeline(entries([{ path: '.', type: 'whiteout' }]), img.writer('/root', { whiteouts: 'apply' }))
    } catch (e) { err = e }
    t.equal(err && err.code, 'ERR_INVALID_ARG_VALUE', 'the root cannot be whited out')
  } finally {
    await img.close()
  }
  t.ok(h.fsck('ext4', file).ok, 'e2fsck -fn clean')
})

test('--size auto from the merged layers: a 48 MiB file deleted, a later 4 MiB file added and deleted: room for the peak, not the sum', (t) => {
  const big = path.join(dir, 'bigimg')
  const b = path.join(dir, 'bigbundle')
  h.must('umoci', ['init', '--layout', big])
  h.must('umoci', ['new', '--image', `${big}:t`])
  h.must('umoci', ['unpack', '--image', `${big}:t`, b])
  fs.writeFileSync(path.join(b, 'rootfs/huge'), h.pattern(48 << 20, 5))
  fs.writeFileSync(path.join(b, 'rootfs/small'), 'small\n')
  h.must('umoci', ['repack', '--refresh-bundle', '--image', `${big}:t`, b])
  fs.rmSync(path.join(b, 'rootfs/huge'))
  h.must('umoci', ['repack', '--refresh-bundle', '--image', `${big}:t`, b])
  fs.writeFileSync(path.join(b, 'rootfs/later'), h.pattern(4 << 20, 6))
  h.must('umoci', ['repack', '--refresh-bundle', '--image', `${big}:t`, b])
  fs.rmSync(path.join(b, 'rootfs/later'))
  h.must('umoci', ['repack', '--refresh-bundle', '--image', `${big}:t`, b])
  const out = path.join(dir, 'merged.img')
  const r = lkl(['create', out, '--type', 'ext4', '--from', `oci:${big}:t`])
  t.equal(r.status, 0, r.stderr)
  const size = fs.statSync(out).size
  t.ok(size >= 48 << 20 && size < (48 << 20) * 1.5, `image of ${size} bytes: room for the 48 MiB peak, within 1.5 times it`)
  t.ok(h.fsck('ext4', out).ok, 'e2fsck -fn clean')
  t.end()
})
