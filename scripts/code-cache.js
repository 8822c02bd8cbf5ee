#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// V8 code caches for the bundles (scripts/bundle.js): the package's main
// (dist/lkl.js) and the CLI (dist/lkl-cli.js) are small loaders that compile
// their bundle (dist/lkl.bundle.js, dist/lkl-cli.bundle.js) with vm.Script
// and the bundle's cache, dist/<bundle>.cache, when there is one that fits.
// Why: a short-lived process compiles ~0.5 MB of JavaScript on every run;
// with the cache V8 deserialises what it compiled here instead (callgrind,
// lkl-start over `node -e 0`: 155 -> 77 M instructions; wall 103 -> 92 ms
// against 64 ms for `node -e 0`).
//
// When a cache is used (the loader's check, LOADER below):
// - the cache's first line names the node and V8 versions, the arch, and the
//   bundle's size and mtime it was made from; any mismatch (another node, a
//   rebuilt or hand-edited bundle) ignores the cache;
// - V8 checks its own version, flags and the source's length, and rejects
//   a cache that does not fit (script.cachedDataRejected): then it has just
//   compiled the source as usual. A missing or unreadable cache is the
//   same: require() never depends on the cache.
// The cache is made by this script, in a child process with no
// NODE_OPTIONS: by scripts/bundle.js (npm run build:ts, prepare) and again
// by the install script (scripts/install.js), so that an installed package
// has one for the node that installed it (the tarball's mtimes are not the
// build's). The bundle is run before the cache is made so that the
// functions a require runs are in it (the library's: its module bodies; the
// CLI's: `lkl --version`), which is most of the gain; if running fails (no
// addon yet) the cache holds the compiled top level only.
//
// Usage: node scripts/code-cache.js BUNDLE [lib|cli]
'use strict'

const fs = require('fs')
const path = require('path')
const vm = require('vm')
const { spawnSync } = require('child_process')

// The wrapper around the bundle's source: the loader and this script must
// compile the same text, or V8 rejects the cache (the length differs).
const HEAD = '(function (exports, require, module, __filename, __dirname) { '
const TAIL = '\n})'

// The key of a cache: what must match for it to be used.
function cacheKey (bundle) {
  const st = fs.statSync(bundle)
  return `lkl-code-cache 1 ${process.version} ${process.versions.v8} ${process.arch} ${st.size} ${st.mtimeMs}`
}

// The loader, written as dist/lkl.js and dist/lkl-cli.js by bundle.js
// (BUNDLE, HEAD and TAIL filled in).
const LOADER = `'use strict'
// Loads %BUNDLE% (this package's code, bundled) with V8's code cache when
// it fits; see scripts/code-cache.js in the package's source.
const fs = require('fs')
const path = require('path')
const vm = require('vm')
const file = path.join(__dirname, %BUNDLE_JSON%)
const source = fs.readFileSync(file, 'utf8')
let cachedData
try {
  const c = fs.readFileSync(file + '.cache')
  const nl = c.indexOf(10)
  const st = fs.statSync(file)
  const key = \`lkl-code-cache 1 \${process.version} \${process.versions.v8} \${process.arch} \${st.size} \${st.mtimeMs}\`
  if (nl > 0 && c.toString('latin1', 0, nl) === key) cachedData = c.subarray(nl + 1)
} catch {}
const script = new vm.Script(%HEAD% + source + %TAIL%, { filename: file, cachedData })
script.runInThisContext()(exports, require, module, file, __dirname)
`

/** The loader's source for a bundle in the same folder. */
function loaderSource (bundleName) {
  return LOADER.replace('%BUNDLE%', bundleName).replace('%BUNDLE_JSON%', JSON.stringify(bundleName))
    .replace('%HEAD%', JSON.stringify(HEAD)).replace('%TAIL%', JSON.stringify(TAIL))
}

/**
 * Make BUNDLE.cache in a child process (default V8 flags, no NODE_OPTIONS).
 * Returns null on success, else what went wrong; a failure removes the cache.
 */
function makeCache (bundle, kind) {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  const r = spawnSync(process.execPath, [__filename, bundle, kind], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (r.status === 0) return null
  fs.rmSync(bundle + '.cache', { force: true })
  return (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}`
}

// In the child: compile as the loader does, run, write the cache.
function child (bundle, kind) {
  const file = path.resolve(bundle)
  fs.rmSync(file + '.cache', { force: true })
  const key = cacheKey(file)
  const script = new vm.Script(HEAD + fs.readFileSync(file, 'utf8') + TAIL, { filename: file })
  const write = () => fs.writeFileSync(file + '.cache', Buffer.concat([Buffer.from(key + '\n', 'latin1'), script.createCachedData()]))
  const fn = script.runInThisContext()
  const mod = { exports: {}, filename: file, id: file, loaded: false }
  const req = require('module').createRequire(file)
  if (kind === 'cli') {
    // The CLI runs at once and exits through process.exit: `lkl --version`.
    process.argv = [process.argv[0], file, '--version']
    process.on('exit', write)
    fn(mod.exports, req, mod, file, path.dirname(file))
    return
  }
  try {
    fn(mod.exports, req, mod, file, path.dirname(file))
  } catch (err) {
    process.stderr.write(`lkl code cache: ${path.basename(file)} did not load here (${err.message.split('\n')[0]}); caching its top level only\n`)
  }
  write()
}

module.exports = { HEAD, TAIL, loaderSource, makeCache }

if (require.main === module) child(process.argv[2], process.argv[3] || 'lib')
