#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// Bundles the compiled library (dist/index.js and everything it requires,
// node_modules included) into dist/lkl.bundle.js, loaded by the package's
// "main", dist/lkl.js. Why: a short-lived process pays for module loading on
// every run, and resolving, reading and wrapping ~70 files cost more than
// parsing one (callgrind, `node -e "require('lkl')"` over `node -e 0`:
// 172 -> 119 M instructions). Modules loaded on first use
// (lib/lazy-module.ts) stay lazy: esbuild evaluates a bundled module when it
// is first required.
//
// dist/lkl.js is a small loader that compiles the bundle with V8's code
// cache (dist/lkl.bundle.js.cache) when one fits, made here right after the
// bundle (scripts/code-cache.js says when a cache is used and what it saves).
//
// ESM named imports of a CommonJS package come from Node's static scan of
// its exports (cjs-module-lexer), which cannot see through the bundle's
// wrappers; so the loader ends with the same `0 && (module.exports = {...})`
// hint esbuild writes for ESM sources, naming what dist/index.js exports.
// The CLI gets its own bundle and loader, dist/lkl-cli.bundle.js and
// dist/lkl-cli.js (package.json "bin"), with the library inside it: one copy
// of every module per process either way. Both find the package's files
// from where they run (lib/package-root.ts).
'use strict'

const fs = require('fs')
const path = require('path')
const esbuild = require('esbuild')
const { loaderSource, makeCache } = require('./code-cache')

const dist = path.join(__dirname, '..', 'dist')
const entry = path.join(dist, 'index.js')

// The names tsc's CommonJS output exports: `exports.x = ` and
// `Object.defineProperty(exports, "x", ...)` (re-exports and lazy getters).
function exportNames (js) {
  const names = new Set()
  for (const m of js.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)) names.add(m[1])
  for (const m of js.matchAll(/Object\.defineProperty\(exports,\s*["']([A-Za-z_$][\w$]*)["']/g)) names.add(m[1])
  names.delete('__esModule')
  return [...names].sort()
}

// Bundle `from` into dist/<name>.bundle.js, write its loader dist/<name>.js
// (with `head` before and `tail` after the loader's code), cache it.
function bundle (from, name, kind, head, tail) {
  const out = path.join(dist, `${name}.bundle.js`)
  esbuild.buildSync({ entryPoints: [from], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' })
  // A hashbang is only valid at the very start of a script, not inside the
  // loader's function wrapper: the loader has it instead.
  const js = fs.readFileSync(out, 'latin1')
  if (js.startsWith('#!')) fs.writeFileSync(out, js.slice(js.indexOf('\n') + 1), 'latin1')
  const loader = path.join(dist, `${name}.js`)
  fs.writeFileSync(loader, head + loaderSource(`${name}.bundle.js`) + tail)
  const failed = makeCache(out, kind)
  if (failed) process.stderr.write(`bundle: no code cache for ${name}.bundle.js (${failed}); it loads without one\n`)
}

const names = exportNames(fs.readFileSync(entry, 'utf8'))
bundle(entry, 'lkl', 'lib', '', `// Named exports for ESM importers (see scripts/bundle.js).\n0 && (module.exports = { ${names.join(', ')} });\n`)
bundle(path.join(dist, 'cli', 'main.js'), 'lkl-cli', 'cli', '#!/usr/bin/env node\n', '')
fs.chmodSync(path.join(dist, 'lkl-cli.js'), 0o755)
