// SPDX-License-Identifier: GPL-2.0-only
//
// Batched tree operations: one native call for a whole subtree instead of
// one round trip per entry (readdir { recursive }, rm { recursive }).
// Entry functions run on the JS thread; Execute() on a pool thread, chrooted
// into the image root (root.cc); Result() on the JS thread. Directories are
// walked with fds relative to their parent and O_NOFOLLOW, so a symlink is
// never followed into another tree.
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <cstring>
#include <deque>
#include <vector>

#include "args.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

constexpr uint8_t kDtUnknown = 0;
constexpr uint8_t kDtDir = 4;
constexpr long kEISDIR = 21;
constexpr long kEPERM = 1;

long OpenDir(long dirfd, const char* name) {
  return Sys(__lkl__NR_openat, dirfd, reinterpret_cast<long>(name),
             LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC);
}

struct Dent {
  std::string name;
  uint8_t type;
};

// The DT_* type of `name` in `dirfd` when getdents did not say.
uint8_t TypeOf(long dirfd, const char* name) {
  struct lkl_statx st;
  long r = Sys(__lkl__NR_statx, dirfd, reinterpret_cast<long>(name), LKL_AT_SYMLINK_NOFOLLOW,
               LKL_STATX_TYPE, reinterpret_cast<long>(&st));
  if (r < 0) return kDtUnknown;
  return static_cast<uint8_t>((st.stx_mode & LKL_S_IFMT) >> 12);
}

// Every entry of an open directory but "." and "..". Returns 0 or -errno.
long ReadAll(long fd, std::vector<Dent>* out) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    long n = Sys(__lkl__NR_getdents64, fd, reinterpret_cast<long>(buf.data()),
                 static_cast<long>(buf.size()));
    if (n <= 0) return n;
    // linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
    for (long off = 0; off < n;) {
      uint16_t reclen;
      std::memcpy(&reclen, buf.data() + off + 16, 2);
      uint8_t type = static_cast<uint8_t>(buf[off + 18]);
      const char* name = buf.data() + off + 19;
      if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0) {
        if (type == kDtUnknown) type = TypeOf(fd, name);
        out->push_back({name, type});
      }
      off += reclen;
    }
  }
}

// readdirTree(root, path) -> [relpath, type, relpath, type, ...] | -errno.
// Breadth-first, like node:fs's recursive readdir: the directory's own
// entries, then those of each subdirectory in the order found.
class ReaddirTreeJob : public Job {
 public:
  explicit ReaddirTreeJob(std::string path) : path_(std::move(path)) {}
  void Execute() override {
    // The top directory itself may be reached through a symlink.
    long top = Sys(__lkl__NR_openat, LKL_AT_FDCWD, reinterpret_cast<long>(path_.c_str()),
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
      std::vector<Dent> ents;
      long r = ReadAll(fd, &ents);
      if (r < 0 && result_ == 0) result_ = r;
      for (auto& e : ents) {
        std::string p = rel.empty() ? e.name : rel + "/" + e.name;
        if (e.type == kDtDir) {
          long sub = OpenDir(fd, e.name.c_str());
          // A directory that vanished or cannot be read is listed, not
          // walked (like node:fs, the first hard error is reported).
          if (sub >= 0)
            queue.push_back({sub, p});
          else if (sub != -2 && result_ == 0)
            result_ = sub;
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
      arr[i++] = Napi::String::New(env, e.name);
      arr[i++] = Napi::Number::New(env, e.type);
    }
    return arr;
  }

 private:
  std::string path_;
  std::vector<Dent> entries_;
};

Napi::Value ReaddirTree(Info info) {
  auto job = std::make_unique<ReaddirTreeJob>(ArgString(info, 1));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// Remove `name` in `dirfd` and everything below it. 0 or -errno (the first
// failure; removal stops there).
long RemoveTree(long dirfd, const char* name, uint8_t type) {
  if (type != kDtDir) {
    long r = Sys(__lkl__NR_unlinkat, dirfd, reinterpret_cast<long>(name), 0);
    if (r != -kEISDIR && r != -kEPERM) return r;
    if (r == -kEPERM && TypeOf(dirfd, name) != kDtDir) return r;
  }
  long fd = OpenDir(dirfd, name);
  if (fd < 0) return fd;
  long r = 0;
  // Read the whole listing before removing anything, then read again: some
  // filesystems skip entries when the directory changes under getdents.
  for (;;) {
    std::vector<Dent> ents;
    r = ReadAll(fd, &ents);
    if (r < 0 || ents.empty()) break;
    for (auto& e : ents) {
      r = RemoveTree(fd, e.name.c_str(), e.type);
      if (r < 0) break;
    }
    if (r < 0) break;
    Sys(__lkl__NR_lseek, fd, 0, 0);
  }
  Sys(__lkl__NR_close, fd);
  if (r < 0) return r;
  return Sys(__lkl__NR_unlinkat, dirfd, reinterpret_cast<long>(name), LKL_AT_REMOVEDIR);
}

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
