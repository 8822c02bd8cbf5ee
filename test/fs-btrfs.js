// SPDX-License-Identifier: GPL-2.0-only
// btrfs made by mkfs.btrfs --rootdir; written through lkl; checked by
// btrfs check and extracted independently with btrfs restore.
'use strict'
const fs = require('fs')
const path = require('path')
const h = require('./helpers')
const { roundTrip } = require('./helpers/roundtrip')

roundTrip('btrfs', {
  independent (t, file, { BIG, SMALL }) {
    const out = h.tmpdir('lkl-restore')
    h.must('btrfs', ['restore', '-S', file, out])
    t.ok(fs.readFileSync(path.join(out, 'new/big.bin')).equals(BIG), 'btrfs restore: big file byte-exact')
    t.ok(fs.readFileSync(path.join(out, 'new/deeper/small.txt')).equals(SMALL), 'btrfs restore: small file')
    t.equal(fs.readlinkSync(path.join(out, 'new/link')), 'renamed.txt', 'btrfs restore: symlink')
    t.deepEqual(fs.readdirSync(out).sort(), ['dir', 'new'], 'btrfs restore: root listing (rename and unlink seen)')
  }
})
