// SPDX-License-Identifier: GPL-2.0-only
//
// Syscalls that return a structure, and the batched directory read.
// Entry functions run on the JS thread; Execute() on a pool thread;
// Result() (struct -> plain JS object) on the JS thread. A negative result
// resolves as the number (-errno), like every other op.
#include <lkl/asm/statfs.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/time_types.h>

#include <cstring>
#include <vector>

#include "args.h"
#include "dirents.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// statx(root, path, flags, mask) -> object | -errno. With path "" and flags
// AT_EMPTY_PATH, `fd` is used instead (fstat).
class StatxJob : public SysJob {
 public:
  StatxJob() : SysJob(__lkl__NR_statx) {
    std::memset(&st_, 0, sizeof(st_));
    a_[4] = P(&st_);
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("mask", st_.stx_mask);
    o.Set("blksize", st_.stx_blksize);
    o.Set("attributes", static_cast<double>(st_.stx_attributes));
    SetStatx(o, st_);
    SetStatxTime(o, "btimeSec", "btimeNsec", st_.stx_btime);
    return o;
  }

 private:
  struct lkl_statx st_;
};

// statx(root, path, flags, mask)
Napi::Value Statx(Info info) {
  auto job = std::make_unique<StatxJob>();
  job->root_ = ArgLong(info, 0);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  job->a_[3] = ArgLong(info, 3);
  return Submit(info, std::move(job));
}

// fstatx(fd, mask)
Napi::Value Fstatx(Info info) {
  auto job = std::make_unique<StatxJob>();
  job->a_[0] = ArgLong(info, 0);
  job->SetString(0, 1, "");
  job->a_[2] = LKL_AT_EMPTY_PATH;
  job->a_[3] = ArgLong(info, 1);
  return Submit(info, std::move(job));
}

// readdir(path) -> [{ name, type, ino }] | -errno. Batched: open, every
// getdents64 call and close happen in one job. "." and ".." are dropped;
// the array's `bad` and `listErr` say what the listing could not give.
class ReaddirJob : public Job {
 public:
  explicit ReaddirJob(std::string path) : path_(std::move(path)) {}
  void Execute() override {
    long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(path_.c_str()),
                  LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC);
    if (fd < 0) {
      result_ = fd;
      return;
    }
    ReadDirents(fd, &listing_, true);
    Sys(__lkl__NR_close, fd);
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    const std::vector<Dirent>& ents = listing_.ents;
    Napi::Array arr = Napi::Array::New(env, ents.size());
    for (size_t i = 0; i < ents.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", NameString(env, ents[i].name));
      o.Set("type", static_cast<uint32_t>(ents[i].type));
      o.Set("ino", static_cast<double>(ents[i].ino));
      arr[i] = o;
    }
    SetListingFlaws(env, arr, listing_);
    return arr;
  }

 private:
  std::string path_;
  Listing listing_;
};

// readdir(root, path)
Napi::Value Readdir(Info info) {
  auto job = std::make_unique<ReaddirJob>(ArgString(info, 1));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// readlinkat(path) -> Buffer | -errno (the target's raw bytes)
class ReadlinkJob : public SysJob {
 public:
  ReadlinkJob() : SysJob(__lkl__NR_readlinkat), buf_(4096) {
    a_[0] = LKL_AT_FDCWD;
    a_[2] = P(buf_.data());
    a_[3] = static_cast<long>(buf_.size());
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    return Napi::Buffer<char>::Copy(env, buf_.data(), result_);
  }

 private:
  std::vector<char> buf_;
};

// readlinkat(root, path)
Napi::Value Readlinkat(Info info) {
  auto job = std::make_unique<ReadlinkJob>();
  job->root_ = ArgLong(info, 0);
  job->SetString(0, 1, ArgString(info, 1));
  return Submit(info, std::move(job));
}

// statfs(path) -> object | -errno
class StatfsJob : public SysJob {
 public:
  StatfsJob() : SysJob(__lkl__NR_statfs) {
    std::memset(&st_, 0, sizeof(st_));
    a_[1] = P(&st_);
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", static_cast<double>(st_.f_type));
    o.Set("bsize", static_cast<double>(st_.f_bsize));
    o.Set("blocks", static_cast<double>(st_.f_blocks));
    o.Set("bfree", static_cast<double>(st_.f_bfree));
    o.Set("bavail", static_cast<double>(st_.f_bavail));
    o.Set("files", static_cast<double>(st_.f_files));
    o.Set("ffree", static_cast<double>(st_.f_ffree));
    o.Set("namelen", static_cast<double>(st_.f_namelen));
    return o;
  }

 private:
  struct lkl_statfs st_;
};

// statfs(root, path)
Napi::Value Statfs(Info info) {
  auto job = std::make_unique<StatfsJob>();
  job->root_ = ArgLong(info, 0);
  job->SetString(0, 0, ArgString(info, 1));
  return Submit(info, std::move(job));
}

// utimensat(root, path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags)
class UtimensJob : public SysJob {
 public:
  UtimensJob() : SysJob(__lkl__NR_utimensat) {
    a_[0] = LKL_AT_FDCWD;
    a_[2] = P(ts_);
  }
  struct __lkl__kernel_timespec ts_[2];
};

Napi::Value Utimensat(Info info) {
  auto job = std::make_unique<UtimensJob>();
  job->root_ = ArgLong(info, 0);
  job->SetString(0, 1, ArgString(info, 1));
  job->ts_[0].tv_sec = ArgLong(info, 2);
  job->ts_[0].tv_nsec = ArgLong(info, 3);
  job->ts_[1].tv_sec = ArgLong(info, 4);
  job->ts_[1].tv_nsec = ArgLong(info, 5);
  job->a_[3] = ArgLong(info, 6);
  return Submit(info, std::move(job));
}

}  // namespace

void InitStructOps(Napi::Env env, Napi::Object exports) {
  exports["statx"] = Napi::Function::New(env, Statx, "statx");
  exports["fstatx"] = Napi::Function::New(env, Fstatx, "fstatx");
  exports["readdir"] = Napi::Function::New(env, Readdir, "readdir");
  exports["readlinkat"] = Napi::Function::New(env, Readlinkat, "readlinkat");
  exports["statfs"] = Napi::Function::New(env, Statfs, "statfs");
  exports["utimensat"] = Napi::Function::New(env, Utimensat, "utimensat");
}

}  // namespace lkl
