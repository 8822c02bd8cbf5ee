// SPDX-License-Identifier: GPL-2.0-only
// The bundles load with their V8 code cache when it fits, and without it
// (never failing) when it is absent, stale (another bundle, a rebuilt or
// touched one) or broken (scripts/code-cache.js).
'use strict'
const test = require('tape')
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
const { makeCache } = require('../scripts/code-cache')
const h = require('./helpers')

const root = path.join(__dirname, '..')
const dist = path.join(root, 'dist')
const dir = h.tmpdir('lkl-code-cache')

// A copy of the package whose dist/ holds only the two loaders and bundles;
// package.json, binding.gyp and build/ are the real ones (the addon).
const pkg = path.join(dir, 'pkg')
fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true })
for (const f of ['package.json', 'binding.gyp', 'build']) fs.symlinkSync(path.join(root, f), path.join(pkg, f))
for (const f of ['lkl.js', 'lkl.bundle.js', 'lkl-cli.js', 'lkl-cli.bundle.js']) fs.copyFileSync(path.join(dist, f), path.join(pkg, 'dist', f))
const bundle = path.join(pkg, 'dist', 'lkl.bundle.js')
const cliBundle = path.join(pkg, 'dist', 'lkl-cli.bundle.js')

// Runs `args` with vm.Script watched: prints whether the loader passed a
// cache and whether V8 took it.
const WATCH = `const vm = require('vm'); const S = vm.Script
vm.Script = class extends S { constructor (src, o) { super(src, o); process.stderr.write('cache: ' + (o && o.cachedData ? (this.cachedDataRejected ? 'rejected' : 'used') : 'none') + '\\n') } }`
function run (args) {
  const r = spawnSync(process.execPath, ['-r', path.join(dir, 'watch.js'), ...args], { encoding: 'utf8' })
  const m = /cache: (\w+)/.exec(r.stderr)
  return { status: r.status, out: r.stdout, err: r.stderr, cache: m ? m[1] : '?' }
}
fs.writeFileSync(path.join(dir, 'watch.js'), WATCH)
const REQUIRE = ['-e', `const lkl = require(${JSON.stringify(path.join(pkg, 'dist', 'lkl.js'))}); console.log(typeof lkl.open, typeof lkl.tarPack)`]
const ESM = ['--input-type=module', '-e', `import { open, tarPack } from ${JSON.stringify(path.join(pkg, 'dist', 'lkl.js'))}; console.log(typeof open, typeof tarPack)`]

test('the build made caches that the loaders use', (t) => {
  for (const f of ['lkl.bundle.js.cache', 'lkl-cli.bundle.js.cache']) t.ok(fs.existsSync(path.join(dist, f)), `dist/${f}`)
  const r = run(['-e', `require(${JSON.stringify(root)})`])
  t.equal(r.status, 0, r.err)
  t.equal(r.cache, 'used', 'require(lkl)')
  const c = run([path.join(dist, 'lkl-cli.js'), '--version'])
  t.equal(c.status, 0, c.err)
  t.equal(c.cache, 'used', 'the CLI')
  t.end()
})

test('no cache: loads as usual (CJS, ESM, CLI)', (t) => {
  let r = run(REQUIRE)
  t.equal(r.cache, 'none')
  t.equal(r.out, 'function function\n', r.err)
  r = run(ESM)
  t.equal(r.out, 'function function\n', r.err)
  r = run([path.join(pkg, 'dist', 'lkl-cli.js'), '--version'])
  t.equal(r.cache, 'none')
  t.equal(r.status, 0, r.err)
  t.end()
})

test('a fresh cache is used, a stale or broken one is not', (t) => {
  t.equal(makeCache(bundle, 'lib'), null, 'made')
  t.equal(makeCache(cliBundle, 'cli'), null, 'made (CLI)')
  let r = run(REQUIRE)
  t.equal(r.cache, 'used')
  t.equal(r.out, 'function function\n', r.err)
  r = run(ESM)
  t.equal(r.cache, 'used')
  t.equal(r.out, 'function function\n', r.err)
  r = run([path.join(pkg, 'dist', 'lkl-cli.js'), '--version'])
  t.equal(r.cache, 'used', 'CLI')
  t.match(r.out, /^\d+\.\d+\.\d+/, 'CLI runs')

  // The bundle changed after the cache (same length: V8 alone would not see it).
  const src = fs.readFileSync(bundle, 'utf8')
  t.ok(src.startsWith('"use strict";'))
  fs.writeFileSync(bundle, "'use strict';" + src.slice('"use strict";'.length))
  const later = new Date(Date.now() + 5000)
  fs.utimesSync(bundle, later, later)
  r = run(REQUIRE)
  t.equal(r.cache, 'none', 'stale: not passed to V8')
  t.equal(r.out, 'function function\n', r.err)

  // A cache whose key fits but whose data is not V8's: rejected, still loads.
  t.equal(makeCache(bundle, 'lib'), null)
  const c = fs.readFileSync(bundle + '.cache')
  const nl = c.indexOf(10)
  fs.writeFileSync(bundle + '.cache', Buffer.concat([c.subarray(0, nl + 1), Buffer.alloc(c.length - nl - 1, 0x5a)]))
  r = run(REQUIRE)
  t.equal(r.cache, 'rejected', 'broken: V8 rejects it')
  t.equal(r.out, 'function function\n', r.err)

  // Other V8 flags: V8 rejects it.
  t.equal(makeCache(bundle, 'lib'), null)
  r = run(['--max-old-space-size=123', ...REQUIRE])
  t.equal(r.cache, 'rejected', 'other flags: V8 rejects it')
  t.equal(r.out, 'function function\n', r.err)
  t.end()
})
