// SPDX-License-Identifier: GPL-2.0-only
//
// Helpers shared by the fs shim's modules: the user-visible form of image
// paths and the conversion of negative results into node:fs errors.

import * as posix from 'path/posix'
import { systemError } from '../errors'
import { shown } from '../image-core'
import type { PathLike } from '../validate'

/** The user-visible form of a resolved image path (for return values). */
export function imagePath (p: PathLike): string {
  return posix.resolve('/', shown(p))
}

/** Throw the error for a negative result, else return it. */
export function check (r: number, syscall: string, p: PathLike | undefined, site: Error, dest?: PathLike): number {
  if (r < 0) throw systemError(r, syscall, p === undefined ? undefined : shown(p), dest === undefined ? undefined : shown(dest), site)
  return r
}

/** The same for calls that resolve with a value or a negative errno. */
export function checkValue<T> (r: T | number, syscall: string, p: PathLike | undefined, site: Error, dest?: PathLike): T {
  if (typeof r === 'number') {
    check(r, syscall, p, site, dest)
    throw new Error('unreachable')
  }
  return r
}
