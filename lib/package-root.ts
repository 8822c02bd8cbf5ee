// SPDX-License-Identifier: GPL-2.0-only
//
// The installed package's root directory (where package.json, build/,
// prebuilds/ and docs/ are), found from this file's directory upwards. The
// code runs from dist/ and dist/cli/ as tsc writes it, and from the bundles
// in dist/ (scripts/bundle.js), so no fixed number of '..' fits all.

import * as fs from 'fs'
import * as path from 'path'

function find (): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir
    if (path.dirname(dir) === dir) return path.join(__dirname, '..') // not found: where tsc's output expects it
  }
}

export const packageRoot: string = find()
