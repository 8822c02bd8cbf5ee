// SPDX-License-Identifier: GPL-2.0-only
// `lkl create` never leaves a half-made image under the final name: it
// builds beside it and renames on success; SIGINT/SIGTERM and errors remove
// the temporary file, keep an existing OUT as it was, and exit 130/143/1
// with a one-line message.
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { spawn, spawnSync } = require('child_process')
const h = require('./helpers')

const { MAIN } = require('./helpers/cli')
const dir = h.tmpdir('lkl-create-int')

// A tar of a small tree; the child gets its first half and then waits.
const tree = h.makeTree(path.join(dir, 'tree'))
const tar = spawnSync('tar', ['-C', tree, '-cf', '-', '.'], { maxBuffer: 1 << 28 }).stdout

function leftovers (d, name) {
  return fs.readdirSync(d).filter((f) => f.startsWith(`.${name}.lkl-`))
}

// Start `lkl create OUT --from -`, feed half a tar, signal it once it is
// filling the image (its temporary file exists), resolve how it ended.
function interrupted (out, signal) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'create', out, '--type', 'ext4', '--size', '64M', '--from', '-'], { stdio: ['pipe', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => { err += d })
    child.stdin.on('error', () => {})
    child.stdin.write(tar.subarray(0, tar.length >> 1))
    const poll = setInterval(() => {
      if (leftovers(path.dirname(out), path.basename(out)).length === 0) return
      clearInterval(poll)
      setTimeout(() => child.kill(signal), 300)
    }, 20)
    child.on('exit', (status, sig) => {
      clearInterval(poll)
      resolve({ status, signal: sig, err })
    })
  })
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  test(`create interrupted by ${signal}: exit ${code}, no image, nothing left`, async (t) => {
    const out = path.join(dir, `new-${signal}.img`)
    const r = await interrupted(out, signal)
    t.equal(r.status, code, `exit status ${code}`)
    t.equal(r.err.trim().split('\n').length, 1, `one line on stderr: ${r.err.trim()}`)
    t.match(r.err, new RegExp(`interrupted by ${signal}`), 'it says why')
    t.notOk(fs.existsSync(out), 'no image under the final name')
    t.same(leftovers(dir, path.basename(out)), [], 'no temporary file left')
  })
}

test('an existing OUT is kept as it was when create is interrupted or fails', async (t) => {
  const out = path.join(dir, 'existing.img')
  h.makeImage('ext4', out, tree)
  const before = fs.readFileSync(out)
  const r = await interrupted(out, 'SIGINT')
  t.equal(r.status, 130, 'interrupted: 130')
  t.ok(fs.readFileSync(out).equals(before), 'the old image is untouched')
  const bad = spawnSync(process.execPath, [MAIN, 'create', out, '--type', 'ext4', '--size', '64M', '--from', '-'], { input: Buffer.alloc(4096, 'x') })
  t.equal(bad.status, 1, 'a bad tar: exit 1')
  t.equal(bad.stderr.toString().trim().split('\n').length, 1, `one line: ${bad.stderr.toString().trim()}`)
  t.ok(fs.readFileSync(out).equals(before), 'the old image is still untouched')
  t.same(leftovers(dir, 'existing.img'), [], 'no temporary file left')
  t.ok(h.fsck('ext4', out).ok, 'and it is still a clean ext4')
})

test('a successful create replaces OUT in one rename', (t) => {
  const out = path.join(dir, 'existing.img')
  const r = spawnSync(process.execPath, [MAIN, 'create', out, '--type', 'ext4', '--size', '64M', '--from', '-'], { input: tar })
  t.equal(r.status, 0, 'exit 0' + (r.status ? ': ' + r.stderr : ''))
  t.ok(h.fsck('ext4', out).ok, 'e2fsck -fn clean')
  t.equal(h.debugfsCat(out, '/hello.txt').length > 0, true, 'the new content is there')
  t.same(leftovers(dir, 'existing.img'), [], 'no temporary file left')
  t.end()
})
