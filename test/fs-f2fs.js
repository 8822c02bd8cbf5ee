// SPDX-License-Identifier: GPL-2.0-only
// f2fs made by mkfs.f2fs, populated and written through lkl; fsck.f2fs.
'use strict'
const { roundTrip } = require('./helpers/roundtrip')

roundTrip('f2fs')
