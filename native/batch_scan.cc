// SPDX-License-Identifier: GPL-2.0-only
//
// Batched reads for tree walks: a whole directory with lstat, symlink
// targets and xattrs in one job, and the contents of many small files in
// one job. Entry functions run on the JS thread (argument conversion only);
// Execute() runs on a pool thread chrooted into the image root (root.cc);
// Result() builds plain JS objects on the JS thread.
#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fadvise.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "batch.h"
#include "dirents.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// scanDir/scanDirs flags (exported as `scanFlags`).
constexpr int kWantXattrs = 1;  // read xattrs of every entry
constexpr int kSelfOnly = 2;    // the path itself, not its children

struct Rec {
  std::string name;
  long err = 0;  // statx failure (the entry vanished, ...)
  struct lkl_statx st;
  std::string link;
  bool has_link = false;
  std::vector<std::pair<std::string, std::string>> xattrs;
  long xattr_err = 0;
  std::string data;  // whole content of a small regular file (kWantData)
  bool has_data = false;
};

// Content budget of one job (shared by the directories of a scanDirs).
struct DataBudget {
  long max_file = 0;  // files up to this size are read (0: none)
  long left = 0;      // bytes the job may still read
};

// Read every xattr of `path` (not following symlinks) into rec.
void ReadXattrs(const std::string& path, Rec* rec) {
  std::vector<char> names(4096);
  long n;
  for (;;) {
    n = Sys(__lkl__NR_llistxattr, P(path.c_str()), P(names.data()),
            static_cast<long>(names.size()));
    if (n != -LKL_ERANGE) break;
    names.resize(names.size() * 4);
  }
  if (n < 0) {
    // Filesystems without xattr support say EOPNOTSUPP: no xattrs.
    if (n != -LKL_EOPNOTSUPP) rec->xattr_err = n;
    return;
  }
  std::vector<char> val(4096);
  for (long off = 0; off < n;) {
    const char* name = names.data() + off;
    off += static_cast<long>(std::strlen(name)) + 1;
    long v;
    for (;;) {
      v = Sys(__lkl__NR_lgetxattr, P(path.c_str()), P(name), P(val.data()),
              static_cast<long>(val.size()));
      if (v != -LKL_ERANGE) break;
      val.resize(val.size() * 4);
    }
    if (v == -LKL_ENODATA) continue;  // removed meanwhile
    if (v < 0) {
      rec->xattr_err = v;
      return;
    }
    rec->xattrs.emplace_back(name, std::string(val.data(), v));
  }
}

// Read a small regular file whole (dirfd-relative, not following symlinks).
void ReadData(long dirfd, const char* name, Rec* rec, DataBudget* budget) {
  long size = static_cast<long>(rec->st.stx_size);
  long fd = Sys(__lkl__NR_openat, dirfd, P(name), LKL_O_RDONLY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
  if (fd < 0) return;  // lib/ reads it again and reports the error
  rec->data.resize(size + 1);
  long len = 0;
  for (;;) {
    long n = Sys(__lkl__NR_read, fd, P(&rec->data[len]), size + 1 - len);
    if (n <= 0 || (len += n) > size) {
      if (n < 0) len = -1;
      break;
    }
  }
  // Read once, like readFiles' files: drop its pages (the walk reads a
  // rootfs' small files mostly here, with their directories).
  Sys(__lkl__NR_fadvise64, fd, 0, 0, LKL_POSIX_FADV_DONTNEED);
  Sys(__lkl__NR_close, fd);
  if (len < 0 || len > size) {  // failed or grew meanwhile: leave it to lib/
    rec->data.clear();
    return;
  }
  rec->data.resize(len);
  rec->has_data = true;
  budget->left -= len;
}

void StatRec(long dirfd, const char* name, const std::string& full, int flags, Rec* rec,
             DataBudget* budget) {
  std::memset(&rec->st, 0, sizeof(rec->st));
  rec->err = Sys(__lkl__NR_statx, dirfd, P(name),
                 LKL_AT_SYMLINK_NOFOLLOW | (name[0] ? 0 : LKL_AT_EMPTY_PATH), LKL_STATX_BASIC_STATS,
                 P(&rec->st));
  if (rec->err < 0) return;
  if ((rec->st.stx_mode & LKL_S_IFMT) == LKL_S_IFLNK) {
    std::vector<char> buf(4096);
    long n =
        Sys(__lkl__NR_readlinkat, dirfd, P(name), P(buf.data()), static_cast<long>(buf.size()));
    if (n >= 0) {
      rec->link.assign(buf.data(), n);
      rec->has_link = true;
    }
  }
  if (flags & kWantXattrs) ReadXattrs(full, rec);
  if ((rec->st.stx_mode & LKL_S_IFMT) == LKL_S_IFREG && budget &&
      static_cast<long>(rec->st.stx_size) <= budget->max_file &&
      static_cast<long>(rec->st.stx_size) <= budget->left)
    ReadData(dirfd, name, rec, budget);
}

// scanDir(root, path, flags) -> [{ name, mode, ... }] | -errno
// Children sorted by name (bytewise), "." and ".." dropped; the array's
// `bad` and `listErr` say what the listing could not give (dirents.h).
class ScanJob : public Job {
 public:
  ScanJob(std::string path, int flags, DataBudget* budget)
      : path_(std::move(path)), flags_(flags), budget_(budget) {}

  void Execute() override {
    if (flags_ & kSelfOnly) {
      recs_.emplace_back();
      StatRec(LKL_AT_FDCWD, path_.c_str(), path_, flags_, &recs_.back(), nullptr);
      result_ = recs_.back().err;
      return;
    }
    long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(path_.c_str()),
                  LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
    if (fd < 0) {
      result_ = fd;
      return;
    }
    // A listing that ended early still gives its entries: lib/ decides
    // (listing_.err, listing_.bad) whether that is an error.
    ReadDirents(fd, &listing_, false);  // every entry gets a statx below
    std::vector<Dirent>& ents = listing_.ents;
    std::sort(ents.begin(), ents.end(),
              [](const Dirent& a, const Dirent& b) { return a.name < b.name; });
    std::string base = path_;
    if (base.empty() || base.back() != '/') base += '/';
    recs_.resize(ents.size());
    for (size_t i = 0; i < ents.size(); i++) {
      Rec& rec = recs_[i];
      rec.name = std::move(ents[i].name);
      StatRec(fd, rec.name.c_str(), base + rec.name, flags_, &rec, budget_);
    }
    Sys(__lkl__NR_close, fd);
  }

  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    Napi::Array arr = Napi::Array::New(env, recs_.size());
    for (size_t i = 0; i < recs_.size(); i++) arr[i] = ToJs(env, recs_[i]);
    SetListingFlaws(env, arr, listing_);
    return arr;
  }

 private:
  static Napi::Object ToJs(Napi::Env env, const Rec& r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::Buffer<char>::Copy(env, r.name.data(), r.name.size()));
    o.Set("err", static_cast<double>(r.err));
    if (r.err < 0) return o;
    SetStatx(o, r.st);
    if (r.has_link) o.Set("link", Napi::Buffer<char>::Copy(env, r.link.data(), r.link.size()));
    if (r.xattr_err < 0) o.Set("xattrErr", static_cast<double>(r.xattr_err));
    if (r.has_data) o.Set("data", Napi::Buffer<char>::Copy(env, r.data.data(), r.data.size()));
    if (!r.xattrs.empty()) {
      Napi::Array xs = Napi::Array::New(env, r.xattrs.size() * 2);
      for (size_t i = 0; i < r.xattrs.size(); i++) {
        xs[i * 2] = NameString(env, r.xattrs[i].first);
        xs[i * 2 + 1] =
            Napi::Buffer<char>::Copy(env, r.xattrs[i].second.data(), r.xattrs[i].second.size());
      }
      o.Set("xattrs", xs);
    }
    return o;
  }

  std::string path_;
  int flags_;
  DataBudget* budget_;
  Listing listing_;
  std::vector<Rec> recs_;
};

// scanDirs(root, paths[], flags, maxFile, budget) -> [[...] | -errno, ...]:
// several directories in one job (a walk prefetching the subdirectories it
// will descend into); regular files up to maxFile bytes come with their
// content (`data`) while the job has read less than budget bytes.
class ScanManyJob : public Job {
 public:
  DataBudget budget_;
  std::vector<std::unique_ptr<ScanJob>> jobs_;
  void Execute() override {
    for (auto& j : jobs_) j->Execute();
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array arr = Napi::Array::New(env, jobs_.size());
    for (size_t i = 0; i < jobs_.size(); i++) arr[i] = jobs_[i]->Result(env);
    return arr;
  }
};

Napi::Value ScanDirs(Info info) {
  auto job = std::make_unique<ScanManyJob>();
  job->root_ = ArgLong(info, 0);
  Napi::Array paths = info[1].As<Napi::Array>();
  int flags = static_cast<int>(ArgLong(info, 2));
  if (info.Length() > 4) {
    job->budget_.max_file = ArgLong(info, 3);
    job->budget_.left = ArgLong(info, 4);
  }
  for (uint32_t i = 0; i < paths.Length(); i++) {
    job->jobs_.push_back(std::make_unique<ScanJob>(NameBytes(paths[i]), flags, &job->budget_));
  }
  return Submit(info, std::move(job));
}

Napi::Value ScanDir(Info info) {
  auto job =
      std::make_unique<ScanJob>(ArgString(info, 1), static_cast<int>(ArgLong(info, 2)), nullptr);
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// readFiles(root, paths[], maxEach) -> [Buffer | -errno]: each file opened
// (not following symlinks), read to its end (at most maxEach bytes), closed.
class ReadFilesJob : public Job {
 public:
  ReadFilesJob(std::vector<std::string> paths, long max)
      : paths_(std::move(paths)), max_(max), out_(paths_.size()) {}

  void Execute() override {
    // Open every file and start readahead on all of them first, so the
    // block reads of a cold cache are in flight together; then read.
    std::vector<long> fds(paths_.size());
    for (size_t i = 0; i < paths_.size(); i++) {
      fds[i] = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(paths_[i].c_str()),
                   LKL_O_RDONLY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
      if (fds[i] >= 0) Sys(__lkl__NR_readahead, fds[i], 0, max_);
    }
    for (size_t i = 0; i < paths_.size(); i++) {
      Out& o = out_[i];
      long fd = fds[i];
      if (fd < 0) {
        o.err = fd;
        continue;
      }
      size_t cap = static_cast<size_t>(std::max<long>(1, std::min<long>(64 * 1024, max_)));
      o.data = static_cast<char*>(std::malloc(cap));
      for (;;) {
        if (o.len == cap) {
          if (static_cast<long>(cap) >= max_) break;
          cap = std::min<size_t>(cap * 4, max_);
          o.data = static_cast<char*>(std::realloc(o.data, cap));
        }
        long n = Sys(__lkl__NR_read, fd, P(o.data + o.len), static_cast<long>(cap - o.len));
        if (n < 0) {
          o.err = n;
          break;
        }
        if (n == 0) break;
        o.len += n;
      }
      // Read once: drop its pages from the kernel's cache, which would
      // otherwise grow the process's RSS (docs/architecture.md, the walk).
      Sys(__lkl__NR_fadvise64, fd, 0, 0, LKL_POSIX_FADV_DONTNEED);
      Sys(__lkl__NR_close, fd);
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array arr = Napi::Array::New(env, out_.size());
    for (size_t i = 0; i < out_.size(); i++) {
      Out& o = out_[i];
      if (o.err < 0) {
        arr[i] = Napi::Number::New(env, static_cast<double>(o.err));
        std::free(o.data);
      } else {
        // Copied into a Buffer of node's, and the block freed now: handed
        // over, it lived until a GC in this pool thread's malloc arena, a
        // second heap whose high-water mark added to the main one's
        // (image -> tar of a rootfs: peak RSS median 171 -> 168 MiB, no
        // slower).
        arr[i] = Napi::Buffer<char>::Copy(env, o.data, o.len);
        std::free(o.data);
      }
      o.data = nullptr;
    }
    return arr;
  }

  ~ReadFilesJob() override {
    for (Out& o : out_) std::free(o.data);
  }

 private:
  struct Out {
    char* data = nullptr;
    size_t len = 0;
    long err = 0;
  };
  std::vector<std::string> paths_;
  long max_;
  std::vector<Out> out_;
};

Napi::Value ReadFiles(Info info) {
  Napi::Array arr = info[1].As<Napi::Array>();
  std::vector<std::string> paths(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) paths[i] = NameBytes(arr[i]);
  auto job = std::make_unique<ReadFilesJob>(std::move(paths), ArgLong(info, 2));
  job->root_ = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// readahead(fd, offset, len) -> 0 | -errno: start reading a range of a
// file into the kernel's cache (returns once the reads are submitted).
Napi::Value Readahead(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_readahead);
  for (int i = 0; i < 3; i++) job->a_[i] = ArgLong(info, i);
  return Submit(info, std::move(job));
}

// dropCache(fd, offset = 0, len = 0 (to the end)) -> 0 | -errno: drop a
// file's clean pages in a range from the kernel's cache
// (POSIX_FADV_DONTNEED) once they have been read (or written back).
Napi::Value DropCache(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_fadvise64);
  job->a_[0] = ArgLong(info, 0);
  if (info.Length() > 2) {
    job->a_[1] = ArgLong(info, 1);
    job->a_[2] = ArgLong(info, 2);
  }
  job->a_[3] = LKL_POSIX_FADV_DONTNEED;
  return Submit(info, std::move(job));
}

}  // namespace

void InitBatchScan(Napi::Env env, Napi::Object exports) {
  exports["scanDir"] = Napi::Function::New(env, ScanDir, "scanDir");
  exports["scanDirs"] = Napi::Function::New(env, ScanDirs, "scanDirs");
  exports["readFiles"] = Napi::Function::New(env, ReadFiles, "readFiles");
  exports["readahead"] = Napi::Function::New(env, Readahead, "readahead");
  exports["dropCache"] = Napi::Function::New(env, DropCache, "dropCache");
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("xattrs", kWantXattrs);
  flags.Set("self", kSelfOnly);
  exports["scanFlags"] = flags;
}

}  // namespace lkl
