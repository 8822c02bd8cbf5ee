// SPDX-License-Identifier: GPL-2.0-only
// The one reader of getdents64 records (readdir, readdirTree, rmTree and
// the tree walk's scanDir all list directories through it). Pool threads
// only: it makes syscalls.
#ifndef LKL_NATIVE_DIRENTS_H
#define LKL_NATIVE_DIRENTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace lkl {

constexpr uint8_t kDtUnknown = 0;
constexpr uint8_t kDtDir = 4;

struct Dirent {
  std::string name;
  uint64_t ino;
  uint8_t type;  // DT_*
};

// The DT_* type of `name` in directory `dirfd` from statx (not following a
// final symlink); kDtUnknown if statx fails.
uint8_t TypeOf(long dirfd, const char* name);

// Append every entry of the open directory `fd` but "." and ".." to `out`,
// in the order the filesystem lists them. With resolve_unknown, entries the
// filesystem lists as DT_UNKNOWN get their type from statx here (cheaper
// than a round trip per entry from JS). Returns 0 or -errno (the entries
// read before a failure stay in `out`).
long ReadDirents(long fd, std::vector<Dirent>* out, bool resolve_unknown);

}  // namespace lkl

#endif
