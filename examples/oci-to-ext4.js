// SPDX-License-Identifier: GPL-2.0-only
// A container image (an OCI image layout, an OCI archive or a docker save
// archive) into a new ext4 image: its layers streamed in order, whiteouts
// applied, every blob's digest checked; nothing extracted on the host.
// Usage: node examples/oci-to-ext4.js SOURCE [REF] [OUT.img]
//   e.g. skopeo copy docker://busybox oci:busybox:latest
//        node examples/oci-to-ext4.js busybox latest busybox.img
'use strict'

const { pipeline } = require('stream/promises')
const lkl = require('..') // in your project: require('lkl')

async function main () {
  const [source, ref, out = 'oci.img'] = process.argv.slice(2)
  if (!source) throw new Error('usage: node examples/oci-to-ext4.js SOURCE [REF] [OUT.img]')
  await lkl.mkfs(out, { type: 'ext4', size: '1G' })
  const img = await lkl.open(out)
  try {
    const layers = lkl.ociLayers(source, { ref })
    layers.on('layer', (l) => console.log(`layer ${l.index + 1}/${l.count}: ${l.name}`))
    await pipeline(layers, img.writer('/', { whiteouts: 'apply' }))
  } finally {
    await img.close()
  }
  await lkl.halt()
  console.log(`${out}: done`)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
