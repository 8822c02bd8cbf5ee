// SPDX-License-Identifier: GPL-2.0-only
// The one reader of getdents64 records (readdir, readdirTree, rmTree and
// the tree walk's scanDir all list directories through it). Pool threads
// only: it makes syscalls.
#ifndef LKL_NATIVE_DIRENTS_H
#define LKL_NATIVE_DIRENTS_H

#include <napi.h>

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

// One directory's listing.
struct Listing {
  // Every entry but "." and "..", in the order the filesystem lists them.
  std::vector<Dirent> ents;
  // Names that must never be followed (a corrupt filesystem hands them
  // out): empty, holding a NUL byte, or a second "." or "..". Raw bytes,
  // exactly the name's length as the kernel reported it. Never in ents.
  std::vector<std::string> bad;
  // 0, or the -errno getdents64 failed with after the directory was open
  // (ents and bad keep what came before). The kernel itself refuses a name
  // that is empty or holds '/' with -EIO, at that entry, every time.
  long err = 0;
};

// The DT_* type of `name` in directory `dirfd` from statx (not following a
// final symlink); kDtUnknown if statx fails.
uint8_t TypeOf(long dirfd, const char* name);

// List the open directory `fd` into `out` (appending). With
// resolve_unknown, entries the filesystem lists as DT_UNKNOWN get their type
// from statx here (cheaper than a round trip per entry from JS). Returns
// out->err.
long ReadDirents(long fd, Listing* out, bool resolve_unknown);

// JS thread: what a listing could not give, as properties of the array a
// job resolves with: `bad` (Buffers of the names never followed) and
// `listErr` (-errno), each only when there is one.
void SetListingFlaws(Napi::Env env, Napi::Array arr, const Listing& l);

}  // namespace lkl

#endif
