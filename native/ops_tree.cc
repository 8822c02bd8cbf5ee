// SPDX-License-Identifier: GPL-2.0-only
//
// Batched tree operations: one native call for a whole subtree instead of
// one round trip per entry (readdir { recursive }, rm { recursive }).
// Entry functions run on the JS thread; Execute() on a pool thread, chrooted
// into the image root (root.cc); Result() on the JS thread. Directories are
// walked with fds relative to their parent and O_NOFOLLOW, so a symlink is
// never followed into another tree.
#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <cstring>
#include <deque>
#include <vector>

#include "args.h"
#include "dirents.h"
#include "ops.h"
#include "remove_tree.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

long OpenDir(long dirfd, const char* name) {
  return Sys(__lkl__NR_openat, dirfd, P(name),
             LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC);
}

// readdirTree(root, path) -> [relpath, type, relpath, type, ...] | -errno.
// Breadth-first, like node:fs's recursive readdir: the directory's own
// entries, then those of each subdirectory in the order found. The array's
// `bad` ([reldir, name Buffer, ...]) and `listErrs` ([reldir, -errno, ...])
// say what listings could not give (dirents.h), `openErrs` ([relpath,
// -errno, ...]) the subdirectories that could not be opened.
class ReaddirTreeJob : public Job {
 public:
  explicit ReaddirTreeJob(std::string path) : path_(std::move(path)) {}
  void Execute() override {
    // The top directory itself may be reached through a symlink.
    long top = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(path_.c_str()),
                   LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC);
    if (top < 0) {
      result_ = top;
      return;
    }
    // (fd of the directory, its path relative to the top)
    std::deque<std::pair<long, std::string>> queue;
    queue.push_back({top, ""});
    while (!queue.empty()) {
      auto [fd, rel] = queue.front();
      queue.pop_front();
      Listing l;
      ReadDirents(fd, &l, true);
      // What the listing could not give is for lib/ to judge (by directory).
      for (auto& b : l.bad) bad_.push_back({rel, std::move(b)});
      if (l.err < 0) list_errs_.push_back({rel, l.err});
      for (auto& e : l.ents) {
        std::string p = rel.empty() ? e.name : rel + "/" + e.name;
        if (e.type == kDtDir) {
          long sub = OpenDir(fd, e.name.c_str());
          // A directory that vanished is listed, not walked; one that
          // cannot be opened (a corrupt entry: ELOOP, EUCLEAN) is for lib/
          // to judge.
          if (sub >= 0)
            queue.push_back({sub, p});
          else if (sub != -LKL_ENOENT)
            open_errs_.push_back({p, sub});
        }
        entries_.push_back({std::move(p), e.type});
      }
      Sys(__lkl__NR_close, fd);
    }
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    Napi::Array arr = Napi::Array::New(env, entries_.size() * 2);
    uint32_t i = 0;
    for (auto& e : entries_) {
      arr[i++] = NameString(env, e.path);
      arr[i++] = Napi::Number::New(env, e.type);
    }
    if (!bad_.empty()) {
      Napi::Array bad = Napi::Array::New(env, bad_.size() * 2);
      for (size_t k = 0; k < bad_.size(); k++) {
        bad[k * 2] = NameString(env, bad_[k].first);
        const std::string& name = bad_[k].second;
        bad[k * 2 + 1] = Napi::Buffer<char>::Copy(env, name.data(), name.size());
      }
      arr.Set("bad", bad);
    }
    if (!list_errs_.empty()) {
      Napi::Array errs = Napi::Array::New(env, list_errs_.size() * 2);
      for (size_t k = 0; k < list_errs_.size(); k++) {
        errs[k * 2] = NameString(env, list_errs_[k].first);
        errs[k * 2 + 1] = Napi::Number::New(env, static_cast<double>(list_errs_[k].second));
      }
      arr.Set("listErrs", errs);
    }
    if (!open_errs_.empty()) {
      Napi::Array errs = Napi::Array::New(env, open_errs_.size() * 2);
      for (size_t k = 0; k < open_errs_.size(); k++) {
        errs[k * 2] = NameString(env, open_errs_[k].first);
        errs[k * 2 + 1] = Napi::Number::New(env, static_cast<double>(open_errs_[k].second));
      }
      arr.Set("openErrs", errs);
    }
    return arr;
  }

 private:
  std::string path_;
  struct Item {
    std::string path;
    uint8_t type;
  };
  std::vector<Item> entries_;
  // (directory relative to the top, raw name) / (directory, -errno) /
  // (subdirectory, -errno of opening it)
  std::vector<std::pair<std::string, std::string>> bad_;
  std::vector<std::pair<std::string, long>> list_errs_;
  std::vector<std::pair<std::string, long>> open_errs_;
};

Napi::Value ReaddirTree(Info info) {
  auto job = std::make_unique<ReaddirTreeJob>(ArgString(info, 1));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

}  // namespace

// (remove_tree.h)
long RemoveTree(long dirfd, const char* name, uint8_t type) {
  if (type != kDtDir) {
    long r = Sys(__lkl__NR_unlinkat, dirfd, P(name), 0);
    if (r != -LKL_EISDIR && r != -LKL_EPERM) return r;
    if (r == -LKL_EPERM && TypeOf(dirfd, name) != kDtDir) return r;
  }
  long fd = OpenDir(dirfd, name);
  if (fd < 0) return fd;
  long r = 0;
  bool corrupt = false;
  // Read the whole listing before removing anything, then read again: some
  // filesystems skip entries when the directory changes under getdents.
  for (;;) {
    Listing l;
    r = ReadDirents(fd, &l, true);
    // A corrupt name cannot be unlinked (nor followed): remove the rest,
    // then say what is wrong rather than ENOTEMPTY.
    if (!l.bad.empty()) corrupt = true;
    if (r < 0 || l.ents.empty()) break;
    for (auto& e : l.ents) {
      r = RemoveTree(fd, e.name.c_str(), e.type);
      if (r < 0) break;
    }
    if (r < 0) break;
    Sys(__lkl__NR_lseek, fd, 0, 0);
  }
  Sys(__lkl__NR_close, fd);
  if (r < 0) return r;
  if (corrupt) return -LKL_EUCLEAN;
  return Sys(__lkl__NR_unlinkat, dirfd, P(name), LKL_AT_REMOVEDIR);
}

namespace {

// rmTree(root, path) -> 0 | -errno
class RmTreeJob : public Job {
 public:
  explicit RmTreeJob(std::string path) : path_(std::move(path)) {}
  void Execute() override { result_ = RemoveTree(LKL_AT_FDCWD, path_.c_str(), kDtUnknown); }

 private:
  std::string path_;
};

Napi::Value RmTree(Info info) {
  auto job = std::make_unique<RmTreeJob>(ArgString(info, 1));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

}  // namespace

void InitTreeOps(Napi::Env env, Napi::Object exports) {
  exports["readdirTree"] = Napi::Function::New(env, ReaddirTree, "readdirTree");
  exports["rmTree"] = Napi::Function::New(env, RmTree, "rmTree");
}

}  // namespace lkl
