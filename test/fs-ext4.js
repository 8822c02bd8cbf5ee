// SPDX-License-Identifier: GPL-2.0-only
// ext4 made by mke2fs -d; written through lkl; checked by e2fsck and debugfs.
'use strict'
const h = require('./helpers')
const { roundTrip } = require('./helpers/roundtrip')

roundTrip('ext4', {
  independent (t, file, { BIG, SMALL }) {
    t.ok(h.debugfsCat(file, '/new/big.bin').equals(BIG), 'debugfs: big file byte-exact')
    t.ok(h.debugfsCat(file, '/new/deeper/small.txt').equals(SMALL), 'debugfs: small file')
    t.deepEqual(h.debugfsLs(file, '/new'), ['big.bin', 'deeper', 'link', 'renamed.txt'], 'debugfs: /new listing')
    t.deepEqual(h.debugfsLs(file, '/'), ['dir', 'lost+found', 'new'], 'debugfs: root listing (rename and unlink seen)')
  }
})
