// SPDX-License-Identifier: GPL-2.0-only
// vfat made by mkfs.vfat + mcopy; written through lkl; checked by fsck.fat
// and read back with mtools.
'use strict'
const fs = require('fs')
const path = require('path')
const h = require('./helpers')
const { roundTrip } = require('./helpers/roundtrip')

roundTrip('vfat', {
  posix: false,
  independent (t, file, { BIG, SMALL }) {
    const out = path.join(h.tmpdir('lkl-mcopy'), 'big.bin')
    h.must('mcopy', ['-n', '-i', file, '::/new/big.bin', out])
    t.ok(fs.readFileSync(out).equals(BIG), 'mcopy: big file byte-exact')
    t.ok(h.must('mtype', ['-i', file, '::/new/deeper/small.txt']).stdout.equals(SMALL), 'mtype: small file')
    const names = h.must('mdir', ['-b', '-i', file, '::/']).stdout.toString().split('\n').filter(Boolean).map((l) => l.replace(/^::\//, '').replace(/\/$/, '')).sort()
    t.deepEqual(names, ['dir', 'new'], 'mdir: root listing (rename and unlink seen)')
  }
})
