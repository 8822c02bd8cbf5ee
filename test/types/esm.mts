// SPDX-License-Identifier: GPL-2.0-only
// An ES module importing the CommonJS package (module nodenext).

import * as lkl from 'lkl'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'

const img = await lkl.open('disk.img', { type: 'auto' })
await pipeline(img.walk('/'), lkl.tarPack(), createWriteStream('out.tar'))
for await (const e of img.walk('/etc')) console.log(e.path, e.type, e.size)
// @ts-expect-error walk entries are objects, not chunks
for await (const e of img.walk('/etc')) console.log(e.length)
await img.close()
