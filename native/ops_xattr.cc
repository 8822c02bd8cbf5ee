// SPDX-License-Identifier: GPL-2.0-only
//
// Extended attributes, named after the Linux calls. Each entry takes the
// image root, a path, and `follow` (false = the l-prefixed call, which acts
// on a symlink itself). Entry functions run on the JS thread; Execute() on a
// pool thread; Result() on the JS thread. Values and name lists are raw
// bytes (Buffers); lib/ splits and decodes them.
#include <lkl/asm/unistd.h>

#include <vector>

#include "args.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

constexpr long kERANGE = 34;

// getxattr / listxattr: ask the size, then read; retry if the value grew
// in between (ERANGE).
class XattrReadJob : public Job {
 public:
  XattrReadJob(bool list, bool follow, std::string path, std::string name)
      : list_(list), path_(std::move(path)), name_(std::move(name)) {
    if (list)
      nr_ = follow ? __lkl__NR_listxattr : __lkl__NR_llistxattr;
    else
      nr_ = follow ? __lkl__NR_getxattr : __lkl__NR_lgetxattr;
  }
  void Execute() override {
    long p = P(path_.c_str());
    long n = P(name_.c_str());
    for (int tries = 0; tries < 8; tries++) {
      long size = list_ ? Sys(nr_, p, 0, 0) : Sys(nr_, p, n, 0, 0);
      if (size <= 0) {
        result_ = size;
        return;
      }
      buf_.resize(size);
      long data = P(buf_.data());
      result_ = list_ ? Sys(nr_, p, data, size) : Sys(nr_, p, n, data, size);
      if (result_ != -kERANGE) return;
    }
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    if (result_ == 0) return Napi::Buffer<char>::New(env, 0);
    return Napi::Buffer<char>::Copy(env, buf_.data(), result_);
  }

 private:
  bool list_;
  long nr_;
  std::string path_, name_;
  std::vector<char> buf_;
};

// getxattr(root, path, name, follow) -> Buffer | -errno
Napi::Value Getxattr(Info info) {
  auto job = std::make_unique<XattrReadJob>(false, info[3].ToBoolean(), ArgString(info, 1),
                                            ArgString(info, 2));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// listxattr(root, path, follow) -> Buffer (NUL-terminated names) | -errno
Napi::Value Listxattr(Info info) {
  auto job = std::make_unique<XattrReadJob>(true, info[2].ToBoolean(), ArgString(info, 1), "");
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// setxattr(root, path, name, value, flags, follow)
Napi::Value Setxattr(Info info) {
  bool follow = info[5].ToBoolean();
  auto job = std::make_unique<SysJob>(follow ? __lkl__NR_setxattr : __lkl__NR_lsetxattr);
  job->root_ = ArgLong(info, 0);
  job->SetString(0, 0, ArgString(info, 1));
  job->SetString(1, 1, ArgString(info, 2));
  auto value = info[3].As<Napi::Uint8Array>();
  job->SetBuffer(2, value, 0, static_cast<long>(value.ByteLength()));
  job->a_[3] = static_cast<long>(value.ByteLength());
  job->a_[4] = ArgLong(info, 4);
  return Submit(info, std::move(job));
}

// removexattr(root, path, name, follow)
Napi::Value Removexattr(Info info) {
  bool follow = info[3].ToBoolean();
  auto job = std::make_unique<SysJob>(follow ? __lkl__NR_removexattr : __lkl__NR_lremovexattr);
  job->root_ = ArgLong(info, 0);
  job->SetString(0, 0, ArgString(info, 1));
  job->SetString(1, 1, ArgString(info, 2));
  return Submit(info, std::move(job));
}

}  // namespace

void InitXattrOps(Napi::Env env, Napi::Object exports) {
  exports["getxattr"] = Napi::Function::New(env, Getxattr, "getxattr");
  exports["listxattr"] = Napi::Function::New(env, Listxattr, "listxattr");
  exports["setxattr"] = Napi::Function::New(env, Setxattr, "setxattr");
  exports["removexattr"] = Napi::Function::New(env, Removexattr, "removexattr");
}

}  // namespace lkl
