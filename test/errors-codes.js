// SPDX-License-Identifier: GPL-2.0-only
// Every ERR_LKL_* code docs/errors.md lists is an lkl.LklError, made by one
// of its static factories: each is triggered through the public API where a
// test can provoke it (the two a healthy kernel never gives, through their
// factory), and the sources use no other code and build no LklError
// themselves.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const lkl = require('..')
const h = require('./helpers')

const root = path.join(__dirname, '..')
const dir = h.tmpdir('lkl-errcodes')
const good = path.join(dir, 'good.img')
h.makeImage('ext4', good, h.makeTree(path.join(dir, 'src')))

const documented = [...new Set(fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8')
  .split('\n').filter((l) => l.startsWith('| `ERR_LKL_'))
  .map((l) => /`(ERR_LKL_[A-Z_]+)`/.exec(l)[1]))]

function sources (d = path.join(root, 'lib')) {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : [])
}

// An error from a promise or a function (thrown or rejected).
async function caught (fn) {
  try {
    await fn()
  } catch (e) {
    return e
  }
  return null
}

function entries (list) {
  return Readable.from(list, { objectMode: true })
}

// How each documented code is produced; all but HALTED (the last test).
const triggers = {
  ERR_LKL_BOOT_FAILED: () => { throw lkl.LklError.bootFailed(-12) }, // a kernel that fails to boot
  ERR_LKL_KERNEL: () => { throw lkl.LklError.kernel('unmount', -16) }, // an unmount the kernel refuses
  // Real ones: test/corrupt-names.js (a patched ext4 image); no real tree is 4096 levels deep.
  ERR_LKL_CORRUPT_NAME: () => { throw lkl.LklError.corruptName('/d', Buffer.from('\0x'), 'the name holds a NUL byte', -117) },
  ERR_LKL_TOO_DEEP: () => { throw lkl.LklError.tooDeep('a/a/a', 4096) },
  ERR_LKL_ALREADY_BOOTED: async () => {
    await lkl.boot({ memory: '96M' })
    await lkl.boot({ memory: '1.5G' }) // a fraction: the one size grammar (lib/byte-size.ts)
  },
  ERR_LKL_IMAGE_CLOSED: async () => {
    const img = await lkl.open(good)
    await img.close()
    await img.fs.promises.stat('/')
  },
  ERR_LKL_IMAGE_BUSY: async () => {
    const img = await lkl.open(good)
    try {
      await lkl.open(good)
    } finally {
      await img.close()
    }
  },
  ERR_LKL_BUSY: async () => {
    const img = await lkl.open(good)
    try {
      lkl.haltKernelSync() // cannot wait for the image to close
    } finally {
      await img.close()
    }
  },
  ERR_LKL_FILE_CLOSED: async () => {
    const img = await lkl.open(good)
    try {
      const fh = await img.fs.promises.open('/hello.txt')
      await fh.close()
      await fh.stat()
    } finally {
      await img.close()
    }
  },
  ERR_LKL_UNKNOWN_FSTYPE: () => lkl.open(good, { type: 'nosuchfs' }),
  ERR_LKL_NO_PARTITION: () => lkl.open(good, { partition: { label: 'no-such-label' } }),
  ERR_LKL_MOUNT_FAILED: () => lkl.open(good, { type: 'xfs' }),
  // A warning: rethrown by the handler, it rejects the open.
  ERR_LKL_PARTITION_PICKED: async () => {
    const gpt = path.join(dir, 'gpt.img')
    await lkl.mkfs(gpt, { type: 'ext4', size: '16M', partition: 'gpt' })
    await lkl.open(gpt, { onWarning: (w) => { throw w } })
  },
  ERR_LKL_DISK_TOO_SMALL: () => {
    const tiny = path.join(dir, 'tiny.txt')
    fs.writeFileSync(tiny, 'not an image\n')
    return lkl.open(tiny)
  },
  ERR_LKL_DISK_CLOSED: async () => {
    const disk = lkl.disk.memory('1M')
    await disk.close()
    await lkl.open(disk)
  },
  ERR_LKL_READ_ONLY: () => lkl.disk.memory(Buffer.alloc(h.MB), { readOnly: true }).createWriteStream(),
  ERR_LKL_UNSAFE_PATH: () => pipeline(entries([{ path: '../escape.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0n }]), lkl.hostWriter(path.join(dir, 'out'))),
  ERR_LKL_UNSUPPORTED_ENTRY: async () => {
    const fat = path.join(dir, 'fat.img')
    h.makeImage('vfat', fat)
    const img = await lkl.open(fat)
    try {
      await pipeline(entries([{ path: 'link', type: 'symlink', linkname: 'x', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0n }]), img.writer('/'))
    } finally {
      await img.close()
    }
  },
  // Container images: a layout made by umoci, asked for a tag it lacks,
  // broken (no index.json), and with a blob changed after it was written.
  ERR_LKL_OCI_NOT_FOUND: () => drain(lkl.ociLayers(ociLayout('oci-missing'), { ref: 'no-such-tag' })),
  ERR_LKL_OCI_INVALID: () => {
    const bad = path.join(dir, 'oci-invalid')
    fs.mkdirSync(bad)
    fs.writeFileSync(path.join(bad, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    return drain(lkl.ociLayers(bad))
  },
  ERR_LKL_OCI_DIGEST: () => {
    const layout = ociLayout('oci-corrupt')
    const blobs = path.join(layout, 'blobs', 'sha256')
    // The biggest blob is the layer: one byte of it changed.
    const [big] = fs.readdirSync(blobs).map((b) => path.join(blobs, b)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)
    const data = fs.readFileSync(big)
    data[data.length >> 1] ^= 0xff
    fs.writeFileSync(big, data)
    return drain(lkl.ociLayers(layout, { ref: 't' }))
  },
  ERR_LKL_ENTRY_SIZE: () => pipeline(entries([{ path: 'short.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, mtime: 0n, content: Readable.from([Buffer.from('abc')]) }]), lkl.tarPack(), fs.createWriteStream(path.join(dir, 'short.tar'))),
  ERR_LKL_TAR_INVALID: () => pipeline(Readable.from([Buffer.alloc(512, 0x41)]), lkl.tarUnpack(), lkl.hostWriter(path.join(dir, 'tar-out'))),
  ERR_LKL_NOT_A_FILE: () => lkl.mkfs(dir, { type: 'ext4', size: '8M' }),
  ERR_LKL_TOOL_FAILED: () => lkl.mkfs(path.join(dir, 'bad-args.img'), { type: 'ext4', size: '8M', args: ['--no-such-option'] }),
  ERR_LKL_TOOL_MISSING: () => {
    // The compressors are found on PATH like any child process: hide them.
    const { decompressor } = require('../dist/cli/compress')
    const saved = process.env.PATH
    process.env.PATH = path.join(dir, 'empty-path')
    try {
      const d = decompressor('xz')
      return new Promise((resolve, reject) => { d.on('error', reject); d.on('close', resolve) })
    } finally {
      process.env.PATH = saved
    }
  }
}

// An OCI layout tagged t with one layer holding a 64 KiB file (umoci).
function ociLayout (name) {
  const layout = path.join(dir, name)
  const bundle = path.join(dir, name + '-bundle')
  h.must('umoci', ['init', '--layout', layout])
  h.must('umoci', ['new', '--image', `${layout}:t`])
  h.must('umoci', ['unpack', '--image', `${layout}:t`, bundle])
  fs.writeFileSync(path.join(bundle, 'rootfs', 'data.bin'), h.pattern(64 * 1024, 3))
  h.must('umoci', ['repack', '--image', `${layout}:t`, bundle])
  return layout
}

// Read an Entry stream to its end: each content is drained by resume(),
// and the next entry waits until it is.
async function drain (stream) {
  for await (const e of stream) if (e.content) e.content.resume()
}

test('docs/errors.md lists every code the sources use, and no code twice', (t) => {
  t.ok(documented.length >= 19, `${documented.length} documented codes`)
  const used = new Set()
  for (const f of sources()) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/'(ERR_LKL_[A-Z_]+)'/g)) used.add(m[1])
  }
  for (const code of used) t.ok(documented.includes(code), `${code} (used in lib/) is documented`)
  t.deepEqual(Object.keys(triggers).concat('ERR_LKL_HALTED').sort(), [...documented].sort(), 'every documented code has a trigger here')
  t.end()
})

test('only lib/errors.ts makes ERR_LKL_* errors', (t) => {
  for (const f of sources()) {
    if (f === path.join(root, 'lib/errors.ts')) continue
    const text = fs.readFileSync(f, 'utf8')
    const rel = path.relative(root, f)
    t.notOk(/new LklError\(/.test(text), `${rel}: no direct new LklError()`)
    t.notOk(/code\s*[:=]\s*'ERR_LKL_/.test(text), `${rel}: no ERR_LKL_ code set by hand`)
  }
  t.end()
})

test('each documented code is an lkl.LklError', async (t) => {
  for (const [code, trigger] of Object.entries(triggers)) {
    const e = await caught(trigger)
    t.ok(e, `${code}: an error`)
    if (!e) continue
    t.equal(e.code, code, `${code}: ${e.message}`)
    t.ok(e instanceof lkl.LklError, `${code}: instanceof lkl.LklError`)
    t.equal(e.name, 'LklError', `${code}: name`)
  }
})

test('ERR_LKL_HALTED (last: halt() is final)', async (t) => {
  await lkl.halt()
  const e = await caught(() => lkl.open(good))
  t.equal(e && e.code, 'ERR_LKL_HALTED', 'open() after halt()')
  t.ok(e instanceof lkl.LklError, 'instanceof lkl.LklError')
})

test('instanceof lkl.LklError holds for an LklError of another copy of the code', (t) => {
  // dist/errors.js is the module tsc wrote; require('..') is the bundle (its own class).
  const other = require('../dist/errors').LklError
  t.notEqual(other, lkl.LklError, 'two class objects')
  t.ok(other.halted() instanceof lkl.LklError, 'the copy\'s error is an lkl.LklError')
  t.ok(lkl.LklError.halted() instanceof other, 'and the other way round')
  t.notOk(new Error('x') instanceof lkl.LklError, 'a plain Error is not')
  t.notOk(Object.assign(new Error('x'), { code: 'ERR_LKL_HALTED' }) instanceof lkl.LklError, 'nor one with the same code')
  t.end()
})
