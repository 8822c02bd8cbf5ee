// SPDX-License-Identifier: GPL-2.0-only
//
// getdents64 records -> Listing (see dirents.h). Pool threads, except
// SetListingFlaws (JS thread).
#include "dirents.h"

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <cstring>

#include "sys.h"

namespace lkl {

namespace {

// The kernel's linux_dirent64 (not in the UAPI headers): u64 ino, s64 off,
// u16 reclen, u8 type, char name[].
constexpr long kNameOffset = 19;

// Unused buffer bytes hold this. The kernel writes a record's name, then one
// NUL, and leaves the alignment padding after it alone (filldir64), so the
// last NUL of a record ends its name: that gives the name's true length,
// also when the name itself holds a NUL (strlen would stop there).
constexpr unsigned char kFill = 0xff;

size_t NameLength(const char* name, size_t room) {
  const void* end = memrchr(name, 0, room);
  return end ? static_cast<size_t>(static_cast<const char*>(end) - name) : room;
}

}  // namespace

uint8_t TypeOf(long dirfd, const char* name) {
  struct lkl_statx st;
  long r = Sys(__lkl__NR_statx, dirfd, P(name), LKL_AT_SYMLINK_NOFOLLOW, LKL_STATX_TYPE, P(&st));
  if (r < 0) return kDtUnknown;
  return static_cast<uint8_t>((st.stx_mode & LKL_S_IFMT) >> 12);
}

long ReadDirents(long fd, Listing* out, bool resolve_unknown) {
  std::vector<char> buf(64 * 1024, static_cast<char>(kFill));
  // A directory has one "." and one ".."; another one is a corrupt entry
  // (following it would walk the same directory, or its parent, again).
  bool dot = false, dotdot = false;
  for (;;) {
    long n = Sys(__lkl__NR_getdents64, fd, P(buf.data()), static_cast<long>(buf.size()));
    if (n <= 0) {
      out->err = n < 0 ? n : 0;
      return out->err;
    }
    for (long off = 0; off < n;) {
      const char* rec = buf.data() + off;
      uint64_t ino;
      uint16_t reclen;
      std::memcpy(&ino, rec, 8);
      std::memcpy(&reclen, rec + 16, 2);
      off += reclen;
      uint8_t type = static_cast<uint8_t>(rec[18]);
      const char* name = rec + kNameOffset;
      std::string s(name, NameLength(name, reclen - kNameOffset));
      bool bad = s.empty() || s.find('\0') != std::string::npos;
      if (s == ".") {
        bad = dot;
        dot = true;
        if (!bad) continue;
      } else if (s == "..") {
        bad = dotdot;
        dotdot = true;
        if (!bad) continue;
      }
      if (bad) {
        out->bad.push_back(std::move(s));
        continue;
      }
      if (type == kDtUnknown && resolve_unknown) type = TypeOf(fd, s.c_str());
      out->ents.push_back({std::move(s), ino, type});
    }
    // Only the first n bytes were written: restore the fill there.
    std::memset(buf.data(), kFill, n);
  }
}

void SetListingFlaws(Napi::Env env, Napi::Array arr, const Listing& l) {
  if (!l.bad.empty()) {
    Napi::Array bad = Napi::Array::New(env, l.bad.size());
    for (size_t i = 0; i < l.bad.size(); i++)
      bad[i] = Napi::Buffer<char>::Copy(env, l.bad[i].data(), l.bad[i].size());
    arr.Set("bad", bad);
  }
  if (l.err < 0) arr.Set("listErr", static_cast<double>(l.err));
}

}  // namespace lkl
