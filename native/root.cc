// SPDX-License-Identifier: GPL-2.0-only
//
// Per-job filesystem root. Pool threads only.
//
// Path operations on an image run chrooted into the image's root, so that
// absolute symlinks and ".." inside the image resolve inside the image, as
// they would if it were the root filesystem, never into the kernel's own
// root or another image. Host tasks share one fs_struct (CLONE_FS), so each
// pool thread first unshares it; then, per job: fchdir(image root fd) +
// chroot("."), run the syscall, and go back to the kernel's root the same
// way. No thread keeps an image's root between jobs, so unmounting is never
// blocked by an idle pool thread. Each step is a cheap in-kernel syscall.
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/sched.h>

#include "pool.h"
#include "sys.h"

extern "C" {
#include <lkl_host.h>
}

namespace lkl {

namespace {

// An O_PATH fd of the kernel's root, opened by the first thread that needs
// it (before that thread ever chroots; the others are at the real root
// between jobs). Thread-safe static initialisation.
long RealRoot() {
  static long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P("/"),
                       LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC);
  return fd;
}

long ChrootTo(long fd) {
  long r = Sys(__lkl__NR_fchdir, fd);
  if (r < 0) return r;
  return Sys(__lkl__NR_chroot, P("."));
}

}  // namespace

// Pool thread: run the job with `root_` (an O_PATH dir fd) as its root;
// root_ < 0 runs it at the kernel's root.
void Job::Run() {
  if (root_ < 0) {
    Execute();
    return;
  }
  thread_local bool unshared = false;
  long real = RealRoot();
  long r = real < 0 ? real : 0;
  if (r == 0 && !unshared) {
    r = Sys(__lkl__NR_unshare, LKL_CLONE_FS);
    unshared = r == 0;
  }
  if (r == 0) r = ChrootTo(root_);
  if (r < 0) {
    result_ = r;
    return;
  }
  Execute();
  ChrootTo(real);
}

}  // namespace lkl
