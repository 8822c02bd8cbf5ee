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
// The CLI (dist/cli/main.js) is left as tsc wrote it: it finds docs/ and
// package.json relative to its own file.
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

esbuild.buildSync({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning'
})
const names = exportNames(fs.readFileSync(entry, 'utf8'))
fs.appendFileSync(out, `// Named exports for ESM importers (see scripts/bundle.js).\n0 && (module.exports = { ${names.join(', ')} });\n`)
