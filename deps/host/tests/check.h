/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C tests share: TAP-style ok/not ok lines counted in `failures`
 * (defined by each test), syscalls with any number of arguments, and a
 * monotonic clock in seconds.
 */
#ifndef LKL_TESTS_CHECK_H
#define LKL_TESTS_CHECK_H

#include <stdio.h>
#include <time.h>
#include <lkl_host.h>

extern int failures;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		printf("ok - " __VA_ARGS__);				\
	} else {							\
		printf("not ok - " __VA_ARGS__);			\
		failures++;						\
	}								\
	printf("\n");							\
} while (0)

#define sys(no, ...) sys6(no, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys6(no, a, b, c, d, e, f, ...)					\
	lkl_host_syscall(no, (long)(a), (long)(b), (long)(c), (long)(d),	\
			 (long)(e), (long)(f))

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
