// SPDX-License-Identifier: GPL-2.0-only
//
// The tar formats at the byte level: the 512-byte ustar header (with GNU's
// base-256 numbers on input), and pax extended records, binary-safe (GNU tar
// stores raw xattr values such as security.capability in them).

export const BLOCK = 512

export interface RawHeader {
  name: Buffer
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  typeflag: string
  linkname: Buffer
  uname: string
  gname: string
  devmajor: number
  devminor: number
}

function cstr (buf: Buffer, off: number, len: number): Buffer {
  const end = buf.indexOf(0, off)
  return buf.subarray(off, end < 0 || end > off + len ? off + len : end)
}

function num (buf: Buffer, off: number, len: number): number {
  if (buf[off] & 0x80) {
    // GNU base-256: big-endian two's complement, the top bit a flag.
    let v = buf[off] & 0x7f
    const neg = (buf[off] & 0x40) !== 0
    if (neg) v = buf[off] | ~0xff
    for (let i = 1; i < len; i++) v = v * 256 + buf[off + i]
    return v
  }
  const s = cstr(buf, off, len).toString('latin1').trim()
  if (s === '') return 0
  if (!/^[0-7]+$/.test(s)) return NaN
  return parseInt(s, 8)
}

function checksums (buf: Buffer): [number, number] {
  let u = 0
  let s = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : buf[i]
    u += b
    s += b > 127 ? b - 256 : b
  }
  return [u, s]
}

/**
 * The sparse map of an old-GNU sparse member ('S'): `count` (offset,
 * numbytes) pairs of 12-byte numbers from `off`, then the "is extended"
 * flag at `flagAt`. Empty slots end the list.
 */
export function gnuSparseMap (buf: Buffer, off: number, count: number, flagAt: number): { map: number[], extended: boolean } {
  const map: number[] = []
  for (let i = 0; i < count; i++) {
    const at = off + i * 24
    if (buf[at] === 0) break
    map.push(num(buf, at, 12), num(buf, at + 12, 12))
  }
  return { map, extended: buf[flagAt] !== 0 }
}

/** realsize of an old-GNU sparse header (the file's size with holes). */
export function gnuSparseRealsize (buf: Buffer): number {
  return num(buf, 483, 12)
}

/** True for an all-zero block (end of archive). */
export function isZeroBlock (buf: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (buf[i] !== 0) return false
  return true
}

/** Decode a header block; throws on a bad checksum or field. */
export function decodeHeader (buf: Buffer): RawHeader {
  const sum = num(buf, 148, 8)
  const [u, s] = checksums(buf)
  if (sum !== u && sum !== s) throw new Error('invalid header checksum')
  const magic = buf.subarray(257, 263).toString('latin1')
  let name = cstr(buf, 0, 100)
  if (magic === 'ustar\u0000' && buf[345] !== 0) name = Buffer.concat([cstr(buf, 345, 155), Buffer.from('/'), name])
  const h: RawHeader = {
    name,
    mode: num(buf, 100, 8),
    uid: num(buf, 108, 8),
    gid: num(buf, 116, 8),
    size: num(buf, 124, 12),
    mtime: num(buf, 136, 12),
    typeflag: buf[156] === 0 ? '0' : String.fromCharCode(buf[156]),
    linkname: cstr(buf, 157, 100),
    uname: cstr(buf, 265, 32).toString(),
    gname: cstr(buf, 297, 32).toString(),
    devmajor: num(buf, 329, 8),
    devminor: num(buf, 337, 8)
  }
  for (const k of ['mode', 'uid', 'gid', 'size', 'mtime'] as const) {
    if (!Number.isFinite(h[k]) || (k === 'size' && h[k] < 0)) throw new Error(`invalid ${k} field`)
  }
  return h
}

function writeOct (buf: Buffer, off: number, len: number, v: number): boolean {
  const s = Math.max(0, Math.floor(v)).toString(8)
  if (s.length > len - 1) return false
  buf.write(s.padStart(len - 1, '0'), off, 'latin1')
  buf[off + len - 1] = 0
  return true
}

export interface HeaderFields {
  name: Buffer
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  typeflag: string
  linkname?: Buffer
  uname?: string
  gname?: string
  devmajor?: number
  devminor?: number
}

/**
 * Encode a ustar header. Fields that do not fit are truncated/zeroed here;
 * the caller puts their real values in a pax header first.
 */
export function encodeHeader (f: HeaderFields): Buffer {
  const buf = Buffer.alloc(BLOCK)
  let name = f.name
  let prefix: Buffer | null = null
  if (name.length > 100) {
    // Split at a '/' so that name <= 100 and prefix <= 155, if possible.
    for (let i = name.length - 1; i > 0; i--) {
      if (name[i] === 0x2f && name.length - i - 1 <= 100 && i <= 155 && name.length - i - 1 > 0) {
        prefix = name.subarray(0, i)
        name = name.subarray(i + 1)
        break
      }
    }
  }
  name.copy(buf, 0, 0, Math.min(100, name.length))
  writeOct(buf, 100, 8, f.mode & 0o7777)
  writeOct(buf, 108, 8, f.uid) || writeOct(buf, 108, 8, 0)
  writeOct(buf, 116, 8, f.gid) || writeOct(buf, 116, 8, 0)
  writeOct(buf, 124, 12, f.size) || writeOct(buf, 124, 12, 0)
  writeOct(buf, 136, 12, f.mtime) || writeOct(buf, 136, 12, 0)
  buf[156] = f.typeflag.charCodeAt(0)
  if (f.linkname) f.linkname.copy(buf, 157, 0, Math.min(100, f.linkname.length))
  buf.write('ustar\u000000', 257, 'latin1')
  if (f.uname) buf.write(f.uname.slice(0, 31), 265)
  if (f.gname) buf.write(f.gname.slice(0, 31), 297)
  writeOct(buf, 329, 8, f.devmajor ?? 0)
  writeOct(buf, 337, 8, f.devminor ?? 0)
  if (prefix) prefix.copy(buf, 345)
  buf.fill(32, 148, 156)
  const [u] = checksums(buf)
  buf.write(u.toString(8).padStart(6, '0') + '\u0000 ', 148, 'latin1')
  return buf
}

/** True if a name fits the ustar name/prefix fields. */
export function fitsUstar (name: Buffer): boolean {
  if (name.length <= 100) return true
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && i <= 155 && name.length - i - 1 > 0) return true
  }
  return false
}

/** One pax record: "<len> <key>=<value>\n" (len counts itself). */
export function paxRecord (key: string, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : value
  const body = Buffer.byteLength(key) + v.length + 3 // ' ', '=', '\n'
  let len = body + String(body).length
  if (String(len).length !== String(body).length) len = body + String(len).length
  return Buffer.concat([Buffer.from(`${len} ${key}=`), v, Buffer.from('\n')])
}

/** Parse pax records; values stay Buffers (binary-safe). */
export function parsePax (buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  let off = 0
  while (off < buf.length) {
    if (buf[off] === 0) break
    const sp = buf.indexOf(0x20, off)
    if (sp < 0) throw new Error('invalid pax record')
    const len = parseInt(buf.subarray(off, sp).toString('latin1'), 10)
    if (!(len > 0) || off + len > buf.length) throw new Error('invalid pax record length')
    const rec = buf.subarray(sp + 1, off + len - 1)
    const eq = rec.indexOf(0x3d)
    if (eq < 0) throw new Error('invalid pax record')
    out.set(rec.subarray(0, eq).toString(), rec.subarray(eq + 1))
    off += len
  }
  return out
}

/** "sec.frac" (pax time) -> ns. */
export function parsePaxTime (s: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) return null
  const ns = BigInt(m[2]) * 1000000000n + BigInt((m[3] ?? '').slice(0, 9).padEnd(9, '0'))
  return m[1] ? -ns : ns
}

/** ns -> "sec[.nnnnnnnnn]". */
export function formatPaxTime (t: bigint): string {
  const neg = t < 0n
  const a = neg ? -t : t
  const sec = a / 1000000000n
  const nsec = a % 1000000000n
  const frac = nsec === 0n ? '' : '.' + nsec.toString().padStart(9, '0').replace(/0+$/, '')
  return (neg ? '-' : '') + sec.toString() + frac
}
