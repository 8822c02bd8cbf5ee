// SPDX-License-Identifier: GPL-2.0-only
// Paths resolved beneath a directory fd (see beneath.h). Pool threads only,
// except the entry function of openBeneath, which runs on the JS thread and
// only builds the job.
#include "beneath.h"

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/openat2.h>

#include <memory>

#include "args.h"
#include "pool.h"
#include "sys.h"

namespace lkl {

long OpenBeneath(long dirfd, const char* path, long flags, long mode) {
  struct lkl_open_how how = {};
  how.flags = static_cast<__lkl__u64>(flags);
  how.mode = static_cast<__lkl__u64>(mode);
  how.resolve = LKL_RESOLVE_BENEATH | LKL_RESOLVE_NO_MAGICLINKS;
  return Sys(__lkl__NR_openat2, dirfd, P(path), P(&how), sizeof(how));
}

void SplitEntryPath(const std::string& rel, std::string* parent, std::string* leaf) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) {
    *parent = ".";
    *leaf = rel;
  } else {
    *parent = rel.substr(0, slash);
    *leaf = rel.substr(slash + 1);
  }
}

ParentCache::~ParentCache() { Drop(); }

void ParentCache::Drop() {
  if (fd_ >= 0) Sys(__lkl__NR_close, fd_);
  fd_ = -1;
  path_.clear();
}

long ParentCache::Get(const std::string& parent) {
  if (fd_ >= 0 && parent == path_) return fd_;
  Drop();
  long fd = OpenBeneath(base_, parent.c_str(), LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
  if (fd < 0) return fd;
  fd_ = fd;
  path_ = parent;
  return fd_;
}

namespace {

// openBeneath(root, base, path, flags, mode): open `path` resolved beneath
// the directory `base` (itself resolved normally inside the image root).
class OpenBeneathJob : public Job {
 public:
  std::string base_;
  std::string path_;
  long flags_ = 0;
  long mode_ = 0;

  void Execute() override {
    long b = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(base_.c_str()),
                 LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
    if (b < 0) {
      result_ = b;
      return;
    }
    result_ = OpenBeneath(b, path_.c_str(), flags_, mode_);
    Sys(__lkl__NR_close, b);
  }
};

Napi::Value OpenBeneathEntry(const Napi::CallbackInfo& info) {
  auto job = std::make_unique<OpenBeneathJob>();
  job->root_ = ArgLong(info, 0);
  job->base_ = ArgString(info, 1);
  job->path_ = ArgString(info, 2);
  job->flags_ = ArgLong(info, 3);
  job->mode_ = ArgLong(info, 4);
  return Submit(info, std::move(job));
}

}  // namespace

void InitBeneath(Napi::Env env, Napi::Object exports) {
  exports["openBeneath"] = Napi::Function::New(env, OpenBeneathEntry, "openBeneath");
}

}  // namespace lkl
