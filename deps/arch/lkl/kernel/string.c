// SPDX-License-Identifier: GPL-2.0
/* The kernel's memcpy/memset/memmove are the host's (asm/string.h). */
#include <linux/string.h>
#include <linux/export.h>
#include <asm/lkl.h>

void *memcpy(void *dest, const void *src, size_t count)
{
	return lkl_ops->memcpy(dest, src, count);
}
EXPORT_SYMBOL(memcpy);

void *memset(void *s, int c, size_t count)
{
	return lkl_ops->memset(s, c, count);
}
EXPORT_SYMBOL(memset);

void *memmove(void *dest, const void *src, size_t count)
{
	return lkl_ops->memmove(dest, src, count);
}
EXPORT_SYMBOL(memmove);
