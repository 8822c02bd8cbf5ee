// SPDX-License-Identifier: GPL-2.0-only
//
// Host-side helpers for hostWalk/hostWriter and the disks: what node:fs
// lacks (xattrs, mknod, nanosecond lutimes, SEEK_DATA, flock). These are plain host syscalls, never kernel
// calls, and run synchronously on the JS thread (like fs.*Sync): each is a
// single cheap syscall on a local file. Results: >= 0 or -errno.
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "name_codec.h"
#include "ops.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// hostXattrs(path) -> [name, Buffer, ...] | -errno (symlinks not followed)
Napi::Value HostXattrs(Info info) {
  Napi::Env env = info.Env();
  std::string p = NameBytes(info[0]);
  std::vector<char> names(4096);
  ssize_t n;
  for (;;) {
    n = llistxattr(p.c_str(), names.data(), names.size());
    if (n >= 0 || errno != ERANGE) break;
    names.resize(names.size() * 4);
  }
  if (n < 0) {
    if (errno == ENOTSUP) return Napi::Array::New(env, 0);
    return Napi::Number::New(env, -errno);
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  std::vector<char> val(4096);
  for (ssize_t off = 0; off < n;) {
    const char* name = names.data() + off;
    off += strlen(name) + 1;
    ssize_t v;
    for (;;) {
      v = lgetxattr(p.c_str(), name, val.data(), val.size());
      if (v >= 0 || errno != ERANGE) break;
      val.resize(val.size() * 4);
    }
    if (v < 0) {
      if (errno == ENODATA) continue;
      return Napi::Number::New(env, -errno);
    }
    out[k++] = NameString(env, name, strlen(name));
    out[k++] = Napi::Buffer<char>::Copy(env, val.data(), v);
  }
  return out;
}

// hostSetXattr(path, name, value) -> 0 | -errno
Napi::Value HostSetXattr(Info info) {
  std::string p = NameBytes(info[0]);
  std::string name = NameBytes(info[1]);
  auto v = info[2].As<Napi::Uint8Array>();
  int r = lsetxattr(p.c_str(), name.c_str(), v.Data(), v.ByteLength(), 0);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// hostMknod(path, mode, major, minor) -> 0 | -errno
Napi::Value HostMknod(Info info) {
  std::string p = NameBytes(info[0]);
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  dev_t dev =
      makedev(info[2].As<Napi::Number>().Uint32Value(), info[3].As<Napi::Number>().Uint32Value());
  int r = mknod(p.c_str(), mode, dev);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// hostLutimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec) -> 0 | -errno
Napi::Value HostLutimens(Info info) {
  std::string p = NameBytes(info[0]);
  struct timespec ts[2];
  ts[0].tv_sec = info[1].As<Napi::Number>().Int64Value();
  ts[0].tv_nsec = info[2].As<Napi::Number>().Int64Value();
  ts[1].tv_sec = info[3].As<Napi::Number>().Int64Value();
  ts[1].tv_nsec = info[4].As<Napi::Number>().Int64Value();
  int r = utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// hostSeek(fd, offset, whence) -> offset | -errno (whence: SEEK_DATA/SEEK_HOLE)
Napi::Value HostSeek(Info info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  off_t off = info[1].As<Napi::Number>().Int64Value();
  int whence = info[2].As<Napi::Number>().Int32Value();
  off_t r = lseek(fd, off, whence);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : static_cast<double>(r));
}

// hostFlock(fd, exclusive) -> 0 | -errno (-EWOULDBLOCK: another open file
// holds a conflicting lock). Never blocks (LOCK_NB): waiting is lib's, with
// timers. The lock belongs to the open file description, so the host
// library's dup of the fd keeps it until the disk is detached.
Napi::Value HostFlock(Info info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool exclusive = info[1].As<Napi::Boolean>().Value();
  int r = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// hostUnlock(fd) -> 0 | -errno: drop the lock now (LOCK_UN), so the file
// can be opened and locked again at once, before the fd's asynchronous
// close has run.
Napi::Value HostUnlock(Info info) {
  int r = flock(info[0].As<Napi::Number>().Int32Value(), LOCK_UN);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

}  // namespace

void InitHostOps(Napi::Env env, Napi::Object exports) {
  exports["hostXattrs"] = Napi::Function::New(env, HostXattrs, "hostXattrs");
  exports["hostSetXattr"] = Napi::Function::New(env, HostSetXattr, "hostSetXattr");
  exports["hostMknod"] = Napi::Function::New(env, HostMknod, "hostMknod");
  exports["hostSeek"] = Napi::Function::New(env, HostSeek, "hostSeek");
  exports["hostLutimens"] = Napi::Function::New(env, HostLutimens, "hostLutimens");
  exports["hostFlock"] = Napi::Function::New(env, HostFlock, "hostFlock");
  exports["hostUnlock"] = Napi::Function::New(env, HostUnlock, "hostUnlock");
}

}  // namespace lkl
