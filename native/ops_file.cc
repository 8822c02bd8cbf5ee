// SPDX-License-Identifier: GPL-2.0-only
//
// More thin syscall entries: fd-based metadata calls (fchmod, fchown,
// futimens), vectored I/O, mknodat, faccessat and the canonical path of a
// directory (chdir + getcwd, for realpath). Entry functions run on the JS
// thread and only build a job; Execute() runs on a pool thread. Results are
// the kernel's: >= 0 or -errno.
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/time_types.h>
#include <lkl/linux/uio.h>

#include <vector>

#include "args.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// fchmod(fd, mode)
Napi::Value Fchmod(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_fchmod);
  job->a_[0] = ArgLong(info, 0);
  job->a_[1] = ArgLong(info, 1);
  return Submit(info, std::move(job));
}

// fchown(fd, uid, gid)
Napi::Value Fchown(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_fchown);
  for (int i = 0; i < 3; i++) job->a_[i] = ArgLong(info, i);
  return Submit(info, std::move(job));
}

// futimens(fd, atimeSec, atimeNsec, mtimeSec, mtimeNsec): utimensat with a
// NULL path acts on the fd itself.
class FutimensJob : public SysJob {
 public:
  FutimensJob() : SysJob(__lkl__NR_utimensat) {
    a_[1] = 0;
    a_[2] = P(ts_);
  }
  struct __lkl__kernel_timespec ts_[2];
};

Napi::Value Futimens(Info info) {
  auto job = std::make_unique<FutimensJob>();
  job->a_[0] = ArgLong(info, 0);
  job->ts_[0].tv_sec = ArgLong(info, 1);
  job->ts_[0].tv_nsec = ArgLong(info, 2);
  job->ts_[1].tv_sec = ArgLong(info, 3);
  job->ts_[1].tv_nsec = ArgLong(info, 4);
  return Submit(info, std::move(job));
}

// readv/writev(fd, buffers[], pos): pos < 0 = at the current position
// (preadv2/pwritev2 with offset -1). The buffers are used in place.
class VecJob : public SysJob {
 public:
  explicit VecJob(long nr) : SysJob(nr) {}
  std::vector<struct lkl_iovec> iov_;
};

Napi::Value Vec(Info info, bool write) {
  auto job = std::make_unique<VecJob>(write ? __lkl__NR_pwritev2 : __lkl__NR_preadv2);
  job->a_[0] = ArgLong(info, 0);
  Napi::Array arr = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr[i];
    auto b = v.As<Napi::Uint8Array>();
    job->Keep(b);
    job->iov_.push_back({b.Data(), b.ByteLength()});
  }
  job->a_[1] = P(job->iov_.data());
  job->a_[2] = static_cast<long>(job->iov_.size());
  long pos = ArgLong(info, 2);
  job->a_[3] = pos < 0 ? -1 : pos;
  job->a_[4] = 0;
  job->a_[5] = 0;
  return Submit(info, std::move(job));
}
Napi::Value Readv(Info info) { return Vec(info, false); }
Napi::Value Writev(Info info) { return Vec(info, true); }

// mknodat(root, path, mode, major, minor): the kernel's dev_t encoding is
// done here (it is the syscall's ABI).
Napi::Value Mknodat(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_mknodat);
  job->root_ = ArgLong(info, 0);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  unsigned long major = static_cast<unsigned long>(ArgLong(info, 3));
  unsigned long minor = static_cast<unsigned long>(ArgLong(info, 4));
  job->a_[3] =
      static_cast<long>((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffUL) << 12));
  return Submit(info, std::move(job));
}

// faccessat(root, path, mode)
Napi::Value Faccessat(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_faccessat);
  job->root_ = ArgLong(info, 0);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  return Submit(info, std::move(job));
}

// dirpath(root, path) -> string | -errno: the canonical path of a directory
// as seen from the root (chdir into it, getcwd). The pool thread's cwd is
// reset after every job (root.cc).
class DirpathJob : public Job {
 public:
  explicit DirpathJob(std::string path) : path_(std::move(path)) {}
  void Execute() override {
    long r = Sys(__lkl__NR_chdir, P(path_.c_str()));
    if (r < 0) {
      result_ = r;
      return;
    }
    buf_.resize(4096);
    result_ = Sys(__lkl__NR_getcwd, P(buf_.data()), static_cast<long>(buf_.size()));
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    // result_ counts the terminating NUL.
    return Napi::Buffer<char>::Copy(env, buf_.data(), result_ > 0 ? result_ - 1 : 0);
  }

 private:
  std::string path_;
  std::vector<char> buf_;
};

Napi::Value Dirpath(Info info) {
  auto job = std::make_unique<DirpathJob>(ArgString(info, 1));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

}  // namespace

void InitFileOps(Napi::Env env, Napi::Object exports) {
  exports["fchmod"] = Napi::Function::New(env, Fchmod, "fchmod");
  exports["fchown"] = Napi::Function::New(env, Fchown, "fchown");
  exports["futimens"] = Napi::Function::New(env, Futimens, "futimens");
  exports["readv"] = Napi::Function::New(env, Readv, "readv");
  exports["writev"] = Napi::Function::New(env, Writev, "writev");
  exports["mknodat"] = Napi::Function::New(env, Mknodat, "mknodat");
  exports["faccessat"] = Napi::Function::New(env, Faccessat, "faccessat");
  exports["dirpath"] = Napi::Function::New(env, Dirpath, "dirpath");
}

}  // namespace lkl
