// SPDX-License-Identifier: GPL-2.0-only
// A module loaded on first use. `require('lkl')` for an open() and a read
// need not load the tar codec, OCI, mkfs or the node-lkl 1.x layer (about
// 12 ms of a 37 ms require); lib/index.ts exports those through getters on
// such a module, in the `get: function () { return m.name }` shape that
// Node's ESM loader (cjs-module-lexer) still sees as named exports.

/** An object whose property reads load `load()` once, then read from it. */
export function lazyModule<T extends object> (load: () => T): T {
  let mod: T | undefined
  const loaded = (): T => {
    if (mod === undefined) mod = load()
    return mod
  }
  return new Proxy({}, { get: (_t, key) => Reflect.get(loaded(), key) }) as T
}
