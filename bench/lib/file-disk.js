// SPDX-License-Identifier: GPL-2.0-only
// The disk object node-ext2fs mounts (read/write/flush/discard at byte
// offsets) over a node:fs FileHandle, so the bench needs no package beyond
// ext2fs itself. flush is fdatasync, as lkl's close does on its side.
'use strict'

class FileDisk {
  constructor (handle) { this.handle = handle }
  read (buffer, offset, length, position) { return this.handle.read(buffer, offset, length, position) }
  write (buffer, offset, length, position) { return this.handle.write(buffer, offset, length, position) }
  flush () { return this.handle.datasync() }
  async discard () {}
}

module.exports = { FileDisk }
