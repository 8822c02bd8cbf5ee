// SPDX-License-Identifier: GPL-2.0-only
//
// The sysctls of the embedded kernel, set once right after boot on the boot
// job's pool thread (a kernel host task), through procfs mounted at /proc
// inside the kernel (never the host's).
//
// Why: the page cache lives in this process, so a killed process loses
// what was not written back, like a machine losing power. Linux's defaults
// (dirty data written back after 30 s, xfs's log worker every 30 s) suit a
// machine that stays up; here the window should be a few seconds, so that
// a kill 5 s after a write loses nothing of it: data is written back within
// ~1.5 s, and the commit intervals of ext4 and btrfs are mount options
// (lib/mount-options.ts).
#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>

#include <cstring>

#include "sys.h"
#include "sysctl.h"

namespace lkl {

namespace {

struct Setting {
  const char* path;
  const char* value;
};

const Setting kSettings[] = {
    // Flusher threads wake every 0.5 s and write data dirty for over 1 s.
    {"/proc/sys/vm/dirty_writeback_centisecs", "50"},
    {"/proc/sys/vm/dirty_expire_centisecs", "100"},
    // xfs: the log worker forces the log (and covers it) every 1 s (its minimum).
    {"/proc/sys/fs/xfs/xfssyncd_centisecs", "100"},
};

long Write(const Setting& s) {
  long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(s.path), LKL_O_WRONLY | LKL_O_CLOEXEC, 0);
  if (fd < 0) return fd;
  long n = Sys(__lkl__NR_write, fd, P(s.value), static_cast<long>(strlen(s.value)));
  Sys(__lkl__NR_close, fd);
  return n < 0 ? n : 0;
}

}  // namespace

long SetSysctls() {
  long r = Sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, P("/proc"), 0555);
  if (r < 0 && r != -LKL_EEXIST) return r;
  r = Sys(__lkl__NR_mount, P("proc"), P("/proc"), P("proc"), 0, 0);
  if (r < 0 && r != -LKL_EBUSY) return r;
  for (const Setting& s : kSettings) {
    r = Write(s);
    if (r < 0) return r;
  }
  return 0;
}

}  // namespace lkl
