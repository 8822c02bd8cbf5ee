// SPDX-License-Identifier: GPL-2.0-only
// Every img.fs function on xfs (see helpers/fs-suite.js).
'use strict'
require('./helpers/fs-suite').suite('xfs')
