// SPDX-License-Identifier: GPL-2.0-only
// ESLint (flat config): neostandard, the successor of "standard" (no
// semicolons, a space before function parens, two spaces), for the
// TypeScript in lib/ and the JavaScript in test/, bench/ and examples/.
// deps/ is kernel and C code; dist/ and build/ are outputs.
'use strict'

const neostandard = require('neostandard')

module.exports = [
  ...neostandard({
    ts: true,
    noJsx: true,
    ignores: ['dist/**', 'build/**', 'deps/**', 'prebuilds/**']
  }),
  {
    // lib/ is strict TypeScript: an `any` needs a directive saying why.
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' }
  }
]
