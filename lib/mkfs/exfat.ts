// SPDX-License-Identifier: GPL-2.0-only
//
// mkfs.exfat draws the volume serial number from the clock and has no
// option to set it: for reproducible images, write a fixed serial into the
// main and backup boot regions and recompute their boot checksums
// (exFAT spec 3.1.11 and 3.4).

import * as fs from 'fs'

const SERIAL_AT = 100
const SHIFT_AT = 108

export async function setExfatSerial (file: string, offset: number, serial: number): Promise<void> {
  const fh = await fs.promises.open(file, 'r+')
  try {
    const head = Buffer.alloc(512)
    await fh.read(head, 0, 512, offset)
    if (head.toString('latin1', 3, 11) !== 'EXFAT   ') throw new Error(`'${file}': no exFAT boot sector`)
    const sector = 1 << head[SHIFT_AT]
    // The boot region: 11 sectors checksummed, then the checksum sector.
    const region = Buffer.alloc(12 * sector)
    await fh.read(region, 0, region.length, offset)
    region.writeUInt32LE(serial >>> 0, SERIAL_AT)
    let sum = 0
    for (let i = 0; i < 11 * sector; i++) {
      if (i === 106 || i === 107 || i === 112) continue // VolumeFlags, PercentInUse
      sum = (((sum & 1) ? 0x80000000 : 0) + (sum >>> 1) + region[i]) >>> 0
    }
    for (let i = 11 * sector; i < 12 * sector; i += 4) region.writeUInt32LE(sum, i)
    await fh.write(region, 0, region.length, offset)
    await fh.write(region, 0, region.length, offset + 12 * sector)
  } finally {
    await fh.close()
  }
}
