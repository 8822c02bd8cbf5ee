/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lkl uses the generic syscall table (only the *at forms of path
 * syscalls exist). Slots 244-259 (__NR_arch_specific_syscall) hold the
 * disk syscalls declared in asm/host_ops.h.
 */
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT

#include <asm-generic/unistd.h>
