// SPDX-License-Identifier: GPL-2.0-only
// Removing a name and everything below it without ever following a
// symlink (rm { recursive } and the tree writer's whiteouts and
// replacements). Pool threads only: it makes syscalls.
#ifndef LKL_NATIVE_REMOVE_TREE_H
#define LKL_NATIVE_REMOVE_TREE_H

#include <cstdint>

namespace lkl {

// Remove `name` in `dirfd` and everything below it (`type`: its DT_* type
// if known, else kDtUnknown). 0 or -errno (the first failure; removal stops
// there). Defined in ops_tree.cc.
long RemoveTree(long dirfd, const char* name, uint8_t type);

}  // namespace lkl

#endif
