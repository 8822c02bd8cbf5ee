// SPDX-License-Identifier: GPL-2.0-only
//
// Command-line paths: `IMAGE`, `IMAGE:/path` (inside an image) or a host path.

import * as fs from 'fs'

export interface Spec {
  /** The host file of the image; undefined for a host path. */
  image?: string
  /** Path inside the image (absolute), or the host path. */
  path: string
  /** The argument as written. */
  arg: string
}

function isImageFile (p: string): boolean {
  try {
    const st = fs.statSync(p)
    return st.isFile() || st.isBlockDevice()
  } catch {
    return false
  }
}

/** Split `IMAGE[:/path]`, for arguments that must name an image. */
export function imageSpec (arg: string): Spec {
  const i = imageColon(arg)
  if (i < 0 || isImageFile(arg)) return { image: arg, path: '/', arg }
  return { image: arg.slice(0, i), path: arg.slice(i + 1) || '/', arg }
}

/**
 * An argument that may be an image path or a host path (cp): it names an
 * image when it has the form `FILE:/path` (or `FILE:`) and FILE is a file.
 */
export function anySpec (arg: string): Spec {
  const i = imageColon(arg)
  if (i > 0 && !isImageFile(arg) && isImageFile(arg.slice(0, i))) {
    return { image: arg.slice(0, i), path: arg.slice(i + 1) || '/', arg }
  }
  return { path: arg, arg }
}

// The colon separating the image from the path: the first one followed by
// '/' or ending the argument.
function imageColon (arg: string): number {
  for (let i = arg.indexOf(':'); i >= 0; i = arg.indexOf(':', i + 1)) {
    if (i > 0 && (i === arg.length - 1 || arg[i + 1] === '/')) return i
  }
  return -1
}
