// SPDX-License-Identifier: GPL-2.0-only
/*
 * Syscall latency of the kernel itself, without Node: boot, then time
 * getpid and fstatat in a tight loop on one host thread, and print the
 * per-call cost. Built and run by bench/kernel-latency.sh.
 */
#include <stdio.h>
#include <time.h>
#include <lkl_host.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/asm/stat.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
	struct lkl_boot_options opts = { 0 };
	struct lkl_stat st;
	const int n = 200000;
	double t0, t1;
	int i, ret;

	t0 = now_ns();
	ret = lkl_host_boot(&opts);
	t1 = now_ns();
	if (ret < 0) {
		fprintf(stderr, "boot failed: %d\n", ret);
		return 1;
	}
	printf("boot (kernel only):        %.1f ms\n", (t1 - t0) / 1e6);

	/* The first call creates this thread's host task. */
	lkl_host_syscall(__lkl__NR_getpid, 0, 0, 0, 0, 0, 0);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		lkl_host_syscall(__lkl__NR_getpid, 0, 0, 0, 0, 0, 0);
	t1 = now_ns();
	printf("getpid:                    %.0f ns/call\n", (t1 - t0) / n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		lkl_host_syscall(__lkl__NR_newfstatat, LKL_AT_FDCWD,
				 (long)"/init", (long)&st, 0, 0, 0);
	t1 = now_ns();
	printf("fstatat(\"/init\"):          %.0f ns/call\n", (t1 - t0) / n);

	return lkl_host_halt() < 0;
}
