#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// Bundles the compiled library (dist/index.js and everything it requires,
// node_modules included) into dist/lkl.js, the package's "main". Why: a
// short-lived process pays for module loading on every run, and resolving,
// reading and wrapping ~70 files cost more than parsing one (callgrind,
// `node -e "require('lkl')"` over `node -e 0`: 172 -> 119 M instructions).
// Modules loaded on first use (lib/lazy-module.ts) stay lazy: esbuild
// evaluates a bundled module when it is first required.
//
// ESM named imports of a CommonJS package come from Node's static scan of
// its exports (cjs-module-lexer), which cannot see through the bundle's
// wrappers; so the bundle ends with the same `0 && (module.exports = {...})`
// hint esbuild writes for ESM sources, naming what dist/index.js exports.
// The CLI gets its own bundle, dist/lkl-cli.js (package.json "bin"), with
// the library inside it: one copy of every module per process either way.
// Both find the package's files from where they run (lib/package-root.ts).
'use strict'

const fs = require('fs')
const path = require('path')
const esbuild = require('esbuild')

const dist = path.join(__dirname, '..', 'dist')
const entry = path.join(dist, 'index.js')
const out = path.join(dist, 'lkl.js')

// The names tsc's CommonJS output exports: `exports.x = ` and
// `Object.defineProperty(exports, "x", ...)` (re-exports and lazy getters).
function exportNames (js) {
  const names = new Set()
  for (const m of js.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)) names.add(m[1])
  for (const m of js.matchAll(/Object\.defineProperty\(exports,\s*["']([A-Za-z_$][\w$]*)["']/g)) names.add(m[1])
  names.delete('__esModule')
  return [...names].sort()
}

function bundle (from, to) {
  esbuild.buildSync({ entryPoints: [from], outfile: to, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' })
}

bundle(entry, out)
bundle(path.join(dist, 'cli', 'main.js'), path.join(dist, 'lkl-cli.js'))
fs.chmodSync(path.join(dist, 'lkl-cli.js'), 0o755)
const names = exportNames(fs.readFileSync(entry, 'utf8'))
fs.appendFileSync(out, `// Named exports for ESM importers (see scripts/bundle.js).\n0 && (module.exports = { ${names.join(', ')} });\n`)
