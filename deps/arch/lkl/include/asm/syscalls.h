/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_SYSCALLS_H
#define _ASM_LKL_SYSCALLS_H

#include <asm-generic/syscalls.h>

long sys_lkl_disk_add(void *handle, unsigned long long size, int flags);
long sys_lkl_disk_remove(int id);
long sys_lkl_disk_devt(int id, int part);

#endif
