// SPDX-License-Identifier: GPL-2.0-only
// exfat made by mkfs.exfat, populated and written through lkl; fsck.exfat -n.
'use strict'
const { roundTrip } = require('./helpers/roundtrip')

roundTrip('exfat', { posix: false })
