// SPDX-License-Identifier: GPL-2.0-only
// An unpack into a directory never touches anything outside it, whatever the
// entries say: hostile tars (made here with tar-stream, an independent
// encoder) that climb out through symlinks, symlink chains, a directory
// replaced by a symlink, hardlinks and '..' are refused with
// ERR_LKL_UNSAFE_PATH naming the entry, through img.writer(), imageWriter,
// `lkl unpack IMG:/dir`; the rest of the image is unchanged and fsck-clean.
'use strict'

const test = require('tape')
const fs = require('fs')
const path = require('path')
const { pipeline } = require('stream/promises')
const { Readable } = require('stream')
const tarStream = require('tar-stream')
const lkl = require('..')
const { tmpdir, must, sh, sparse, MB } = require('./helpers')
const { lkl: runCli } = require('./helpers/cli')

const dir = tmpdir('lkl-unsafe')
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n'

// A fresh ext4 image holding /etc/passwd, /root and /opt/app.
function makeImage (name) {
  const src = path.join(dir, name + '-src')
  fs.mkdirSync(path.join(src, 'etc'), { recursive: true })
  fs.mkdirSync(path.join(src, 'root'), { recursive: true })
  fs.mkdirSync(path.join(src, 'opt/app'), { recursive: true })
  fs.writeFileSync(path.join(src, 'etc/passwd'), PASSWD)
  const file = path.join(dir, name + '.img')
  sparse(file, 32 * MB)
  must('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', src, file])
  return file
}

// A tar (Buffer) of the given members, encoded by tar-stream.
async function hostileTar (members) {
  const pack = tarStream.pack()
  const chunks = []
  pack.on('data', (c) => chunks.push(c))
  const done = new Promise((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject) })
  for (const m of members) {
    const { body, ...header } = m
    await new Promise((resolve, reject) => pack.entry({ mode: 0o644, mtime: new Date(0), ...header }, body ?? null, (err) => err ? reject(err) : resolve()))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

const CASES = {
  'absolute symlink, then a file through it': [
    { name: 'a', type: 'symlink', linkname: '/etc' },
    { name: 'a/passwd', body: 'owned\n' }
  ],
  'relative symlink climbing out, then a file through it': [
    { name: 'a', type: 'symlink', linkname: '../../etc' },
    { name: 'a/passwd', body: 'owned\n' }
  ],
  'symlink chain': [
    { name: 'b', type: 'symlink', linkname: '../..' },
    { name: 'a', type: 'symlink', linkname: 'b/etc' },
    { name: 'a/passwd', body: 'owned\n' }
  ],
  'directory later replaced by a symlink': [
    { name: 'd', type: 'directory', mode: 0o755 },
    { name: 'd', type: 'symlink', linkname: '/etc' },
    { name: 'd/passwd', body: 'owned\n' }
  ],
  'directories created through a symlink': [
    { name: 's', type: 'symlink', linkname: '/root' },
    { name: 's/.ssh', type: 'directory', mode: 0o700 },
    { name: 's/.ssh/authorized_keys', body: 'ssh-ed25519 AAAA attacker\n' }
  ],
  'hardlink to a file outside': [
    { name: 'h', type: 'link', linkname: '../../etc/passwd' }
  ],
  'hardlink through a symlink': [
    { name: 'e', type: 'symlink', linkname: '/etc' },
    { name: 'h', type: 'link', linkname: 'e/passwd' }
  ],
  'dot-dot in the entry path': [
    { name: '../../etc/passwd', body: 'owned\n' }
  ]
}

// The image outside /opt/app is exactly as before.
async function untouched (t, file) {
  const img = await lkl.open(file, { readOnly: true })
  t.equal(await img.fs.promises.readFile('/etc/passwd', 'utf8'), PASSWD, '/etc/passwd unchanged')
  t.deepEqual((await img.fs.promises.readdir('/etc')).sort(), ['passwd'], 'nothing new in /etc')
  t.deepEqual(await img.fs.promises.readdir('/root'), [], 'nothing new in /root')
  t.deepEqual((await img.fs.promises.readdir('/')).sort(), ['etc', 'lost+found', 'opt', 'root'], 'nothing new at the top')
  await img.close()
  const r = sh('e2fsck', ['-fn', file])
  t.equal(r.status, 0, 'e2fsck -fn clean')
}

let n = 0
for (const [name, members] of Object.entries(CASES)) {
  test(`img.writer('/opt/app') refuses: ${name}`, async (t) => {
    const file = makeImage('w' + n++)
    const tar = await hostileTar(members)
    const img = await lkl.open(file)
    const err = await pipeline(Readable.from([tar]), lkl.tarUnpack(), img.writer('/opt/app', { overwrite: true })).then(() => null, (e) => e)
    t.ok(err, 'the pipeline fails')
    t.equal(err && err.code, 'ERR_LKL_UNSAFE_PATH', 'with ERR_LKL_UNSAFE_PATH')
    // The entry refused is the first that leaves the root (never the setup).
    const named = members.some((m, i) => (i > 0 || members.length === 1) && err && err.message.includes(`'${m.name}'`))
    t.ok(named, `naming the entry: ${err && err.message}`)
    await img.close()
    await untouched(t, file)
  })
}

test('lkl.imageWriter(img, root) refuses the same', async (t) => {
  const file = makeImage('iw')
  const tar = await hostileTar(CASES['absolute symlink, then a file through it'])
  const img = await lkl.open(file)
  const err = await pipeline(Readable.from([tar]), lkl.tarUnpack(), lkl.imageWriter(img, '/opt/app')).then(() => null, (e) => e)
  t.equal(err && err.code, 'ERR_LKL_UNSAFE_PATH', 'refused')
  await img.close()
  await untouched(t, file)
})

test('lkl unpack IMG:/opt/app refuses with a message and a failing exit status', async (t) => {
  const file = makeImage('cli')
  const tarFile = path.join(dir, 'hostile.tar')
  fs.writeFileSync(tarFile, await hostileTar(CASES['directories created through a symlink']))
  const r = runCli(['unpack', file + ':/opt/app'], { input: fs.readFileSync(tarFile) })
  t.notEqual(r.status, 0, 'exit status is not 0')
  t.match(r.stderr, /s\/\.ssh/, `stderr names the entry: ${r.stderr.trim()}`)
  await untouched(t, file)
})

test('symlinks that stay inside the root still work as directories of later entries', async (t) => {
  const file = makeImage('ok')
  const tar = await hostileTar([
    { name: 'usr', type: 'directory', mode: 0o755 },
    { name: 'usr/lib', type: 'directory', mode: 0o755 },
    { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { name: 'lib/libc.so', body: 'ELF\n' },
    { name: 'abs', type: 'symlink', linkname: '/etc' } // stored, never followed
  ])
  const img = await lkl.open(file)
  await pipeline(Readable.from([tar]), lkl.tarUnpack(), img.writer('/opt/app'))
  t.equal(await img.fs.promises.readFile('/opt/app/usr/lib/libc.so', 'utf8'), 'ELF\n', 'written through the in-root symlink')
  t.equal(await img.fs.promises.readlink('/opt/app/abs'), '/etc', 'an absolute symlink is stored as is')
  await img.close()
  await untouched(t, file)
})

test('copyIn and lkl cp into an image directory do not follow a planted symlink out', async (t) => {
  const file = makeImage('cp')
  let img = await lkl.open(file)
  await img.fs.promises.symlink('/etc/passwd', '/opt/app/conf')
  await img.close()
  const host = path.join(dir, 'conf')
  fs.writeFileSync(host, 'owned\n')
  const r = runCli(['cp', host, file + ':/opt/app/conf'])
  t.notEqual(r.status, 0, `lkl cp refuses: ${r.stderr.trim()}`)
  const r2 = runCli(['cp', host, file + ':/opt/app/'])
  t.notEqual(r2.status, 0, `lkl cp into the directory refuses: ${r2.stderr.trim()}`)
  img = await lkl.open(file)
  const err = await lkl.copyIn(host, img, '/opt/app/conf').then(() => null, (e) => e)
  t.equal(err && err.code, 'ERR_LKL_UNSAFE_PATH', `copyIn refuses to write through the symlink: ${err && err.message}`)
  t.equal(await img.fs.promises.readFile('/etc/passwd', 'utf8'), PASSWD, '/etc/passwd unchanged')
  await img.close()
})
