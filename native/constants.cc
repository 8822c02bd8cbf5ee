// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel's constants, from the prefixed UAPI headers, so lib/ never
// hard-codes the kernel ABI. Module init, JS thread.
#include <lkl/linux/fcntl.h>
#include <lkl/linux/fs.h>
#include <lkl/linux/mount.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/xattr.h>

#include "ops.h"

namespace lkl {

#define LKL_CONST(name) c.Set(#name, static_cast<double>(LKL_##name))

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
  LKL_CONST(O_RDONLY);
  LKL_CONST(O_WRONLY);
  LKL_CONST(O_RDWR);
  LKL_CONST(O_CREAT);
  LKL_CONST(O_EXCL);
  LKL_CONST(O_NOCTTY);
  LKL_CONST(O_TRUNC);
  LKL_CONST(O_APPEND);
  LKL_CONST(O_NONBLOCK);
  LKL_CONST(O_DSYNC);
  LKL_CONST(O_SYNC);
  LKL_CONST(O_DIRECTORY);
  LKL_CONST(O_NOFOLLOW);
  LKL_CONST(O_NOATIME);
  LKL_CONST(O_CLOEXEC);
  LKL_CONST(O_PATH);
  LKL_CONST(O_DIRECT);
  LKL_CONST(AT_FDCWD);
  LKL_CONST(AT_REMOVEDIR);
  LKL_CONST(AT_SYMLINK_NOFOLLOW);
  LKL_CONST(AT_EMPTY_PATH);
  LKL_CONST(RENAME_NOREPLACE);
  LKL_CONST(RENAME_EXCHANGE);
  LKL_CONST(S_IFMT);
  LKL_CONST(S_IFSOCK);
  LKL_CONST(S_IFLNK);
  LKL_CONST(S_IFREG);
  LKL_CONST(S_IFBLK);
  LKL_CONST(S_IFDIR);
  LKL_CONST(S_IFCHR);
  LKL_CONST(S_IFIFO);
  LKL_CONST(S_ISUID);
  LKL_CONST(S_ISGID);
  LKL_CONST(S_ISVTX);
  LKL_CONST(XATTR_CREATE);
  LKL_CONST(XATTR_REPLACE);
  LKL_CONST(STATX_BASIC_STATS);
  LKL_CONST(STATX_BTIME);
  LKL_CONST(MS_RDONLY);
  LKL_CONST(MS_NOATIME);
  LKL_CONST(MS_SYNCHRONOUS);
  exports["constants"] = c;
}

}  // namespace lkl
