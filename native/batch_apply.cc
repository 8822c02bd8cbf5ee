// SPDX-License-Identifier: GPL-2.0-only
//
// applyEntries(root, base, entries[]): create many tree entries (files with
// their whole content, directories, symlinks, hardlinks, device nodes,
// fifos) and set their metadata (owner, mode, xattrs, times) in one job,
// beneath the directory `base`. The entry function converts the plain
// objects on the JS thread; Execute() runs on a pool thread chrooted into
// the image root. No policy here: lib/ decides what to create, in what
// order, and how to name failures.
//
// Confinement: entry paths are relative to `base`; each entry's parent
// directory (and a hardlink's target's) is opened beneath `base` with
// openat2(RESOLVE_BENEATH) (beneath.h), the job's cwd moves there, and the
// entry's last component is created and changed relative to it, never
// following a symlink in that last component. So whatever the entries say,
// nothing outside `base` is created, changed or removed; a path that would
// leave it fails with -EXDEV at step kStepResolve.
//
// Replacing (kReplace) an existing file or symlink never leaves the path
// without one: the new entry is made under a temporary sibling name
// (".lkl-new-N"), its content is written to the disk and waited for
// (sync_file_range, all of a run of such entries at once), and only then is
// it renamed over the old one. The rename and the new inode's metadata are
// journaled after the data is on the disk, and the journal commits in order,
// so a kill at any moment leaves the old entry or the new one (at worst plus
// a stray temporary file), as dpkg and rsync do. No syncfs or fdatasync: no
// journal commit or host flush per batch. A fresh name is created in place.
//
// Layers (container images, lib/tree/image-writer.ts): kRemove removes a
// path and everything below it (a whiteout), kClear the children of a
// directory but the names it lists (an opaque directory); kReplaceTree lets
// a non-directory replace a directory with its contents. Removal resolves
// the parent beneath `base` like every entry and never follows a symlink
// below it (remove_tree.h). A missing path or parent is nothing to remove.
//
// Drop-behind: the kernel's page cache is memory of this process, and pages
// a batch wrote would stay cached (and resident) until the kernel reclaims
// them, so the whole kernel memory ends up touched. So each file's
// writeback is started as soon as its data is written, and kDropLag files
// later, or at the end of the job, its pages are dropped (DONTNEED drops
// clean pages only, so the drop first waits for that writeback: the I/O
// completions need the kernel's one CPU, which this job holds while it
// writes). The kernel reuses the freed pages first, so RSS stays near the
// working set. Durability is unchanged: this only writes back earlier.
//
// Result: 0 when every entry was applied, else [index, -errno, step] for the
// first entry that failed (the entries before it are applied; none after).
//
// The op, flag and step codes are exported as `applyCodes` (module init,
// JS thread), so lib/ names them and never writes their numbers.
#include <lkl/asm/errno.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fadvise.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/time_types.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "args.h"
#include "batch.h"
#include "beneath.h"
#include "dirents.h"
#include "remove_tree.h"
#include "sys.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

enum Op { kFile = 0, kDir = 1, kSymlink = 2, kHardlink = 3, kNode = 4, kMeta = 5, kRename = 6, kRemove = 7, kClear = 8 };
// sync_file_range flags: start writeback; and wait for writeback under way,
// write what is dirty, wait for that.
constexpr long kStartWrite = 2;      // SYNC_FILE_RANGE_WRITE
constexpr long kWriteAndWait = 7;    // WAIT_BEFORE | WRITE | WAIT_AFTER
constexpr long kWaitWriteback = 4;   // WAIT_AFTER: the writeback under way
// Files written between one's writeback start and its drop (drop-behind),
// at most this many fds held.
constexpr size_t kDropLag = 64;

enum Flag {
  kReplace = 1,       // an existing non-directory is unlinked first
  kNoTimes = 2,       // leave times alone (directories: set after children)
  kNoOwner = 4,       // no chown
  kNoMode = 8,        // no chmod
  kXattrLenient = 16,  // skip xattrs the filesystem does not support
  kReplaceTree = 32,   // with kReplace: a directory in the way goes with its contents
  kIfDir = 64,         // kMeta: only if the path is a directory (else skipped)
  kIfParent = 128      // skipped when the parent is missing or not a directory
};
enum Step { kCreate = 1, kWrite = 2, kChown = 3, kChmod = 4, kXattr = 5, kTimes = 6, kUnlink = 7, kStepRename = 9 };

struct Item {
  int op = 0;
  int flags = 0;
  std::string path;
  std::string target;
  long mode = 0;
  long uid = -1;
  long gid = -1;
  struct __lkl__kernel_timespec ts[2];
  long major = 0;
  long minor = 0;
  const char* data = nullptr;
  size_t len = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  std::vector<std::string> keep;  // kClear: the children that stay
};

long Num(Napi::Object o, const char* key, long dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? static_cast<long>(v.As<Napi::Number>().Int64Value()) : dflt;
}

class ApplyJob : public Job {
 public:
  std::string base_;
  std::vector<Item> items_;
  long index_ = -1;
  long step_ = 0;

  void Execute() override {
    long base = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(base_.c_str()),
                    LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
    if (base < 0) {
      Stop(0, kStepResolve, base);
      return;
    }
    ParentCache parents(base);
    for (size_t i = 0; i < items_.size(); i++) {
      long r = Place(base, &parents, &items_[i], i);
      if (r < 0) {
        // The entries before this one stay applied, deferred renames too.
        size_t at = deferred_failed_ ? rename_failed_ : i;
        long step = step_;
        long f = FinishRenames(base);
        if (f < 0 && !deferred_failed_) r = f, at = rename_failed_, step = kStepRename;
        Stop(at, step, r);
        break;
      }
    }
    if (result_ == 0) {
      long f = FinishRenames(base);
      if (f < 0) Stop(rename_failed_, kStepRename, f);
    }
    while (!written_.empty()) DropOldest();
    parents.Drop();
    Sys(__lkl__NR_close, base);
  }

  Napi::Value Result(Napi::Env env) override {
    if (result_ == 0) return Napi::Number::New(env, 0);
    Napi::Array a = Napi::Array::New(env, 3);
    a[0u] = Napi::Number::New(env, static_cast<double>(index_));
    a[1u] = Napi::Number::New(env, static_cast<double>(result_));
    a[2u] = Napi::Number::New(env, static_cast<double>(step_));
    return a;
  }

 private:
  long Fail(long step, long r) {
    step_ = step;
    return r;
  }

  void Stop(size_t index, long step, long r) {
    result_ = r;
    index_ = static_cast<long>(index);
    step_ = step;
  }

  // The hardlink target's directory while its entry is applied (else -1).
  long link_dir_ = -1;

  // Drop-behind (see the top): fds (dups) of the files whose writeback was
  // started, oldest first. Failures only leave pages cached: ignored.
  std::deque<long> written_;

  void StartWriteback(long fd) {
    if (Sys(__lkl__NR_sync_file_range, fd, 0, 0, kStartWrite) < 0) return;
    long d = Sys(__lkl__NR_dup, fd);
    if (d < 0) return;
    written_.push_back(d);
    if (written_.size() > kDropLag) DropOldest();
  }

  void DropOldest() {
    long fd = written_.front();
    written_.pop_front();
    Sys(__lkl__NR_sync_file_range, fd, 0, 0, kWaitWriteback);
    Sys(__lkl__NR_fadvise64, fd, 0, 0, LKL_POSIX_FADV_DONTNEED);
    Sys(__lkl__NR_close, fd);
  }

  // Replacements made under a temporary name, renamed over their entry's
  // name by FinishRenames (dir: an O_PATH fd of their directory).
  struct Deferred {
    long dir;
    std::string tmp;
    std::string leaf;
    size_t index;
  };
  std::vector<Deferred> deferred_;
  size_t rename_failed_ = 0;   // the entry whose deferred rename failed
  bool deferred_failed_ = false;
  unsigned temp_seq_ = 0;

  // The new contents on the disk (writeback of every deferred file started,
  // then waited for), then every deferred rename in order.
  long FinishRenames(long) {
    if (deferred_.empty()) return 0;
    std::vector<long> fds;
    long r = 0;
    for (auto& d : deferred_) {
      // Symlinks (ELOOP) have no data pages of their own to write.
      long fd = Sys(__lkl__NR_openat, d.dir, P(d.tmp.c_str()), LKL_O_RDONLY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
      if (fd == -LKL_ELOOP) continue;
      if (fd < 0 || (r = Sys(__lkl__NR_sync_file_range, fd, 0, 0, kStartWrite)) < 0) {
        if (fd >= 0) Sys(__lkl__NR_close, fd);
        r = fd < 0 ? fd : r;
        rename_failed_ = d.index;
        break;
      }
      fds.push_back(fd);
    }
    for (long fd : fds) {
      long w = Sys(__lkl__NR_sync_file_range, fd, 0, 0, kWriteAndWait);
      if (w < 0 && r >= 0) r = w, rename_failed_ = deferred_.front().index;
      Sys(__lkl__NR_close, fd);
    }
    for (auto& d : deferred_) {
      if (r >= 0) {
        r = Sys(__lkl__NR_renameat2, d.dir, P(d.tmp.c_str()), d.dir, P(d.leaf.c_str()), 0);
        if (r < 0) rename_failed_ = d.index;
      }
      if (r < 0) Sys(__lkl__NR_unlinkat, d.dir, P(d.tmp.c_str()), 0);
      Sys(__lkl__NR_close, d.dir);
    }
    deferred_.clear();
    return r < 0 ? r : 0;
  }

  // Whether `it` replaces an existing file or symlink (not a directory) of
  // the cwd: then it is made under a temporary name and renamed later.
  bool Replaces(const Item& it) {
    if (!(it.flags & kReplace) || (it.op != kFile && it.op != kSymlink)) return false;
    struct lkl_statx st;
    long s = Sys(__lkl__NR_statx, LKL_AT_FDCWD, P(it.path.c_str()), LKL_AT_SYMLINK_NOFOLLOW,
                 LKL_STATX_TYPE, P(&st));
    return s == 0 && (st.stx_mode & LKL_S_IFMT) != LKL_S_IFDIR;
  }

  // Apply `it` under a fresh temporary name in the cwd and defer its rename
  // over `leaf`; a name left by an earlier, killed run is skipped.
  long ApplyDeferred(Item* it, size_t index) {
    std::string leaf = it->path;
    it->flags &= ~kReplace;
    for (int tries = 0;; tries++) {
      it->path = ".lkl-new-" + std::to_string(++temp_seq_);
      long r = Apply(*it);
      if (r == -LKL_EEXIST && step_ == kCreate && tries < 1000) continue;
      if (r < 0) {
        if (step_ != kCreate) Sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, P(it->path.c_str()), 0);
        return r;
      }
      break;
    }
    long dir = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P("."), LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
    if (dir < 0) {
      Sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, P(it->path.c_str()), 0);
      return Fail(kCreate, dir);
    }
    deferred_.push_back({dir, it->path, leaf, index});
    return 0;
  }
  // Set when an entry unlinked something: cached parents may be stale.
  bool replaced_ = false;

  // Resolve the entry's parent beneath `base`, make it the cwd, and apply
  // the entry by its last component (and a hardlink target by its own).
  long Place(long base, ParentCache* parents, Item* it, size_t index) {
    // Entries after a run of replacements see them done (a hardlink to a
    // replaced file, its metadata, a directory in its place).
    bool replacing = (it->flags & kReplace) && (it->op == kFile || it->op == kSymlink);
    if (!replacing) {
      long f = FinishRenames(base);
      if (f < 0) {
        deferred_failed_ = true;
        return Fail(kStepRename, f);
      }
    }
    std::string parent, leaf;
    SplitEntryPath(it->path, &parent, &leaf);
    long dir = parents->Get(parent);
    // Nothing to remove, or no directory to set times on, under a missing parent.
    bool missing_ok = it->op == kRemove || it->op == kClear || (it->op == kMeta && (it->flags & kIfDir)) || (it->flags & kIfParent);
    if (missing_ok && (dir == -LKL_ENOENT || dir == -LKL_ENOTDIR)) return 0;
    if (dir < 0) return Fail(kStepResolve, dir);
    long r = Sys(__lkl__NR_fchdir, dir);
    if (r < 0) return Fail(kStepResolve, r);
    it->path = leaf;
    if (it->op == kHardlink) {
      std::string tparent, tleaf;
      SplitEntryPath(it->target, &tparent, &tleaf);
      link_dir_ = OpenBeneath(base, tparent.c_str(), LKL_O_PATH | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
      // A missing target is the link's failure; one outside is refused.
      if (link_dir_ < 0) return Fail(link_dir_ == -LKL_ENOENT ? kCreate : kStepResolve, link_dir_);
      it->target = tleaf;
    }
    replaced_ = false;
    if (it->op == kRemove) {
      r = Remove(*it);
    } else if (it->op == kClear) {
      r = Clear(*it);
    } else if (it->op == kRename) {
      r = Rename(*it);
    } else if (Replaces(*it)) {
      r = ApplyDeferred(it, index);
    } else {
      r = Apply(*it);
    }
    if (link_dir_ >= 0) Sys(__lkl__NR_close, link_dir_);
    link_dir_ = -1;
    if (replaced_) parents->Drop();
    return r;
  }

  // Create `it`, retrying once after unlinking an existing non-directory
  // when kReplace is set. Returns an fd for files, 0 otherwise.
  long Create(const Item& it) {
    const char* p = it.path.c_str();
    for (int attempt = 0;; attempt++) {
      long r;
      switch (it.op) {
        case kFile:
          r = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(p),
                  LKL_O_WRONLY | LKL_O_CREAT | LKL_O_EXCL | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0600);
          break;
        case kDir:
          r = Sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, P(p), 0700);
          if (r == -LKL_EEXIST) {
            struct lkl_statx st;
            long s = Sys(__lkl__NR_statx, LKL_AT_FDCWD, P(p), LKL_AT_SYMLINK_NOFOLLOW,
                         LKL_STATX_TYPE, P(&st));
            if (s == 0 && (st.stx_mode & LKL_S_IFMT) == LKL_S_IFDIR) return 0;
          }
          break;
        case kSymlink:
          r = Sys(__lkl__NR_symlinkat, P(it.target.c_str()), LKL_AT_FDCWD, P(p));
          break;
        case kHardlink:
          r = Sys(__lkl__NR_linkat, link_dir_, P(it.target.c_str()), LKL_AT_FDCWD, P(p), 0);
          break;
        case kNode: {
          unsigned long dev =
              (it.minor & 0xff) | ((it.major & 0xfff) << 8) | ((it.minor & ~0xffUL) << 12);
          r = Sys(__lkl__NR_mknodat, LKL_AT_FDCWD, P(p), it.mode, dev);
          break;
        }
        default:
          return 0;
      }
      if (r != -LKL_EEXIST || !(it.flags & kReplace) || attempt > 0) return r;
      replaced_ = true;
      long u = Sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, P(p), 0);
      if (u < 0) {
        // A directory in the way: only an empty one can go (any one with kReplaceTree).
        if (u == -LKL_EISDIR)
          u = (it.flags & kReplaceTree) ? RemoveTree(LKL_AT_FDCWD, p, kDtDir)
                                        : Sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, P(p), LKL_AT_REMOVEDIR);
        if (u < 0) return Fail(kUnlink, u);
      }
    }
  }

  // kRename: the file `target` of the entry's directory (a big file the
  // writer made under a temporary name) over the entry's name; its content
  // is written to the disk first when it replaces something. An empty directory
  // in the way goes, as with kReplace.
  long Rename(const Item& it) {
    const char* p = it.path.c_str();
    const char* tmp = it.target.c_str();
    struct lkl_statx st;
    if (Sys(__lkl__NR_statx, LKL_AT_FDCWD, P(p), LKL_AT_SYMLINK_NOFOLLOW, LKL_STATX_TYPE, P(&st)) == 0) {
      long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(tmp), LKL_O_RDONLY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
      if (fd < 0) return Fail(kStepRename, fd);
      long s = Sys(__lkl__NR_sync_file_range, fd, 0, 0, kWriteAndWait);
      Sys(__lkl__NR_close, fd);
      if (s < 0) return Fail(kStepRename, s);
      if ((st.stx_mode & LKL_S_IFMT) == LKL_S_IFDIR) {
        long u = (it.flags & kReplaceTree) ? RemoveTree(LKL_AT_FDCWD, p, kDtDir)
                                           : Sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, P(p), LKL_AT_REMOVEDIR);
        if (u < 0) return Fail(kUnlink, u);
      }
    }
    long r = Sys(__lkl__NR_renameat2, LKL_AT_FDCWD, P(tmp), LKL_AT_FDCWD, P(p), 0);
    return r < 0 ? Fail(kStepRename, r) : 0;
  }

  // kRemove: the entry's name in the cwd and everything below it.
  long Remove(const Item& it) {
    if (it.path == ".") return Fail(kUnlink, -LKL_EINVAL);  // never the root itself
    replaced_ = true;
    long r = RemoveTree(LKL_AT_FDCWD, it.path.c_str(), kDtUnknown);
    return r == -LKL_ENOENT ? 0 : r < 0 ? Fail(kUnlink, r) : 0;
  }

  // kClear: every child of the directory `it.path` but those in it.keep
  // (a name that is not a directory has no children to clear).
  long Clear(const Item& it) {
    long fd = Sys(__lkl__NR_openat, LKL_AT_FDCWD, P(it.path.c_str()),
                  LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
    if (fd == -LKL_ENOENT || fd == -LKL_ENOTDIR || fd == -LKL_ELOOP) return 0;
    if (fd < 0) return Fail(kUnlink, fd);
    replaced_ = true;
    long r = 0;
    // Listed again after each pass: some filesystems skip entries when the
    // directory changes under getdents (as RemoveTree does).
    for (bool removed = true; removed && r == 0;) {
      removed = false;
      Listing l;
      r = ReadDirents(fd, &l, true);
      for (size_t k = 0; r == 0 && k < l.ents.size(); k++) {
        const Dirent& e = l.ents[k];
        bool kept = false;
        for (const auto& name : it.keep) kept = kept || name == e.name;
        if (kept) continue;
        r = RemoveTree(fd, e.name.c_str(), e.type);
        removed = true;
      }
      Sys(__lkl__NR_lseek, fd, 0, 0);
    }
    Sys(__lkl__NR_close, fd);
    return r < 0 ? Fail(kUnlink, r) : 0;
  }

  long Apply(const Item& it) {
    step_ = kCreate;
    if (it.op == kMeta && (it.flags & kIfDir)) {
      struct lkl_statx st;
      long s = Sys(__lkl__NR_statx, LKL_AT_FDCWD, P(it.path.c_str()), LKL_AT_SYMLINK_NOFOLLOW,
                   LKL_STATX_TYPE, P(&st));
      if (s < 0 || (st.stx_mode & LKL_S_IFMT) != LKL_S_IFDIR) return 0;
    }
    long fd = Create(it);
    if (fd < 0) return step_ == kUnlink ? fd : Fail(kCreate, fd);
    if (it.op == kHardlink) return 0;
    bool file = it.op == kFile;
    long r = 0;
    if (file) {
      for (size_t off = 0; off < it.len;) {
        long n = Sys(__lkl__NR_write, fd, P(it.data + off), static_cast<long>(it.len - off));
        if (n <= 0) {
          Sys(__lkl__NR_close, fd);
          return Fail(kWrite, n < 0 ? n : -LKL_EIO);
        }
        off += n;
      }
      if (it.len > 0) StartWriteback(fd);
    }
    r = Meta(it, file ? fd : -1);
    if (file) {
      long c = Sys(__lkl__NR_close, fd);
      if (r == 0 && c < 0) r = Fail(kWrite, c);
    }
    return r;
  }

  // Owner, mode, xattrs, times: on the fd when there is one, else on the
  // path without following a final symlink.
  long Meta(const Item& it, long fd) {
    const char* p = it.path.c_str();
    bool link = it.op == kSymlink || (it.op == kMeta && (it.mode & LKL_S_IFMT) == LKL_S_IFLNK);
    long r;
    if (!(it.flags & kNoOwner) && (it.uid >= 0 || it.gid >= 0)) {
      r = fd >= 0 ? Sys(__lkl__NR_fchown, fd, it.uid, it.gid)
                  : Sys(__lkl__NR_fchownat, LKL_AT_FDCWD, P(p), it.uid, it.gid,
                        LKL_AT_SYMLINK_NOFOLLOW);
      if (r < 0) return Fail(kChown, r);
    }
    if (!(it.flags & kNoMode) && !link) {
      r = fd >= 0 ? Sys(__lkl__NR_fchmod, fd, it.mode & 07777)
                  : Sys(__lkl__NR_fchmodat, LKL_AT_FDCWD, P(p), it.mode & 07777);
      if (r < 0) return Fail(kChmod, r);
    }
    for (const auto& x : it.xattrs) {
      r = fd >= 0 ? Sys(__lkl__NR_fsetxattr, fd, P(x.first.c_str()), P(x.second.data()),
                        static_cast<long>(x.second.size()), 0)
                  : Sys(__lkl__NR_lsetxattr, P(p), P(x.first.c_str()), P(x.second.data()),
                        static_cast<long>(x.second.size()), 0);
      if (r == -LKL_EOPNOTSUPP && (it.flags & kXattrLenient)) continue;
      if (r < 0) return Fail(kXattr, r);
    }
    if (!(it.flags & kNoTimes)) {
      r = fd >= 0 ? Sys(__lkl__NR_utimensat, fd, 0, P(it.ts), 0)
                  : Sys(__lkl__NR_utimensat, LKL_AT_FDCWD, P(p), P(it.ts), LKL_AT_SYMLINK_NOFOLLOW);
      if (r < 0) return Fail(kTimes, r);
    }
    return 0;
  }
};

// applyEntries(root, base, [{ op, path (relative to base), flags, mode, uid, gid, atime, atimeNsec,
//   mtime, mtimeNsec, target, major, minor, data, xattrs: [name, buf, ...] }])
Napi::Value ApplyEntries(Info info) {
  auto job = std::make_unique<ApplyJob>();
  job->root_ = ArgLong(info, 0);
  job->base_ = ArgString(info, 1);
  Napi::Array arr = info[2].As<Napi::Array>();
  job->items_.resize(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    Item& it = job->items_[i];
    it.op = static_cast<int>(Num(o, "op", 0));
    it.flags = static_cast<int>(Num(o, "flags", 0));
    it.path = NameBytes(o.Get("path"));
    it.target = NameBytes(o.Get("target"));
    it.mode = Num(o, "mode", 0);
    it.uid = Num(o, "uid", -1);
    it.gid = Num(o, "gid", -1);
    it.ts[0].tv_sec = Num(o, "atime", 0);
    it.ts[0].tv_nsec = Num(o, "atimeNsec", 0);
    it.ts[1].tv_sec = Num(o, "mtime", 0);
    it.ts[1].tv_nsec = Num(o, "mtimeNsec", 0);
    it.major = Num(o, "major", 0);
    it.minor = Num(o, "minor", 0);
    Napi::Value d = o.Get("data");
    if (d.IsTypedArray()) {
      auto u = d.As<Napi::Uint8Array>();
      job->Keep(u);
      it.data = reinterpret_cast<const char*>(u.Data());
      it.len = u.ByteLength();
    }
    Napi::Value xv = o.Get("xattrs");
    if (xv.IsArray()) {
      Napi::Array xs = xv.As<Napi::Array>();
      for (uint32_t k = 0; k + 1 < xs.Length(); k += 2)
        it.xattrs.emplace_back(NameBytes(xs.Get(k)), NameBytes(xs.Get(k + 1)));
    }
    Napi::Value kv = o.Get("keep");
    if (kv.IsArray()) {
      Napi::Array ks = kv.As<Napi::Array>();
      for (uint32_t k = 0; k < ks.Length(); k++) it.keep.push_back(NameBytes(ks.Get(k)));
    }
  }
  return Submit(info, std::move(job));
}

// { op: { file, ... }, flag: { replace, ... }, step: { create, ... } }
Napi::Object Codes(Napi::Env env) {
  Napi::Object op = Napi::Object::New(env);
  op.Set("file", static_cast<int>(kFile));
  op.Set("dir", static_cast<int>(kDir));
  op.Set("symlink", static_cast<int>(kSymlink));
  op.Set("hardlink", static_cast<int>(kHardlink));
  op.Set("node", static_cast<int>(kNode));
  op.Set("meta", static_cast<int>(kMeta));
  op.Set("rename", static_cast<int>(kRename));
  op.Set("remove", static_cast<int>(kRemove));
  op.Set("clear", static_cast<int>(kClear));
  Napi::Object flag = Napi::Object::New(env);
  flag.Set("replace", static_cast<int>(kReplace));
  flag.Set("noTimes", static_cast<int>(kNoTimes));
  flag.Set("noOwner", static_cast<int>(kNoOwner));
  flag.Set("noMode", static_cast<int>(kNoMode));
  flag.Set("xattrLenient", static_cast<int>(kXattrLenient));
  flag.Set("replaceTree", static_cast<int>(kReplaceTree));
  flag.Set("ifDir", static_cast<int>(kIfDir));
  flag.Set("ifParent", static_cast<int>(kIfParent));
  Napi::Object step = Napi::Object::New(env);
  step.Set("create", static_cast<int>(kCreate));
  step.Set("write", static_cast<int>(kWrite));
  step.Set("chown", static_cast<int>(kChown));
  step.Set("chmod", static_cast<int>(kChmod));
  step.Set("xattr", static_cast<int>(kXattr));
  step.Set("times", static_cast<int>(kTimes));
  step.Set("unlink", static_cast<int>(kUnlink));
  step.Set("rename", static_cast<int>(kStepRename));
  step.Set("resolve", static_cast<int>(kStepResolve));
  Napi::Object codes = Napi::Object::New(env);
  codes.Set("op", op);
  codes.Set("flag", flag);
  codes.Set("step", step);
  return codes;
}

}  // namespace

void InitBatchApply(Napi::Env env, Napi::Object exports) {
  exports["applyEntries"] = Napi::Function::New(env, ApplyEntries, "applyEntries");
  exports["applyCodes"] = Codes(env);
}

}  // namespace lkl
