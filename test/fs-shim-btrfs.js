// SPDX-License-Identifier: GPL-2.0-only
// Every img.fs function on btrfs (see helpers/fs-suite.js).
'use strict'
require('./helpers/fs-suite').suite('btrfs')
