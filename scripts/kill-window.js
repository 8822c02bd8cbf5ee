#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// What a SIGKILL loses T seconds after a write: a child process (the
// library, as an app would use it) unpacks TAR into a fresh image, prints
// "unpacked" and keeps the image open; it is killed T s later. Then the
// image is checked (test/helpers/kill-trial.js) and its files counted.
// Usage: node scripts/kill-window.js TAR [--type ext4] [--after 1,5,30]
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawn } = require('child_process')
const { parseArgs } = require('util')
const lkl = require('..')
const { must, sparse } = require('../test/helpers')
const kt = require('../test/helpers/kill-trial')

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { type: { type: 'string', default: 'ext4' }, after: { type: 'string', default: '1,5,30' } }
})
const tar = positionals[0]
if (!tar) {
  console.error('usage: node scripts/kill-window.js TAR [--type T] [--after 1,5,30]')
  process.exit(2)
}
// The child: unpack, say so, stay alive with the image open.
const CHILD = `
const lkl = require(${JSON.stringify(path.join(__dirname, '..'))})
const fs = require('fs')
const { pipeline } = require('stream/promises')
const [file, type, tar] = process.argv.slice(1)
lkl.open(file, { type }).then(async (img) => {
  await pipeline(fs.createReadStream(tar), lkl.tarUnpack(), img.writer('/', { overwrite: true }))
  process.stdout.write('unpacked\\n')
  setInterval(() => {}, 1000)
})`

function killAfter (file, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, file, values.type, tar], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('unpacked')) setTimeout(() => child.kill('SIGKILL'), seconds * 1000)
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(signal))
  })
}

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lkl-window-'))
  const tree = path.join(dir, 'tree')
  fs.mkdirSync(tree)
  must('tar', ['--numeric-owner', '-xf', tar, '-C', tree])
  const expected = kt.manifest(tree)
  fs.rmSync(tree, { recursive: true, force: true })
  const template = path.join(dir, 'template.img')
  sparse(template, 2 * 1024 ** 3)
  kt.mkfs(values.type, template)
  const file = path.join(dir, 'trial.img')
  for (const s of values.after.split(',').map(Number)) {
    fs.copyFileSync(template, file)
    const signal = await killAfter(file, s)
    const check = await kt.checkAfterCrash(lkl, values.type, file)
    const { counts } = await kt.classify(lkl, values.type, file, expected, null)
    console.log(`${values.type}: killed (${signal}) ${s} s after the unpack: ${counts.complete} of ${expected.size} files complete, ` +
      `${counts.absent} absent, ${counts.empty} empty, ${counts.prefix} prefix, ${counts.zeroed} zero-filled, ${counts.other} other; ${check.detail}`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
