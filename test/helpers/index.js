// SPDX-License-Identifier: GPL-2.0-only
// Test helpers: temp dirs, host tools, deterministic data, fixture trees.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync } = require('child_process')

const dirs = []
process.on('exit', () => {
  if (process.env.LKL_KEEP_TMP) return
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

function tmpdir (name = 'lkl-test') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), name + '-'))
  dirs.push(d)
  return d
}

// Run a host tool; returns { status, stdout, stderr } (stdout as Buffer).
function sh (cmd, args, opts = {}) {
  const env = { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin', MTOOLS_SKIP_CHECK: '1' }
  const r = spawnSync(cmd, args, { env, maxBuffer: 1 << 30, ...opts })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr ? r.stderr.toString() : '' }
}

// Run a host tool that must succeed.
function must (cmd, args, opts) {
  const r = sh(cmd, args, opts)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`)
  return r
}

// Deterministic pseudo-random bytes (xorshift32), reproducible by seed.
function pattern (size, seed = 1) {
  const buf = Buffer.allocUnsafe(size)
  let x = (seed * 2654435761) >>> 0 || 1
  let i = 0
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    buf.writeUInt32LE(x, i)
  }
  for (; i < size; i++) buf[i] = i & 0xff
  return buf
}

// A small tree the mkfs tools copy into images.
const TREE = {
  'hello.txt': Buffer.from('hello from the host tools\n'),
  'dir/sub/data.bin': pattern(3 * 1024 * 1024 + 123, 7),
  'dir/note.txt': Buffer.from('a note\n'.repeat(100))
}

function makeTree (dir) {
  for (const [rel, data] of Object.entries(TREE)) {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), data)
  }
  fs.mkdirSync(path.join(dir, 'dir/empty'), { recursive: true })
  return dir
}

function sparse (file, size) {
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, size)
}

const MB = 1024 * 1024

// Make an image of `type` at `file`; populated from `src` when the tool can.
// Returns true if the tool populated it. `size` (ext2/ext4 only) defaults
// to 64 MiB.
function makeImage (type, file, src, size = 64 * MB) {
  switch (type) {
    case 'ext4':
    case 'ext2':
      sparse(file, size)
      must('mke2fs', ['-q', '-F', '-t', type, ...(src ? ['-d', src] : []), file])
      return !!src
    case 'vfat':
      sparse(file, 64 * MB)
      must('mkfs.vfat', [file])
      if (src) {
        for (const name of fs.readdirSync(src)) must('mcopy', ['-s', '-i', file, path.join(src, name), '::/'])
      }
      return !!src
    case 'btrfs':
      sparse(file, 256 * MB)
      must('mkfs.btrfs', ['-q', '-f', ...(src ? ['--rootdir', src] : []), file])
      return !!src
    case 'xfs':
      sparse(file, 320 * MB)
      must('mkfs.xfs', ['-q', '-f', file])
      return false
    case 'exfat':
      sparse(file, 64 * MB)
      must('mkfs.exfat', [file])
      return false
    case 'f2fs':
      sparse(file, 128 * MB)
      must('mkfs.f2fs', ['-q', '-f', file])
      return false
  }
  throw new Error('no mkfs for ' + type)
}

// The filesystem's own checker, read-only. { ok, output }
function fsck (type, file) {
  let r
  switch (type) {
    case 'ext4': case 'ext2': case 'ext3': r = sh('e2fsck', ['-fn', file]); break
    case 'vfat': r = sh('fsck.fat', ['-n', file]); break
    case 'btrfs': r = sh('btrfs', ['check', file]); break
    case 'xfs': r = sh('xfs_repair', ['-n', '-f', file]); break
    case 'exfat': r = sh('fsck.exfat', ['-n', file]); break
    case 'f2fs': r = sh('fsck.f2fs', ['-f', '--dry-run', file]); break
    default: throw new Error('no fsck for ' + type)
  }
  const output = r.stdout.toString() + r.stderr
  // fsck.f2fs exits 0 even when it finds problems; read its verdicts.
  const ok = r.status === 0 && !(type === 'f2fs' && /\[Fail\]|corrupted|Fix/.test(output.replace(/\[FSCK\] other corrupted bugs\s+\[Ok\.\.\]/, '')))
  return { ok, output }
}

// Read a file from an ext2/3/4 image with debugfs (an independent reader).
// Whether an image was unmounted cleanly, by the filesystem's own tools:
// ext4 has no journal to recover and e2fsck -fn is clean; xfs_repair -n
// finds no dirty log or damage; fsck.fat -n finds no dirty bit or damage.
// { ok, output }
function cleanlyUnmounted (type, file) {
  switch (type) {
    case 'ext4': {
      const d = sh('dumpe2fs', ['-h', file])
      const f = sh('e2fsck', ['-fn', file])
      const recover = /needs_recovery/.test(d.stdout)
      return { ok: !recover && f.status === 0, output: (recover ? 'the journal needs recovery\n' : '') + f.stdout + f.stderr }
    }
    case 'xfs': {
      const r = sh('xfs_repair', ['-n', file])
      return { ok: r.status === 0, output: r.stdout + r.stderr }
    }
    case 'vfat': {
      const r = sh('fsck.fat', ['-n', file])
      const out = r.stdout + r.stderr
      return { ok: r.status === 0 && !/dirty bit/i.test(out), output: out }
    }
  }
  throw new Error('no clean-unmount check for ' + type)
}

// The error a promise rejects with, or null when it resolves (tape here
// has no t.rejects).
async function failure (p) {
  try {
    await p
  } catch (e) {
    return e
  }
  return null
}

function debugfsCat (file, p) {
  return must('debugfs', ['-R', `cat ${p}`, file]).stdout
}

function debugfsLs (file, p) {
  const out = must('debugfs', ['-R', `ls -p ${p}`, file]).stdout.toString()
  // -p: /inode/mode/uid/gid/name/size/
  return out.split('\n').map((l) => l.split('/')[5]).filter((n) => n && n !== '.' && n !== '..').sort()
}

module.exports = { tmpdir, sh, must, failure, pattern, TREE, makeTree, makeImage, fsck, cleanlyUnmounted, debugfsCat, debugfsLs, sparse, MB }
