// SPDX-License-Identifier: GPL-2.0-only
// Every ```js snippet of README.md and docs/*.md runs as written (issue
// 10.5): a snippet whose first line is `// ESM` runs as an .mjs file, any
// other as CommonJS (.cjs), from a directory holding the files the snippets
// name (disk.img with an ext4 partition 2, ext4.img, btrfs.img, in.tar,
// rootfs/, data.ext4) and a node_modules/lkl that is this package.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const h = require('./helpers')

const root = path.join(__dirname, '..')
const dir = h.tmpdir('lkl-docs-snippets')

function snippets () {
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  const out = []
  for (const f of files) {
    const lines = fs.readFileSync(path.join(root, f), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(js|javascript|mjs|cjs)\s*$/.test(lines[i])) continue
      const start = i + 1
      let end = start
      while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
      out.push({ where: `${f}:${start}`, code: lines.slice(start, end).join('\n') + '\n' })
      i = end
    }
  }
  return out
}

// The files the snippets use, made by the real tools.
function fixtures (cwd) {
  fs.mkdirSync(path.join(cwd, 'node_modules'), { recursive: true })
  fs.symlinkSync(root, path.join(cwd, 'node_modules', 'lkl'))
  // rootfs/: the test tree; disk.img's partition 2 and the ext4 images:
  // /etc/passwd; in.tar: srv/. Nothing overlaps, as the snippets write
  // one into the other without overwrite.
  const tree = path.join(cwd, 'rootfs')
  h.makeTree(tree)
  const base = path.join(cwd, 'base')
  fs.mkdirSync(path.join(base, 'etc'), { recursive: true })
  fs.writeFileSync(path.join(base, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
  const disk = path.join(cwd, 'disk.img')
  h.sparse(disk, 100 * h.MB)
  h.must('sfdisk', ['-q', disk], { input: 'label: gpt\n,30M\n,60M\n' })
  const p2 = path.join(cwd, 'p2.fs')
  h.sparse(p2, 60 * h.MB)
  h.must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', base, p2])
  h.must('dd', [`if=${p2}`, `of=${disk}`, 'bs=1M', 'seek=31', 'conv=notrunc,sparse', 'status=none'])
  fs.rmSync(p2)
  h.makeImage('ext4', path.join(cwd, 'ext4.img'), base)
  h.makeImage('ext4', path.join(cwd, 'data.ext4'), base)
  const layer = path.join(cwd, 'layer')
  fs.mkdirSync(path.join(layer, 'srv'), { recursive: true })
  fs.writeFileSync(path.join(layer, 'srv', 'x.txt'), 'x\n')
  h.must('tar', ['-cf', path.join(cwd, 'in.tar'), '-C', layer, 'srv'])
  h.makeImage('btrfs', path.join(cwd, 'btrfs.img'))
  return tree
}

// alpine-oci/: an OCI image layout (made by umoci) tagged 3.19, with one
// layer holding srv/oci.txt.
function ociFixture (cwd) {
  const layout = path.join(cwd, 'alpine-oci')
  const bundle = path.join(cwd, 'oci-bundle')
  h.must('umoci', ['init', '--layout', layout])
  h.must('umoci', ['new', '--image', `${layout}:3.19`])
  h.must('umoci', ['unpack', '--image', `${layout}:3.19`, bundle])
  fs.mkdirSync(path.join(bundle, 'rootfs', 'srv'), { recursive: true })
  fs.writeFileSync(path.join(bundle, 'rootfs', 'srv', 'oci.txt'), 'from a container layer\n')
  h.must('umoci', ['repack', '--image', `${layout}:3.19`, bundle])
  fs.rmSync(bundle, { recursive: true, force: true })
}

const all = snippets()

test('the docs have snippets, each stating ESM or CommonJS', (t) => {
  t.ok(all.length >= 5, `${all.length} snippets`)
  for (const s of all) {
    const esm = s.code.startsWith('// ESM')
    t.ok(esm || !/^\s*(import|export)\s/m.test(s.code), `${s.where}: ${esm ? 'ESM' : 'CommonJS'}`)
    if (!esm) t.notOk(/^await /m.test(s.code), `${s.where}: no top-level await in CommonJS`)
  }
  t.end()
})

for (const [i, s] of all.entries()) {
  test(`${s.where} runs as written`, (t) => {
    const cwd = path.join(dir, `s${i}`)
    const tree = fixtures(cwd)
    if (s.code.includes('alpine-oci')) ociFixture(cwd)
    const file = path.join(cwd, s.code.startsWith('// ESM') ? 'example.mjs' : 'example.cjs')
    fs.writeFileSync(file, s.code)
    const r = h.sh(process.execPath, [file], { cwd })
    t.equal(r.status, 0, `exit 0: ${r.stderr}`)
    t.notOk(/Error/.test(r.stderr), `no error on stderr: ${r.stderr}`)
    // What the snippet leaves behind, checked by other tools.
    if (/config\.json/.test(s.code)) t.match(r.stdout.toString(), /\[ 'config\.json' \]/, 'printed the new directory')
    if (/out\.tar/.test(s.code)) t.ok(h.must('tar', ['-tf', path.join(cwd, 'out.tar')]).stdout.toString().split('\n').includes('etc/passwd'), 'out.tar holds etc/passwd')
    if (/hostWriter\('out\/etc'\)/.test(s.code)) {
      const got = path.join(cwd, 'out/etc/passwd')
      t.equal(fs.existsSync(got) && fs.readFileSync(got, 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n', 'out/etc written on the host')
    }
    if (/out\.img/.test(s.code)) {
      // Partition 1 of out.img, cut out and checked by e2fsck.
      const out = path.join(cwd, 'out.img')
      const m = /start=\s*(\d+), size=\s*(\d+)/.exec(h.must('sfdisk', ['-d', out]).stdout.toString())
      const part = path.join(cwd, 'out-p1.fs')
      h.must('dd', [`if=${out}`, `of=${part}`, 'bs=512', `skip=${m[1]}`, `count=${m[2]}`, 'conv=sparse', 'status=none'])
      h.fsck('ext4', part)
      t.equal(h.debugfsCat(part, '/hello.txt').toString(), fs.readFileSync(path.join(tree, 'hello.txt'), 'utf8'), 'out.img holds rootfs/')
    }
    if (/alpine-oci/.test(s.code)) t.equal(h.debugfsCat(path.join(cwd, 'ext4.img'), '/srv/oci.txt').toString(), 'from a container layer\n', 'ext4.img holds the layer\'s file')
    if (/etc\/passwd'\)\.pipe/.test(s.code)) t.match(r.stdout.toString(), /^root:x:0:0/, 'printed /etc/passwd')
    t.end()
  })
}
