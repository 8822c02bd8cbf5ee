// SPDX-License-Identifier: GPL-2.0-only
// --exclude means what GNU tar's does (issue 10.4): on the debootstrap
// rootfs, the entries kept by lkl.transforms.exclude (and by `lkl create
// --exclude`) are exactly those GNU tar keeps with the same pattern.
'use strict'

const test = require('tape')
const path = require('path')
const { Writable } = require('stream')
const { pipeline } = require('stream/promises')
const h = require('./helpers')
const { lkl: run } = require('./helpers/cli')
const tree = require('./helpers/tree')
const lkl = require('..')

const ROOT = tree.debianRootfs()
const dir = h.tmpdir('lkl-exclude')

// The entry paths GNU tar archives with the patterns, without './' and '/'
// ends. The root '.' is left out of both lists: tar drops it for patterns
// such as '*', lkl keeps the root it writes into.
function gnuTar (patterns) {
  const ex = patterns.map((p) => `--exclude '${p}'`).join(' ')
  const r = h.sh('bash', ['-c', `set -o pipefail; tar -cf - ${ex} -C '${ROOT}' . | tar -tf -`])
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`)
  return r.stdout.toString().split('\n').filter(Boolean)
    .map((p) => p.replace(/^\.\//, '').replace(/\/$/, '')).filter((p) => p !== '.' && p !== '')
}

async function ours (patterns) {
  const out = []
  await pipeline(lkl.hostWalk(ROOT), lkl.transforms.exclude(...patterns), new Writable({
    objectMode: true,
    write (e, _, cb) {
      if (e.content) e.content.destroy()
      if (e.path !== '.') out.push(e.path)
      cb()
    }
  }))
  return out
}

const PATTERNS = [
  'usr/share/man/man[18]', // brackets, a directory's contents
  'man[18]', // unanchored: any depth
  '*.gz', // * crosses '/' (--wildcards-match-slash)
  'usr/*/man',
  'share/doc', // unanchored at a component boundary
  './usr/share/doc', // ./ anchors at the root
  '?bin',
  'usr/lib/x86_64-linux-gnu/lib?.so*',
  'usr/[!s]*', // fnmatch's negated bracket
  '[[:digit:]]*', // POSIX classes
  'doc/*/copyright',
  'etc',
  'lib*',
  'usr/share/zoneinfo/Etc/GMT+1', // '+' is literal
  'usr/share/man/' // a trailing '/' matches nothing in tar
]

test('exclude patterns keep what GNU tar keeps', async (t) => {
  const all = gnuTar([])
  for (const p of PATTERNS) {
    const want = gnuTar([p])
    const got = await ours([p])
    t.deepEqual(got.slice().sort(), want.slice().sort(), `'${p}': ${all.length - want.length} excluded, like GNU tar`)
  }
  const two = ['*.gz', 'usr/share/locale']
  t.deepEqual((await ours(two)).sort(), gnuTar(two).sort(), 'several patterns')
  t.equal(all.length - gnuTar(['usr/share/man/man[18]']).length > 0, true, 'the man pattern excludes something')
  t.end()
})

test('lkl create --exclude: the image holds what GNU tar keeps', (t) => {
  const img = path.join(dir, 'r.img')
  const p = 'usr/share/man/man[18]'
  let r = run(['create', img, '-t', 'ext4', '--from', ROOT, '--exclude', p])
  t.equal(r.status, 0, r.stderr)
  r = run(['pack', img, '-'])
  t.equal(r.status, 0, r.stderr)
  const listed = h.sh('tar', ['-tf', '-'], { input: r.stdout }).stdout.toString().split('\n').filter(Boolean)
    .map((x) => x.replace(/\/$/, '')).filter((x) => x !== '.' && x !== 'lost+found')
  t.deepEqual(listed.sort(), gnuTar([p]).sort(), 'same entries as tar --exclude')
  h.fsck('ext4', img)
  t.end()
})

test.onFinish(() => lkl.halt())
