// SPDX-License-Identifier: GPL-2.0-only
// Resolving paths beneath a directory with the kernel's own guarantee
// (openat2 RESOLVE_BENEATH): tree sinks create every entry through a parent
// directory fd obtained this way, so no symlink, ".." or absolute path in
// the entries can reach outside the sink's root, and nothing can race it.
// Symlinks that stay beneath the root are followed, as a directory symlink
// inside a rootfs (lib -> usr/lib) must be; magic links never are. Pool
// threads only.
#ifndef LKL_NATIVE_BENEATH_H
#define LKL_NATIVE_BENEATH_H

#include <string>

namespace lkl {

// The step a tree sink reports when a path does not resolve beneath its
// root (-EXDEV: it leaves the root; -ELOOP: too many links) or a parent is
// missing (-ENOENT) or not a directory (-ENOTDIR).
constexpr long kStepResolve = 8;

// openat2(dirfd, path, { flags, mode, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS }).
long OpenBeneath(long dirfd, const char* path, long flags, long mode);

// A relative entry path ("a/b/c", "." for the root itself) split into its
// parent ("a/b", "." at the top) and its last component ("c", ".").
void SplitEntryPath(const std::string& rel, std::string* parent, std::string* leaf);

// An O_PATH fd of the parent directories of a sequence of entries, resolved
// beneath `base`; consecutive entries of one directory reuse one fd (tree
// sources emit entries in pre-order, so most share their parent).
class ParentCache {
 public:
  explicit ParentCache(long base) : base_(base) {}
  ~ParentCache();
  ParentCache(const ParentCache&) = delete;
  ParentCache& operator=(const ParentCache&) = delete;

  // The fd of `parent` (">= 0"), or -errno.
  long Get(const std::string& parent);
  // Forget the cached fd (a directory along the path may have been replaced).
  void Drop();

 private:
  long base_;
  long fd_ = -1;
  std::string path_;
};

}  // namespace lkl

#endif
