// SPDX-License-Identifier: GPL-2.0-only
//
// POSIX ACLs: GNU tar's text form (SCHILY.acl.access/default: entries like
// "user:1000:rw-" separated by newlines or commas) <-> the kernel's binary
// xattr value (system.posix_acl_access/default: a u32 version 2, then
// {u16 tag, u16 perm, u32 id} entries, little-endian, in canonical order).

import * as fs from 'fs'

const TAGS: Record<string, number> = { user: 1, group: 4, mask: 0x10, other: 0x20 }
const USER_OBJ = 1
const USER = 2
const GROUP_OBJ = 4
const GROUP = 8
const MASK = 0x10
const OTHER = 0x20
const UNDEFINED_ID = 0xffffffff

let names: { user: Map<string, number>, group: Map<string, number> } | null = null

// Names in ACL text are looked up on the host, as GNU tar does.
function lookup (kind: 'user' | 'group', name: string): number {
  if (!names) {
    names = { user: new Map(), group: new Map() }
    for (const [file, map] of [['/etc/passwd', names.user], ['/etc/group', names.group]] as const) {
      try {
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const f = line.split(':')
          if (f.length > 2) map.set(f[0], Number(f[2]))
        }
      } catch {}
    }
  }
  const id = names[kind].get(name)
  if (id === undefined) throw new Error(`unknown ${kind} '${name}' in ACL`)
  return id
}

function perm (s: string): number {
  let p = 0
  for (const c of s) {
    if (c === 'r') p |= 4
    else if (c === 'w') p |= 2
    else if (c === 'x') p |= 1
    else if (c !== '-') throw new Error(`bad ACL permissions '${s}'`)
  }
  return p
}

/** ACL text -> binary xattr value. Throws on malformed text. */
export function aclFromText (text: string): Buffer {
  const entries: Array<[number, number, number]> = []
  for (let line of text.split(/[\n,]/)) {
    line = line.replace(/#.*$/, '').trim()
    if (!line) continue
    const f = line.split(':')
    let tag = f[0]
    if (tag === 'u') tag = 'user'
    else if (tag === 'g') tag = 'group'
    else if (tag === 'm') tag = 'mask'
    else if (tag === 'o') tag = 'other'
    if (!(tag in TAGS) || f.length < 3) throw new Error(`bad ACL entry '${line}'`)
    const q = f[1]
    const p = perm(f[2])
    if (q === '') {
      entries.push([TAGS[tag], p, UNDEFINED_ID])
    } else {
      if (tag !== 'user' && tag !== 'group') throw new Error(`bad ACL entry '${line}'`)
      // GNU tar may append the numeric id as a fourth field.
      const id = f[3] !== undefined && /^\d+$/.test(f[3]) ? Number(f[3]) : /^\d+$/.test(q) ? Number(q) : lookup(tag, q)
      entries.push([tag === 'user' ? USER : GROUP, p, id])
    }
  }
  entries.sort((a, b) => a[0] - b[0] || a[2] - b[2])
  const buf = Buffer.alloc(4 + entries.length * 8)
  buf.writeUInt32LE(2, 0)
  entries.forEach(([tag, p, id], i) => {
    buf.writeUInt16LE(tag, 4 + i * 8)
    buf.writeUInt16LE(p, 6 + i * 8)
    buf.writeUInt32LE(id, 8 + i * 8)
  })
  return buf
}

function permText (p: number): string {
  return (p & 4 ? 'r' : '-') + (p & 2 ? 'w' : '-') + (p & 1 ? 'x' : '-')
}

/** Binary xattr value -> ACL text (numeric ids, one entry per line), or null. */
export function aclToText (buf: Buffer): string | null {
  if (buf.length < 4 || (buf.length - 4) % 8 !== 0 || buf.readUInt32LE(0) !== 2) return null
  const lines: string[] = []
  for (let off = 4; off < buf.length; off += 8) {
    const tag = buf.readUInt16LE(off)
    const p = permText(buf.readUInt16LE(off + 2))
    const id = buf.readUInt32LE(off + 4)
    switch (tag) {
      case USER_OBJ: lines.push(`user::${p}`); break
      case USER: lines.push(`user:${id}:${p}`); break
      case GROUP_OBJ: lines.push(`group::${p}`); break
      case GROUP: lines.push(`group:${id}:${p}`); break
      case MASK: lines.push(`mask::${p}`); break
      case OTHER: lines.push(`other::${p}`); break
      default: return null
    }
  }
  return lines.join('\n') + '\n'
}
