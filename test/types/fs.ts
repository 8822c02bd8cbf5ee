// SPDX-License-Identifier: GPL-2.0-only
// img.fs.promises and img.fs typed like @types/node's fs/promises and fs:
// results follow the options, callbacks are typed, misuses do not compile.

import * as lkl from 'lkl'

type Is<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
function exact<A, B> (_check: Is<A, B>, value: A): A { return value }

export async function readme (): Promise<void> {
  const img = await lkl.open('disk.img', { type: 'auto', partition: 2 })
  await img.fs.promises.mkdir('/etc/app', { recursive: true })
  await img.fs.promises.writeFile('/etc/app/config.json', JSON.stringify({ hello: 'world' }))
  console.log(await img.fs.promises.readdir('/etc/app'))
  await img.close()
}

export async function promises (img: lkl.Image): Promise<void> {
  const p = img.fs.promises
  exact<Buffer, Buffer>(true, await p.readFile('/a'))
  exact<string, string>(true, await p.readFile('/a', 'utf8'))
  exact<string, string>(true, await p.readFile('/a', { encoding: 'latin1', flag: 'r' }))
  exact<Buffer, Buffer>(true, await p.readFile('/a', { flag: 'r' }))
  exact<string[], string[]>(true, await p.readdir('/'))
  exact<string[], string[]>(true, await p.readdir('/', { recursive: true }))
  exact<Buffer[], Buffer[]>(true, await p.readdir('/', 'buffer'))
  exact<lkl.Dirent[], lkl.Dirent[]>(true, await p.readdir('/', { withFileTypes: true }))
  exact<lkl.Stats, lkl.Stats>(true, await p.stat('/'))
  exact<lkl.BigIntStats, lkl.BigIntStats>(true, await p.stat('/', { bigint: true }))
  exact<lkl.Stats, lkl.Stats>(true, await p.lstat('/', { bigint: false }))
  exact<lkl.BigIntStats, lkl.BigIntStats>(true, await p.lstat('/', { bigint: true }))
  exact<string, string>(true, await p.realpath('/a'))
  exact<Buffer, Buffer>(true, await p.realpath('/a', 'buffer'))
  exact<string, string>(true, await p.readlink('/l'))
  exact<Buffer, Buffer>(true, await p.readlink('/l', { encoding: 'buffer' }))
  exact<string, string>(true, await p.mkdtemp('/tmp/x-'))
  exact<Buffer, Buffer>(true, await p.mkdtemp('/tmp/x-', 'buffer'))
  const dir = await p.opendir('/')
  for await (const d of dir) exact<lkl.Dirent, lkl.Dirent>(true, d)
  const big = await p.statfs('/', { bigint: true })
  exact<bigint, bigint>(true, big.bsize)
  const bigSize: bigint = (await p.stat('/', { bigint: true })).size
  const size: number = (await p.stat('/')).size
  console.log(bigSize, size)
  // A boolean known only at run time gives the union.
  const flag = Math.random() > 0.5
  exact<lkl.Stats | lkl.BigIntStats, lkl.Stats | lkl.BigIntStats>(true, await p.stat('/', { bigint: flag }))
  await p.utimes('/x', new Date(), 1700000000)
  await p.utimes('/x', '1700000000', 1700000000n)
  await p.lutimes('/x', 0, 0)
  // tar-fs and friends take it as their fs.
  const fh = await p.open('/a', 'r')
  exact<Buffer, Buffer>(true, await fh.readFile())
  await fh.close()

  // @ts-expect-error readFile without an encoding is a Buffer
  const s: string = await p.readFile('/a')
  // @ts-expect-error with one, a string
  const b: Buffer = await p.readFile('/a', 'utf8')
  // @ts-expect-error Dirents only with withFileTypes
  const ds: lkl.Dirent[] = await p.readdir('/')
  // @ts-expect-error bigint stats have bigint sizes
  const n: number = (await p.stat('/', { bigint: true })).size
  // @ts-expect-error 'now' is not a time node:fs takes
  await p.utimes('/x', 'now', 'now')
  // @ts-expect-error a mode is a number or an octal string
  await p.chmod('/x', true)
  console.log(s, b, ds, n)
}

export function callbacks (img: lkl.Image): void {
  const fs = img.fs
  fs.readFile('/a', (err, data) => { if (!err) exact<Buffer, Buffer>(true, data) })
  fs.readFile('/a', 'utf8', (err, text) => { if (!err) exact<string, string>(true, text) })
  fs.readdir('/', { withFileTypes: true }, (err, ents) => { if (!err) exact<lkl.Dirent[], lkl.Dirent[]>(true, ents) })
  fs.readdir('/', (err, names) => { if (!err) exact<string[], string[]>(true, names) })
  fs.stat('/', (err, st) => { if (!err) exact<lkl.Stats, lkl.Stats>(true, st) })
  fs.stat('/', { bigint: true }, (err, st) => { if (!err) exact<lkl.BigIntStats, lkl.BigIntStats>(true, st) })
  fs.lstat('/', (err, st) => { if (err) console.log(err.code); else console.log(st.isSymbolicLink()) })
  fs.realpath('/a', (err, p) => { if (!err) exact<string, string>(true, p) })
  fs.realpath.native('/a', 'buffer', (err, p) => { if (!err) exact<Buffer, Buffer>(true, p) })
  fs.readlink('/l', (err, p) => { if (!err) exact<string, string>(true, p) })
  fs.mkdtemp('/tmp/x-', (err, p) => { if (!err) exact<string, string>(true, p) })
  fs.opendir('/', (err, d) => { if (!err) d.close().catch(() => {}) })
  // Derived from the promise functions: optional arguments may be left off.
  fs.mkdir('/d', (err) => { if (err) throw err })
  fs.mkdir('/d', { recursive: true }, (err, first) => { if (!err) exact<string | undefined, string | undefined>(true, first) })
  fs.access('/d', (err) => { if (err) throw err })
  fs.access('/d', fs.constants.R_OK, (err) => { if (err) throw err })
  fs.chown('/d', 0, 0, (err) => { if (err) throw err })
  fs.utimes('/d', 0, new Date(), (err) => { if (err) throw err })
  fs.writeFile('/f', 'text', (err) => { if (err) throw err })
  fs.writeFile('/f', Buffer.from('x'), { mode: 0o600 }, (err) => { if (err) throw err })
  fs.symlink('/f', '/l', (err) => { if (err) throw err })
  fs.rm('/d', { recursive: true, force: true }, (err) => { if (err) throw err })
  fs.getxattr('/f', 'user.a', (err, v) => { if (!err) console.log(v) })

  // fds of the callback API.
  fs.open('/f', 'r', (err, fd) => {
    if (err) return
    exact<number, number>(true, fd)
    const buf = Buffer.alloc(16)
    fs.read(fd, buf, 0, 16, null, (err, n, b) => { if (!err) exact<Buffer, Buffer>(true, b.subarray(0, n)) })
    fs.read(fd, { buffer: buf, position: 0 }, (err, n) => { if (!err) console.log(n) })
    fs.write(fd, 'text', (err, n, str) => { if (!err) exact<string, string>(true, str.slice(n)) })
    fs.write(fd, buf, 0, 4, 0, (err, n) => { if (!err) console.log(n) })
    fs.readv(fd, [buf], 0, (err, n, bufs) => { if (!err) console.log(n, bufs.length) })
    fs.fstat(fd, { bigint: true }, (err, st) => { if (!err) exact<bigint, bigint>(true, st.size) })
    fs.futimes(fd, 0, 0, (err) => { if (err) throw err })
    fs.close(fd, (err) => { if (err) throw err })
    // @ts-expect-error an fd is a number
    fs.fsync('3', (err) => { if (err) throw err })
  })
  fs.exists('/f', (yes) => { exact<boolean, boolean>(true, yes) })

  // @ts-expect-error the callback must be a function
  fs.stat('/', 42)
  // @ts-expect-error nor may it be left off
  fs.mkdir('/d')
  // @ts-expect-error the result of readFile without an encoding is a Buffer
  fs.readFile('/a', (err: Error | null, text: string) => console.log(err, text))
  // @ts-expect-error 'now' is not a time
  fs.utimes('/d', 'now', 'now', (err) => { if (err) throw err })
  // @ts-expect-error chown wants both ids
  fs.chown('/d', 0, (err) => { if (err) throw err })
}
