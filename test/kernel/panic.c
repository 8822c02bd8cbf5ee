// SPDX-License-Identifier: GPL-2.0-only
/*
 * Make the kernel panic on purpose (sysrq 'c'), to check that a panic
 * ends the process with a clear message rather than a bare abort or a hang.
 */
#include <stdio.h>
#include <lkl_host.h>
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>

int main(void)
{
	struct lkl_boot_options opts = { 0 };
	long fd;

	if (lkl_host_boot(&opts) < 0)
		return 2;
	lkl_host_syscall(__lkl__NR_mkdirat, LKL_AT_FDCWD, (long)"/proc", 0555,
			 0, 0, 0);
	if (lkl_host_syscall(__lkl__NR_mount, (long)"proc", (long)"/proc",
			     (long)"proc", 0, 0, 0) < 0)
		return 3;
	fd = lkl_host_syscall(__lkl__NR_openat, LKL_AT_FDCWD,
			      (long)"/proc/sysrq-trigger", LKL_O_WRONLY, 0, 0,
			      0);
	if (fd < 0)
		return 4;
	lkl_host_syscall(__lkl__NR_write, fd, (long)"c", 1, 0, 0, 0);
	/* Not reached: the panic ends the process. */
	printf("still alive after the panic\n");
	return 5;
}
