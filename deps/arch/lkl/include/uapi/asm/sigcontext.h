/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_UAPI_LKL_SIGCONTEXT_H
#define _ASM_UAPI_LKL_SIGCONTEXT_H

/* Signals are never delivered to a user context on lkl. */
struct sigcontext {
	unsigned long unused;
};

#endif
