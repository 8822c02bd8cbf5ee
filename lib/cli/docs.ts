// SPDX-License-Identifier: GPL-2.0-only
//
// Where the documentation shipped in the package is (package.json "files"
// has docs/): help texts name the installed file, not a repository path.

import * as path from 'path'
import { packageRoot } from '../package-root'

/** The absolute path of docs/NAME in this installation. */
export function docsPath (name: string): string {
  return path.join(packageRoot, 'docs', name)
}
