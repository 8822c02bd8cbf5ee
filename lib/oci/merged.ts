// SPDX-License-Identifier: GPL-2.0-only
//
// The merged tree of a container image's layers, as names and sizes only:
// what `lkl create --size auto` measures (lib/cli/commands/create.ts). The
// writer holds, after each layer, the tree merged so far (a file a later
// layer deletes is written first), so the size is the peak of those trees:
// each count the largest it is after any layer (at most the sum of all
// layers, often much less than that). The
// same semantics as imageWriter's whiteouts: 'apply' (a later entry
// replaces an earlier one, a whiteout removes a path with everything below
// it, an opaque directory keeps only its own layer's children). JS thread;
// memory in proportion to the merged tree's entries, no content kept.

import type { Entry } from '../tree/entry'
import { normalizePath } from '../tree/entry'
import { Usage } from '../mkfs/size'

/** What sizing needs of an entry (lib/mkfs/size.ts Usage.add). */
export interface Sized { type: string, path: string, size: number, linkname?: string, xattrs?: Record<string, Uint8Array> }

interface Node { entry: Sized | null, layer: number, children: Map<string, Node> | null }

export class MergedTree {
  private _root: Node = { entry: null, layer: -1, children: new Map() }
  private _layer = 0
  private _peak = new Usage()

  /** Take one entry of the layer stream (its content is not read). */
  add (e: Entry): void {
    const rel = normalizePath(e.path)
    if (rel === null) return
    const layer = e.layer ?? 0
    if (layer !== this._layer) {
      this._measure()
      this._layer = layer
    }
    const parts = rel === '.' ? [] : rel.split('/')
    let node = this._root
    for (let i = 0; i < parts.length - 1; i++) {
      node.children ??= new Map()
      let next = node.children.get(parts[i])
      if (!next) node.children.set(parts[i], next = { entry: null, layer, children: new Map() })
      node = next
    }
    const leaf = parts[parts.length - 1]
    if (e.type === 'whiteout') {
      node.children?.delete(leaf)
      return
    }
    const at = leaf === undefined ? node : node.children?.get(leaf)
    if (e.type === 'opaque') {
      if (at?.children) for (const [name, child] of at.children) if (child.layer < layer) at.children.delete(name)
      return
    }
    const sized: Sized = { type: e.type, path: rel, size: e.type === 'file' ? e.size ?? 0 : 0, linkname: e.linkname, xattrs: e.xattrs }
    if (leaf === undefined) {
      node.entry = sized
      return
    }
    node.children ??= new Map()
    const dir = e.type === 'directory'
    // A directory merges with the one below; anything else replaces what was there.
    const keep = dir && at?.children ? at.children : dir ? new Map() : null
    node.children.set(leaf, { entry: sized, layer, children: keep })
  }

  /** The peak usage over the layers taken so far (see above). */
  usage (): Usage {
    this._measure()
    return this._peak
  }

  private _measure (): void {
    const u = new Usage()
    for (const e of this.entries()) u.add(e)
    const peak = this._peak as unknown as Record<string, number>
    for (const [k, v] of Object.entries(u)) if (typeof v === 'number') peak[k] = Math.max(peak[k] ?? 0, v)
  }

  /** Every entry of the merged tree (parents before children). */
  * entries (): Generator<Sized> {
    const stack: Node[] = [this._root]
    while (stack.length) {
      const n = stack.pop() as Node
      if (n.entry) yield n.entry
      if (n.children) for (const c of n.children.values()) stack.push(c)
    }
  }
}
