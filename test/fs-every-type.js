// SPDX-License-Identifier: GPL-2.0-only
// Every read-only and "other" filesystem type we list, made by its own
// Debian tool, mounted with type 'auto' and read back through lkl: erofs
// (plain, lz4, lz4hc with big physical clusters), squashfs (each
// compressor), iso9660 (Rock Ridge + Joliet), udf (written through lkl,
// read back after a remount), ntfs3 (populated by ntfscp), ext4 with
// casefold. The kernel must never BUG on them: erofs used vmap(), which
// BUG()s without an MMU (patch 0004). hfsplus is listed too, but Debian 12
// ships no mkfs.hfsplus to make one.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const lkl = require('..')
const { tmpdir, must, sh, pattern, TREE, makeTree, sparse, MB } = require('./helpers')

const dir = tmpdir('lkl-types')
const src = makeTree(path.join(dir, 'src'))
// Compressible and incompressible data over many pages, so that compressed
// clusters span several pages (the multi-page paths of the decompressors).
const EXTRA = {
  'big/text.txt': Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(40000)),
  'big/random.bin': pattern(700 * 1024 + 17, 3)
}
for (const [rel, data] of Object.entries(EXTRA)) {
  fs.mkdirSync(path.join(src, path.dirname(rel)), { recursive: true })
  fs.writeFileSync(path.join(src, rel), data)
}
const FILES = { ...TREE, ...EXTRA }

async function readsBack (t, img, files = FILES) {
  for (const [rel, data] of Object.entries(files)) {
    const got = await img.fs.promises.readFile('/' + rel)
    t.ok(got.equals(data), `${rel}: ${data.length} bytes read back`)
  }
  const names = []
  for await (const e of img.walk('/')) names.push(e.path)
  t.ok(names.includes('dir/sub/data.bin'), `walk lists the tree (${names.length} entries)`)
}

function readOnlyCase (name, type, make) {
  test(`${name}: mounts with type 'auto' and reads back`, async (t) => {
    const file = path.join(dir, name.replace(/\W+/g, '-') + '.img')
    make(file)
    const img = await lkl.open(file, { readOnly: true })
    t.equal(img.type, type, `detected as ${type}`)
    await readsBack(t, img)
    await img.close()
    // And again with the type given, which must not differ.
    const again = await lkl.open(file, { type, readOnly: true })
    t.ok((await again.fs.promises.readFile('/big/text.txt')).equals(EXTRA['big/text.txt']), 'explicit type reads too')
    await again.close()
  })
}

readOnlyCase('erofs', 'erofs', (f) => must('mkfs.erofs', ['--quiet', f, src]))
readOnlyCase('erofs lz4', 'erofs', (f) => must('mkfs.erofs', ['--quiet', '-zlz4', f, src]))
readOnlyCase('erofs lz4hc big clusters', 'erofs', (f) => must('mkfs.erofs', ['--quiet', '-zlz4hc,12', '-C65536', f, src]))
for (const comp of ['gzip', 'xz', 'zstd', 'lz4', 'lzo']) {
  readOnlyCase(`squashfs ${comp}`, 'squashfs', (f) => must('mksquashfs', [src, f, '-comp', comp, '-noappend', '-quiet']))
}
readOnlyCase('iso9660', 'iso9660', (f) => must('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-o', f, src]))

// Writable types whose mkfs tools cannot populate an image: write the tree
// through lkl, close, then mount again read-only and read it back.
function writableCase (type, make, check) {
  test(`${type}: written through lkl, read back after a remount`, async (t) => {
    const file = path.join(dir, type + '.img')
    make(file)
    let img = await lkl.open(file)
    t.equal(img.type, type, `detected as ${type}`)
    for (const [rel, data] of Object.entries(FILES)) {
      await img.fs.promises.mkdir('/' + path.dirname(rel), { recursive: true })
      await img.fs.promises.writeFile('/' + rel, data)
    }
    await img.close()
    img = await lkl.open(file, { readOnly: true })
    await readsBack(t, img)
    await img.close()
    if (check) check(t, file)
  })
}

writableCase('udf', (f) => {
  sparse(f, 64 * MB)
  must('mkudffs', ['--media-type=hd', '--blocksize=512', f])
})
// ntfs3: populated by ntfscp (ntfs-3g's tools write without mounting, but
// only files into existing directories), read back through lkl.
test('ntfs3: files written by ntfscp, mounted with type \'auto\' and read back', async (t) => {
  const file = path.join(dir, 'ntfs.img')
  sparse(file, 64 * MB)
  must('mkntfs', ['-F', '-Q', '-q', file])
  const flat = {}
  for (const [rel, data] of Object.entries(FILES)) {
    const name = rel.replace(/\//g, '_')
    fs.writeFileSync(path.join(dir, name), data)
    must('ntfscp', ['-f', file, path.join(dir, name), name])
    flat[name] = data
  }
  const img = await lkl.open(file, { readOnly: true })
  t.equal(img.type, 'ntfs3', 'detected as ntfs3')
  for (const [name, data] of Object.entries(flat)) {
    t.ok((await img.fs.promises.readFile('/' + name)).equals(data), `${name}: ${data.length} bytes read back`)
  }
  await img.close()
})

test('ext4 with casefold: mounts, case-insensitive lookups in a +F directory, e2fsck clean', async (t) => {
  const file = path.join(dir, 'casefold.img')
  sparse(file, 64 * MB)
  must('mke2fs', ['-q', '-F', '-t', 'ext4', '-O', 'casefold', '-d', src, file])
  // An empty directory marked casefolded (EXT4_CASEFOLD_FL) by debugfs.
  must('debugfs', ['-w', '-R', 'mkdir /ci', file])
  must('debugfs', ['-w', '-R', 'set_inode_field /ci flags 0x40080000', file])
  const img = await lkl.open(file)
  t.equal(img.type, 'ext4', 'detected as ext4')
  await readsBack(t, img, TREE)
  await img.fs.promises.writeFile('/ci/README.md', 'folded\n')
  t.equal(await img.fs.promises.readFile('/ci/readme.MD', 'utf8'), 'folded\n', 'a differently-cased name finds the file')
  t.deepEqual(await img.fs.promises.readdir('/ci'), ['README.md'], 'the name keeps its case')
  const clash = await img.fs.promises.writeFile('/ci/ReadMe.md', 'x', { flag: 'wx' }).then(() => null, (e) => e)
  t.equal(clash && clash.code, 'EEXIST', 'another case of the same name is the same file')
  await img.close()
  const r = sh('e2fsck', ['-fn', file])
  t.equal(r.status, 0, 'e2fsck -fn clean: ' + r.stdout.toString().split('\n').slice(-2).join(' '))
})
