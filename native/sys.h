// SPDX-License-Identifier: GPL-2.0-only
// What the native files share for calling the kernel from a pool thread:
// a syscall with defaulted arguments, a pointer as a syscall argument, and
// a statx result as plain JS fields (the last on the JS thread).
#ifndef LKL_NATIVE_SYS_H
#define LKL_NATIVE_SYS_H

#include <lkl/linux/stat.h>
#include <napi.h>

extern "C" {
#include <lkl_host.h>
}

namespace lkl {

// Every syscall native makes goes through here (so none spells out the
// unused arguments). Threads that are kernel host tasks only: the pool
// threads, and the emergency-close thread (kernel.cc); the JS thread never
// enters the kernel.
inline long Sys(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0,
                long a6 = 0) {
  return lkl_host_syscall(nr, a1, a2, a3, a4, a5, a6);
}

template <typename T>
inline long P(T* p) {
  return reinterpret_cast<long>(p);
}

// JS thread: one statx timestamp as two number fields.
inline void SetStatxTime(Napi::Object o, const char* sec, const char* nsec,
                         const struct lkl_statx_timestamp& t) {
  o.Set(sec, static_cast<double>(t.tv_sec));
  o.Set(nsec, static_cast<double>(t.tv_nsec));
}

// JS thread: the statx fields every caller reports (mode, owners, size,
// a/m/ctime, device numbers); callers add what else they need.
inline void SetStatx(Napi::Object o, const struct lkl_statx& st) {
  o.Set("mode", st.stx_mode);
  o.Set("uid", st.stx_uid);
  o.Set("gid", st.stx_gid);
  o.Set("nlink", st.stx_nlink);
  o.Set("ino", static_cast<double>(st.stx_ino));
  o.Set("size", static_cast<double>(st.stx_size));
  o.Set("blocks", static_cast<double>(st.stx_blocks));
  SetStatxTime(o, "atimeSec", "atimeNsec", st.stx_atime);
  SetStatxTime(o, "mtimeSec", "mtimeNsec", st.stx_mtime);
  SetStatxTime(o, "ctimeSec", "ctimeNsec", st.stx_ctime);
  o.Set("rdevMajor", st.stx_rdev_major);
  o.Set("rdevMinor", st.stx_rdev_minor);
  o.Set("devMajor", st.stx_dev_major);
  o.Set("devMinor", st.stx_dev_minor);
}

}  // namespace lkl

#endif
