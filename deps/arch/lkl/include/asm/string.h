/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_STRING_H
#define _ASM_LKL_STRING_H

/*
 * Bulk copies (page cache <-> syscall buffers) are the hot path of a
 * filesystem library; the host's optimised routines do them.
 */
#define __HAVE_ARCH_MEMCPY
#define __HAVE_ARCH_MEMSET
#define __HAVE_ARCH_MEMMOVE

#include <linux/types.h>

extern void *memcpy(void *dest, const void *src, size_t count);
extern void *memset(void *s, int c, size_t count);
extern void *memmove(void *dest, const void *src, size_t count);

#endif
