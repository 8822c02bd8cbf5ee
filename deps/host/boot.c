// SPDX-License-Identifier: GPL-2.0
/*
 * Boot, halt and raw syscalls: the kernel's lifecycle for the embedder.
 * One kernel per process: the kernel's static state cannot be reset, so a
 * second boot is refused even after a halt.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_MEMORY (64ULL << 20)
#define CMDLINE_SIZE 4096	/* the kernel's COMMAND_LINE_SIZE */

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
static int booted;

static int env_debug(void)
{
	const char *v = getenv("LKL_DEBUG");

	return v && !strcmp(v, "1");
}

LKL_HOST_API int lkl_host_boot(const struct lkl_boot_options *opts)
{
	unsigned long long mem = DEFAULT_MEMORY;
	const char *extra = "";
	char cmdline[CMDLINE_SIZE];
	int echo = env_debug(), n, err;

	if (opts) {
		if (opts->memory)
			mem = opts->memory;
		if (opts->cmdline)
			extra = opts->cmdline;
		echo |= opts->log_to_stderr;
	}
	/*
	 * Quiet keeps warnings and errors (and panics) in the log ring for
	 * lkl_host_log_tail; logging asks for the informational lines too.
	 */
	n = snprintf(cmdline, sizeof(cmdline), "mem=%llu %s %s", mem,
		     echo ? "loglevel=7" : "quiet", extra);
	if (n < 0 || n >= (int)sizeof(cmdline))
		return -E2BIG;

	pthread_mutex_lock(&boot_lock);
	if (booted) {
		pthread_mutex_unlock(&boot_lock);
		return -EALREADY;
	}
	booted = 1;
	lkl_host_console_set_echo(echo);
	err = lkl_start_kernel(&lkl_host_ops, cmdline);
	pthread_mutex_unlock(&boot_lock);
	return err;
}

LKL_HOST_API int lkl_host_is_running(void)
{
	return lkl_is_running();
}

LKL_HOST_API int lkl_host_halt(void)
{
	long err;

	pthread_mutex_lock(&boot_lock);
	if (!lkl_is_running()) {
		pthread_mutex_unlock(&boot_lock);
		return -ENODEV;
	}
	err = lkl_halt();
	lkl_host_timer_stop();
	pthread_mutex_unlock(&boot_lock);
	return (int)err;
}

LKL_HOST_API long lkl_host_syscall(long no, long a1, long a2, long a3,
				   long a4, long a5, long a6)
{
	return lkl_host_sys(no, a1, a2, a3, a4, a5, a6);
}
