// SPDX-License-Identifier: GPL-2.0-only
/*
 * lkl.frozen_clock=SECONDS: file times and the wall clock read SECONDS,
 * while sleeps (monotonic time) still work. Prints "ok"/"not ok" lines.
 */
#include <stdio.h>
#include <lkl_host.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/time.h>
#include <lkl/asm/stat.h>

#define T 1700000000L

int main(void)
{
	struct lkl_boot_options opts = { .cmdline = "lkl.frozen_clock=1700000000" };
	struct lkl_timespec nap = { 0, 100000000 }, now;
	struct lkl_stat st;
	long fd, r;

	if (lkl_host_boot(&opts) < 0)
		return 1;
	fd = lkl_host_syscall(__lkl__NR_openat, LKL_AT_FDCWD, (long)"/f",
			      LKL_O_CREAT | LKL_O_WRONLY, 0644, 0, 0);
	lkl_host_syscall(__lkl__NR_fstat, fd, (long)&st, 0, 0, 0, 0);
	printf("%s - new file times are the frozen time\n",
	       st.lkl_st_mtime == T && st.lkl_st_ctime == T &&
	       st.st_mtime_nsec == 0 ? "ok" : "not ok");
	r = lkl_host_syscall(__lkl__NR_nanosleep, (long)&nap, 0, 0, 0, 0, 0);
	printf("%s - nanosleep still works (%ld)\n", r == 0 ? "ok" : "not ok", r);
	lkl_host_syscall(__lkl__NR_clock_gettime, LKL_CLOCK_REALTIME,
			 (long)&now, 0, 0, 0, 0);
	printf("%s - the wall clock has not moved\n",
	       now.tv_sec == T && now.tv_nsec == 0 ? "ok" : "not ok");
	return lkl_host_halt() < 0;
}
