// SPDX-License-Identifier: GPL-2.0-only
// Container images to filesystem images (issue 11): an OCI layout built at
// test time with umoci (deletions, a deleted directory, an opaque
// directory, a file replaced by a directory and the reverse, a re-added
// path, mode changes, hardlinks, owners, xattrs), also as an OCI archive
// and (skopeo) a docker save archive; `lkl create --from ...` must give the
// tree `umoci unpack` gives, walked through lkl. A corrupt blob fails with
// ERR_LKL_OCI_DIGEST and leaves no image.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const h = require('./helpers')
const { describe } = require('./helpers/tree')
const { lkl } = require('./helpers/cli')
const lib = require('..')

const dir = h.tmpdir('lkl-oci')
const layout = path.join(dir, 'img')
const bundle = path.join(dir, 'bundle')
const R = path.join(bundle, 'rootfs')
const p = (rel) => path.join(R, rel)
const write = (rel, data) => { fs.mkdirSync(path.dirname(p(rel)), { recursive: true }); fs.writeFileSync(p(rel), data) }
const repack = (b = bundle) => h.must('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:t`, b])

h.must('umoci', ['init', '--layout', layout])
h.must('umoci', ['new', '--image', `${layout}:t`])
h.must('umoci', ['unpack', '--image', `${layout}:t`, bundle])
// Layer 1.
write('etc/hosts', '127.0.0.1 localhost\n')
write('etc/keep.conf', 'kept until layer 3\n')
write('gone/sub/f', 'a deleted directory\n')
write('del.txt', 'deleted\n')
write('f2d', 'a file, then a directory\n')
write('d2f/x/c', 'a directory, then a file\n')
write('readd.txt', 'first\n')
write('mode.sh', '#!/bin/sh\n')
fs.chmodSync(p('mode.sh'), 0o644)
write('owned', 'owned by 1000:1001\n')
fs.chownSync(p('owned'), 1000, 1001)
write('hard1', 'two names\n')
fs.linkSync(p('hard1'), p('hard2'))
write('big.bin', h.pattern(3 << 20, 7))
h.must('setfattr', ['-n', 'user.test', '-v', 'hello', p('etc/hosts')])
fs.symlinkSync('etc/hosts', p('sym'))
write('opq/a', 'a\n')
write('opq/b', 'b\n')
fs.utimesSync(p('etc/keep.conf'), 1e9, 1.1e9)
repack()
// Layer 2: deletions, replacements, a mode change, a hardlink to a lower file.
fs.rmSync(p('gone'), { recursive: true })
fs.rmSync(p('del.txt'))
fs.rmSync(p('f2d'))
write('f2d/in', 'inside\n')
fs.rmSync(p('d2f'), { recursive: true })
write('d2f', 'now a file\n')
fs.rmSync(p('readd.txt'))
fs.chmodSync(p('mode.sh'), 0o4755)
fs.linkSync(p('etc/hosts'), p('hostlink'))
fs.rmSync(p('big.bin'))
write('big.bin', h.pattern(2 << 20, 9))
repack()
// Layer 3, by hand (umoci writes no opaque markers): opq is opaque with a
// new child; etc/keep.conf whited out.
const l3 = path.join(dir, 'l3')
fs.mkdirSync(path.join(l3, 'opq'), { recursive: true })
fs.mkdirSync(path.join(l3, 'etc'))
fs.writeFileSync(path.join(l3, 'opq/.wh..wh..opq'), '')
fs.writeFileSync(path.join(l3, 'opq/c'), 'c, of the opaque layer\n')
fs.writeFileSync(path.join(l3, 'etc/.wh.keep.conf'), '')
h.must('tar', ['-C', l3, '-cf', path.join(dir, 'l3.tar'), 'opq', 'etc'])
h.must('umoci', ['raw', 'add-layer', '--image', `${layout}:t`, path.join(dir, 'l3.tar')])
// Layer 4: the deleted path again.
const bundle2 = path.join(dir, 'bundle2')
h.must('umoci', ['unpack', '--image', `${layout}:t`, bundle2])
fs.writeFileSync(path.join(bundle2, 'rootfs/readd.txt'), 'again\n')
repack(bundle2)
// What the image is, by umoci.
const ref = path.join(dir, 'ref')
h.must('umoci', ['unpack', '--image', `${layout}:t`, ref])
const want = describe(path.join(ref, 'rootfs'))

// { relpath -> description } of an image's tree, through lkl, in the
// shape test/helpers/tree.js gives a host tree.
async function describeImage (file) {
  const img = await lib.open(file, { readOnly: true })
  const fsp = img.fs.promises
  const out = new Map()
  const inodes = new Map()
  try {
    const walk = async (rel) => {
      const abs = rel === '.' ? '/' : '/' + rel
      const st = await fsp.lstat(abs, { bigint: true })
      const d = { mode: st.mode.toString(8), uid: Number(st.uid), gid: Number(st.gid), mtime: st.mtimeNs.toString() }
      if (st.isFile()) {
        d.size = Number(st.size)
        d.sha = crypto.createHash('sha1').update(await fsp.readFile(abs)).digest('hex')
      }
      if (st.isSymbolicLink()) d.link = await fsp.readlink(abs)
      if (st.isCharacterDevice() || st.isBlockDevice()) d.rdev = st.rdev.toString()
      const x = {}
      for (const name of (await fsp.llistxattr(abs)).sort()) x[name] = '0x' + (await fsp.lgetxattr(abs, name)).toString('hex')
      if (Object.keys(x).length) d.xattrs = x
      if (!st.isDirectory() && st.nlink > 1n) {
        const key = st.ino.toString()
        if (!inodes.has(key)) inodes.set(key, [])
        inodes.get(key).push(rel)
      }
      out.set(rel, d)
      if (st.isDirectory()) {
        for (const name of (await fsp.readdir(abs)).sort()) {
          const r = rel === '.' ? name : rel + '/' + name
          if (r !== 'lost+found') await walk(r)
        }
      }
    }
    await walk('.')
  } finally {
    await img.close()
  }
  for (const group of inodes.values()) {
    group.sort()
    for (const rel of group) out.get(rel).linkGroup = group[0]
  }
  return out
}

async function drain (content) {
  let n = 0
  for await (const chunk of content) n += chunk.length
  return n
}

function diff (a, b) {
  const diffs = []
  for (const [rel, x] of a) {
    const y = b.get(rel)
    if (!y) { diffs.push(`missing: ${rel}`); continue }
    if (rel === '.') { delete x.mtime; delete y.mtime; delete x.mode; delete y.mode }
    if (JSON.stringify(x) !== JSON.stringify(y)) diffs.push(`differs: ${rel}\n  want ${JSON.stringify(x)}\n  got  ${JSON.stringify(y)}`)
  }
  for (const rel of b.keys()) if (!a.has(rel)) diffs.push(`extra: ${rel}`)
  return diffs
}

test('the umoci image has what the test means it to', (t) => {
  t.ok(want.has('opq/c') && !want.has('opq/a'), 'opq is opaque')
  t.ok(!want.has('gone') && !want.has('del.txt') && !want.has('etc/keep.conf'), 'deletions')
  t.ok(want.get('f2d').mode.startsWith('40') && want.get('d2f').mode.startsWith('100'), 'replacements')
  t.equal(want.get('mode.sh').mode, '104755', 'mode change')
  t.equal(want.get('hostlink').linkGroup, 'etc/hosts', 'hardlink to a lower file')
  t.ok(want.get('etc/hosts').xattrs, 'xattrs')
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json')))
  const manifest = JSON.parse(fs.readFileSync(path.join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7))))
  t.equal(manifest.layers.length, 4, 'four layers')
  t.end()
})

const archive = path.join(dir, 'img.tar')
h.must('tar', ['-C', layout, '-cf', archive, '.'])
const docker = path.join(dir, 'docker.tar')
h.must('skopeo', ['copy', '-q', `oci:${layout}:t`, `docker-archive:${docker}:example/oci:t`])

for (const [name, from] of [['oci:DIR:REF', `oci:${layout}:t`], ['oci:DIR', `oci:${layout}`], ['oci-archive:FILE:REF', `oci-archive:${archive}:t`], ['docker-archive:FILE:REF', `docker-archive:${docker}:example/oci:t`]]) {
  test(`create --type ext4 --from ${name}: the tree umoci unpack gives, fsck clean`, async (t) => {
    const out = path.join(dir, `${name.replace(/[^a-z]/g, '')}.img`)
    const r = lkl(['create', out, '--type', 'ext4', '--from', from])
    t.equal(r.status, 0, r.stderr)
    const ck = h.fsck('ext4', out)
    t.ok(ck.ok, 'e2fsck -fn clean' + (ck.ok ? '' : ': ' + ck.output))
    const got = await describeImage(out)
    t.deepEqual(diff(want, got), [], 'same tree as umoci unpack')
    fs.rmSync(out)
  })
}

test('ociLayers: one Entry stream, layers in order, whiteouts as entries', async (t) => {
  const seen = []
  for await (const e of lib.ociLayers(layout, { ref: 't' })) {
    seen.push([e.layer, e.type, e.path])
    if (e.content) await drain(e.content)
  }
  const layers = seen.map((s) => s[0])
  t.deepEqual(layers, [...layers].sort((a, b) => a - b), 'layers in order')
  t.equal(Math.max(...layers), 3, 'four layers')
  t.ok(seen.some(([l, type, p]) => l === 1 && type === 'whiteout' && p === 'gone'), 'a whiteout entry for the deleted directory')
  t.ok(seen.some(([l, type, p]) => l === 2 && type === 'opaque' && p === 'opq'), 'an opaque entry for opq')
  t.ok(seen.some(([l, type, p]) => l === 2 && type === 'whiteout' && p === 'etc/keep.conf'), 'a whiteout from the hand-made layer')
  t.end()
})

test('a corrupt layer blob: ERR_LKL_OCI_DIGEST naming it, no later layer, no image', async (t) => {
  const bad = path.join(dir, 'bad')
  fs.cpSync(layout, bad, { recursive: true })
  const index = JSON.parse(fs.readFileSync(path.join(bad, 'index.json')))
  const manifest = JSON.parse(fs.readFileSync(path.join(bad, 'blobs/sha256', index.manifests[0].digest.slice(7))))
  const blob = path.join(bad, 'blobs/sha256', manifest.layers[1].digest.slice(7))
  const b = fs.readFileSync(blob)
  b[4] ^= 0xff // the gzip header's mtime: still a valid gzip stream, another digest
  fs.writeFileSync(blob, b)
  let err = null
  let later = 0
  try {
    for await (const e of lib.ociLayers(bad)) {
      if (e.layer > 1) later++
      if (e.content) await drain(e.content)
    }
  } catch (e) {
    err = e
  }
  t.equal(err && err.code, 'ERR_LKL_OCI_DIGEST', 'digest error')
  t.ok(err && err.message.includes(manifest.layers[1].digest.slice(7)), 'names the blob')
  t.equal(later, 0, 'no entry of a later layer came out')
  // The middle of the compressed data: zlib fails first, the digest still tells.
  const c = fs.readFileSync(blob)
  c[Math.floor(c.length / 2)] ^= 0xff
  fs.writeFileSync(blob, c)
  const out = path.join(dir, 'bad.img')
  const r = lkl(['create', out, '--type', 'ext4', '--size', '64M', '--from', `oci:${bad}:t`])
  t.notEqual(r.status, 0, 'create fails')
  t.ok(r.stderr.includes('ERR_LKL_OCI_DIGEST') || r.stderr.includes('digest'), r.stderr.trim())
  t.notOk(fs.existsSync(out), 'no output image')
  t.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('bad.img')), [], 'no temporary image left')
})

test('refs and platforms: a missing ref lists the ones there are', (t) => {
  const r = lkl(['create', path.join(dir, 'x.img'), '--type', 'ext4', '--from', `oci:${layout}:nope`])
  t.notEqual(r.status, 0)
  t.ok(/no image tagged 'nope' \(it has: t\)/.test(r.stderr), r.stderr.trim())
  t.end()
})

for (const type of ['btrfs', 'xfs']) {
  test(`create --type ${type} --from oci:DIR:REF: the tree umoci unpack gives, checker clean`, async (t) => {
    const out = path.join(dir, `${type}.img`)
    const r = lkl(['create', out, '--type', type, '--from', `oci:${layout}:t`])
    t.equal(r.status, 0, r.stderr)
    const ck = h.fsck(type, out)
    t.ok(ck.ok, `${type} checker clean` + (ck.ok ? '' : ': ' + ck.output))
    const got = await describeImage(out)
    t.deepEqual(diff(want, got), [], 'same tree as umoci unpack')
    fs.rmSync(out)
  })
}

test('unpack --from oci: into a directory of an image; --whiteouts overlay and keep; a layer tar with --whiteouts apply', async (t) => {
  const out = path.join(dir, 'unpack.img')
  h.must('mkfs.ext4', ['-q', '-F', out, '64M'])
  let r = lkl(['unpack', `${out}:/root`, '--from', `oci:${layout}:t`])
  t.equal(r.status, 0, r.stderr)
  r = lkl(['unpack', `${out}:/ovl`, '--from', `oci:${layout}:t`, '--whiteouts', 'overlay'])
  t.equal(r.status, 0, r.stderr)
  r = lkl(['unpack', `${out}:/keep`, '--from', `oci:${layout}:t`, '--whiteouts', 'keep'])
  t.equal(r.status, 0, r.stderr)
  // A layer tar on its own: its whiteout removes what is there.
  r = lkl(['unpack', `${out}:/root`, path.join(dir, 'l3.tar'), '--whiteouts', 'apply'])
  t.equal(r.status, 0, r.stderr)
  t.ok(h.fsck('ext4', out).ok, 'e2fsck -fn clean')
  const img = await lib.open(out, { readOnly: true })
  try {
    const fsp = img.fs.promises
    t.deepEqual((await fsp.readdir('/root/opq')).sort(), ['c'], 'apply: opq is opaque')
    const wh = await fsp.lstat('/ovl/etc/keep.conf')
    t.ok(wh.isCharacterDevice() && wh.rdev === 0, 'overlay: a whiteout is a 0/0 character device')
    t.equal((await fsp.lgetxattr('/ovl/opq', 'trusted.overlay.opaque')).toString(), 'y', 'overlay: trusted.overlay.opaque=y')
    t.deepEqual((await fsp.readdir('/ovl/opq')).sort(), ['c'], 'overlay: the layers merged here are applied too')
    t.notOk((await fsp.readdir('/ovl/etc')).includes('.wh.keep.conf'), 'overlay: no .wh. file')
    t.ok((await fsp.lstat('/keep/etc/.wh.keep.conf')).isFile(), 'keep: the .wh. file itself')
    t.ok((await fsp.lstat('/keep/opq/.wh..wh..opq')).isFile(), 'keep: the opaque marker itself')
  } finally {
    await img.close()
  }
})
