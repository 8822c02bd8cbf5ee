// SPDX-License-Identifier: GPL-2.0-only
// Kernel settings made once, right after boot (boot job, pool thread).
#ifndef LKL_NATIVE_SYSCTL_H
#define LKL_NATIVE_SYSCTL_H

namespace lkl {

// Mount procfs inside the kernel and write our sysctls; 0 or -errno.
long SetSysctls();

}  // namespace lkl

#endif
