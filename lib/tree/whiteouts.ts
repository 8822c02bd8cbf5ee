// SPDX-License-Identifier: GPL-2.0-only
//
// How container image layers name their whiteouts (the OCI image spec's
// layer format, after AUFS): a file '.wh.NAME' says NAME is gone from the
// layers beneath, '.wh..wh..opq' in a directory says the directory is
// opaque. Overlayfs stores the same marks as a 0/0 character device and the
// xattr below. The one place for these names.

import type { Entry } from './entry'

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_NAME = '.wh..wh..opq'
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque'

/** The .wh. file that whites out the normalised path `rel`. */
export function whiteoutName (rel: string): string {
  const slash = rel.lastIndexOf('/')
  return rel.slice(0, slash + 1) + WHITEOUT_PREFIX + rel.slice(slash + 1)
}

/**
 * A layer tar's entry as a mark when its name is a .wh. name: the same
 * entry with type 'whiteout' and the path it whites out, or type 'opaque'
 * and its directory's path; any other entry unchanged. `path` is normalised
 * ('a/b', '.' the root). A .wh. entry's content is dropped.
 */
export function asMark (e: Entry): Entry {
  const slash = e.path.lastIndexOf('/')
  const leaf = e.path.slice(slash + 1)
  if (!leaf.startsWith(WHITEOUT_PREFIX)) return e
  const dir = slash < 0 ? '.' : e.path.slice(0, slash)
  if (e.content && !e.content.destroyed) e.content.destroy()
  const mark: Entry = { ...e, size: 0, content: undefined }
  if (leaf === OPAQUE_NAME) return { ...mark, type: 'opaque', path: dir }
  const name = leaf.slice(WHITEOUT_PREFIX.length)
  return { ...mark, type: 'whiteout', path: slash < 0 ? name : `${dir}/${name}` }
}
