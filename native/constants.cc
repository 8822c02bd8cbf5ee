// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel's constants, from the prefixed UAPI headers, so lib/ never
// hard-codes the kernel ABI. Module init, JS thread.
#include <lkl/asm/errno.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/fs.h>
#include <lkl/linux/mount.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/xattr.h>

#include "ops.h"

namespace lkl {

namespace {

// Every Linux errno by name (131 of them, 1-133), then the aliases: lib/
// compares results with these names, maps error codes to numbers and
// numbers to names (lib/errors.ts: the first name of a number wins) with
// this table, so no errno number is written in lib/. ENOTSUP is not in the
// kernel's headers; it is libc's and libuv's (so Node's) name for
// EOPNOTSUPP.
#define E(name) {#name, LKL_##name}
const struct {
  const char* name;
  int value;
} kErrno[] = {
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF),
    E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST),
    E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
    E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE),
    E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM),
    E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI), E(EL2HLT),
    E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC), E(EBADSLT), E(EBFONT), E(ENOSTR),
    E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV),
    E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG), E(EOVERFLOW), E(ENOTUNIQ),
    E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ),
    E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
    E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT),
    E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET),
    E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
    E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
    E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM), E(EREMOTEIO),
    E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED),
    E(EKEYREVOKED), E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
    E(EWOULDBLOCK), E(EDEADLOCK), {"ENOTSUP", LKL_EOPNOTSUPP}};
#undef E

void InitErrno(Napi::Env env, Napi::Object exports) {
  Napi::Object e = Napi::Object::New(env);
  for (const auto& x : kErrno) e.Set(x.name, x.value);
  exports["errno"] = e;
}

}  // namespace

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
  InitErrno(env, exports);
}

}  // namespace lkl
