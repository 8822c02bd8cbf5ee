// SPDX-License-Identifier: GPL-2.0-only
//
// getdents64 records -> Dirent (see dirents.h). Pool threads.
#include "dirents.h"

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <cstring>

#include "sys.h"

namespace lkl {

uint8_t TypeOf(long dirfd, const char* name) {
  struct lkl_statx st;
  long r = Sys(__lkl__NR_statx, dirfd, P(name), LKL_AT_SYMLINK_NOFOLLOW, LKL_STATX_TYPE, P(&st));
  if (r < 0) return kDtUnknown;
  return static_cast<uint8_t>((st.stx_mode & LKL_S_IFMT) >> 12);
}

long ReadDirents(long fd, std::vector<Dirent>* out, bool resolve_unknown) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    long n = Sys(__lkl__NR_getdents64, fd, P(buf.data()), static_cast<long>(buf.size()));
    if (n <= 0) return n;
    // The kernel's linux_dirent64 (not in the UAPI headers): u64 ino,
    // s64 off, u16 reclen, u8 type, char name[] (NUL-terminated).
    for (long off = 0; off < n;) {
      const char* rec = buf.data() + off;
      uint64_t ino;
      uint16_t reclen;
      std::memcpy(&ino, rec, 8);
      std::memcpy(&reclen, rec + 16, 2);
      uint8_t type = static_cast<uint8_t>(rec[18]);
      const char* name = rec + 19;
      off += reclen;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
      if (type == kDtUnknown && resolve_unknown) type = TypeOf(fd, name);
      out->push_back({name, ino, type});
    }
  }
}

}  // namespace lkl
