#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// npm's install hook. A prebuilt addon (prebuilds/<platform>-<arch>/, see
// scripts/prebuild.sh) that loads wins: nothing is compiled and nothing is
// installed. Otherwise the addon is built from source as in a git clone:
// deps/build.sh (the kernel and the host library), then node-gyp. After a
// source build inside node_modules the kernel build tree (about 1.6 GB) is
// deleted, keeping only the addon, unless LKL_KEEP_BUILD=1.
//
// --build-from-source (npm_config_build_from_source) skips the prebuilds.
'use strict'

const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const say = (msg) => process.stderr.write('lkl install: ' + msg + '\n')

// Loads the addon the way lib/native.ts does, in a child process, so a
// binary that cannot load here (wrong libc, too old a glibc) is only a
// "no" and not a crash of this script.
function loads (prebuildsOnly) {
  const env = { ...process.env }
  if (prebuildsOnly) env.PREBUILDS_ONLY = '1'
  const r = spawnSync(process.execPath, ['-e', 'require("node-gyp-build")(process.argv[1])', root],
    { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const lines = (r.stderr || '').split('\n')
  const error = lines.find((l) => /^\w*Error\b/.test(l)) || lines.find(Boolean) || 'exit ' + r.status
  return { ok: r.status === 0, why: error.replace(/^\w*Error: /, '') }
}

function prebuiltPlatforms () {
  try {
    return fs.readdirSync(path.join(root, 'prebuilds')).sort()
  } catch {
    return []
  }
}

function run (cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  return r.status === 0
}

// npm hands its own node-gyp to install scripts; a git clone has ours.
function nodeGyp () {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })
  } catch {
    return null
  }
}

function fail (why) {
  const have = prebuiltPlatforms()
  say('building the addon from source failed (' + why + ').')
  say('Prebuilt addons ship for: ' + (have.length ? have.join(', ') + ' (glibc >= 2.31, Node >= 20)' : 'none in this copy') +
    '; this is ' + process.platform + '-' + process.arch + '.')
  say('To build from source you need Linux 6.1\'s source: Debian\'s linux-source-6.1 package,')
  say('or LKL_LINUX_SOURCE=/path/to/linux-6.1.tar.xz (a tarball or an extracted tree), plus gcc, make,')
  say('flex, bison, bc and python3; see docs/building.md.')
  process.exit(1)
}

function insideNodeModules () {
  return path.resolve(root).split(path.sep).includes('node_modules')
}

// Keeps build/Release/lkl.node (which node-gyp-build loads) and drops the
// rest: the kernel tree and objects, node-gyp's intermediates.
function dropBuildTree () {
  const addon = path.join(root, 'build', 'Release', 'lkl.node')
  const keep = path.join(root, 'lkl.node.tmp')
  fs.renameSync(addon, keep)
  fs.rmSync(path.join(root, 'build'), { recursive: true, force: true })
  fs.rmSync(path.join(root, 'deps', 'build'), { recursive: true, force: true })
  fs.mkdirSync(path.dirname(addon), { recursive: true })
  fs.renameSync(keep, addon)
  say('removed the kernel build tree (LKL_KEEP_BUILD=1 keeps it)')
}

function main () {
  const fromSource = process.env.npm_config_build_from_source === 'true'
  if (!fromSource) {
    const pre = loads(true)
    if (pre.ok) return
    const have = prebuiltPlatforms()
    if (have.length) say('no prebuilt addon loads here (' + pre.why + '); building from source')
  }
  if (!run('bash', [path.join('deps', 'build.sh')])) fail('deps/build.sh')
  // node-gyp's own needs (root with apt: installed, else named)
  const needs = '. deps/scripts/need-packages.sh && ' +
    'need_packages "building the addon" g++:build-essential make:build-essential python3:python3'
  if (!run('bash', ['-c', needs])) fail('missing packages')
  const gyp = nodeGyp()
  if (!gyp) fail('node-gyp not found')
  // configure + build rather than rebuild: in a git clone, make then
  // recompiles only what changed.
  if (!run(process.execPath, [gyp, 'configure']) || !run(process.execPath, [gyp, 'build'])) {
    fail('node-gyp')
  }
  const built = loads(false)
  if (!built.ok) fail('the built addon does not load: ' + built.why)
  if (insideNodeModules() && process.env.LKL_KEEP_BUILD !== '1') dropBuildTree()
}

// The bundles' V8 code caches for the node installing the package
// (scripts/code-cache.js): one made where the package was packed only fits
// that node, and not the tarball's file times. Only where dist/ is already
// there (a registry install; a git clone gets them from npm run build:ts). A
// failure costs speed, not function: the bundle then loads without a cache.
function cacheBundles () {
  const { makeCache } = require('./code-cache')
  for (const [name, kind] of [['lkl', 'lib'], ['lkl-cli', 'cli']]) {
    const bundle = path.join(root, 'dist', name + '.bundle.js')
    if (!fs.existsSync(bundle)) continue
    const failed = makeCache(bundle, kind)
    if (failed) say('no code cache for ' + name + '.bundle.js (' + failed + '); it loads without one')
  }
}

main()
cacheBundles()
