// SPDX-License-Identifier: GPL-2.0-only
//
// Extended attributes, named after the Linux calls: getxattr, setxattr,
// listxattr, removexattr, and the l-prefixed forms that act on a symlink
// itself. Values are raw bytes (e.g. security.capability, or the kernel's
// binary POSIX ACL format for system.posix_acl_access/default).

import { native } from '../native'
import { invalidArgType } from '../errors'
import { ImageCore } from '../image-core'
import { checkPath, PathArg, checkInt, checkString } from '../validate'
import { check, checkValue } from './core'
import { toBuffer } from './file-handle'

export function createXattrOps (img: ImageCore) {
  const K = img._kpath.bind(img)

  function get (follow: boolean) {
    const syscall = follow ? 'getxattr' : 'lgetxattr'
    return (path: PathArg, name: string): Promise<Buffer> => {
      const p = checkPath(path)
      const n = checkString(name, 'name')
      const site = new Error()
      return img._op(async () => checkValue(await native.getxattr(img._root, K(p), n, follow), syscall, p, site))
    }
  }

  function set (follow: boolean) {
    const syscall = follow ? 'setxattr' : 'lsetxattr'
    return (path: PathArg, name: string, value: string | Uint8Array, flags = 0): Promise<void> => {
      const p = checkPath(path)
      const n = checkString(name, 'name')
      if (typeof value !== 'string' && !ArrayBuffer.isView(value)) throw invalidArgType('value', 'of type string or an instance of Buffer, TypedArray, or DataView', value)
      const v = toBuffer(value, 'utf8', 'value')
      checkInt(flags, 'flags', 0, 3)
      const site = new Error()
      return img._op(async () => { check(await native.setxattr(img._root, K(p), n, v, flags, follow), syscall, p, site) })
    }
  }

  function list (follow: boolean) {
    const syscall = follow ? 'listxattr' : 'llistxattr'
    return (path: PathArg): Promise<string[]> => {
      const p = checkPath(path)
      const site = new Error()
      return img._op(async () => {
        const r = checkValue(await native.listxattr(img._root, K(p), follow), syscall, p, site)
        return r.toString().split('\u0000').filter((x) => x !== '')
      })
    }
  }

  function remove (follow: boolean) {
    const syscall = follow ? 'removexattr' : 'lremovexattr'
    return (path: PathArg, name: string): Promise<void> => {
      const p = checkPath(path)
      const n = checkString(name, 'name')
      const site = new Error()
      return img._op(async () => { check(await native.removexattr(img._root, K(p), n, follow), syscall, p, site) })
    }
  }

  return {
    getxattr: get(true),
    lgetxattr: get(false),
    setxattr: set(true),
    lsetxattr: set(false),
    listxattr: list(true),
    llistxattr: list(false),
    removexattr: remove(true),
    lremovexattr: remove(false)
  }
}
