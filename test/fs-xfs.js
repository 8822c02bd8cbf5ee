// SPDX-License-Identifier: GPL-2.0-only
// xfs made by mkfs.xfs, populated and written through lkl; checked by
// xfs_repair -n and listed independently with xfs_db.
'use strict'
const h = require('./helpers')
const { roundTrip } = require('./helpers/roundtrip')

function xfsLs (file, dir) {
  const out = h.must('xfs_db', ['-r', '-c', `path ${dir}`, '-c', 'ls', file]).stdout.toString()
  return out.split('\n').map((l) => l.trim().split(/\s+/)[5]).filter((n) => n && n !== '.' && n !== '..').sort()
}

roundTrip('xfs', {
  independent (t, file) {
    t.deepEqual(xfsLs(file, '/new'), ['big.bin', 'deeper', 'link', 'renamed.txt'], 'xfs_db: /new listing')
    t.deepEqual(xfsLs(file, '/'), ['dir', 'new'], 'xfs_db: root listing (rename and unlink seen)')
  }
})
