/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host library's files share. Nothing here is part of the API
 * (that is include/lkl_host.h); everything is hidden from other modules.
 */
#ifndef LKL_HOST_INTERNAL_H
#define LKL_HOST_INTERNAL_H

#include <pthread.h>
#include <lkl/asm/host_ops.h>
#include "lkl_host.h"

/* The library builds with -fvisibility=hidden; the API is exported. */
#define LKL_HOST_API __attribute__((visibility("default")))

/*
 * Stack size of every host thread that may run kernel code: kernel
 * threads, the timer thread and the disk I/O threads (both may run irq
 * handlers and softirqs when they raise an interrupt while the CPU is
 * free). The kernel is written for 16 KiB stacks, but here interrupts and
 * softirqs run on the current thread's stack on top of whatever it was
 * doing, the code is built by the host compiler without the kernel's stack
 * discipline, and deep paths (btrfs/xfs writeback under memory reclaim)
 * exist. 2 MiB is 128 times the kernel's own budget while keeping the
 * address space of ~100 threads at ~200 MiB instead of 800 MiB with the
 * 8 MiB default; only touched pages cost memory.
 */
#define LKL_HOST_STACK_SIZE (2UL << 20)

extern const struct lkl_host_operations lkl_host_ops;

/* posix-host.c: start a detached-or-joinable host thread for our own use. */
int lkl_host_thread_start(pthread_t *tid, void *(*fn)(void *arg), void *arg);

/* timer.c */
void *lkl_host_timer_alloc(void (*fn)(void *), void *arg);
int lkl_host_timer_set_oneshot(void *timer, unsigned long long delta_ns);
void lkl_host_timer_free(void *timer);
void lkl_host_timer_stop(void);

/* console.c */
void lkl_host_console_print(const char *str, int len);
void lkl_host_console_panic(void);
void lkl_host_console_set_echo(int echo);

/* disk.c */
int lkl_host_blk_submit(void *disk, struct lkl_blk_req *req);
/* 1 MiB of read-only zeroes (NULL if it could not be mapped). */
const void *lkl_host_zeroes(size_t *len);
/*
 * Run fn(ctx, arg) under the disk list lock if disk_id is a disk of the
 * given kind (same read op); -ENXIO: no such disk, -EINVAL: another kind.
 */
int lkl_host_disk_query(int disk_id, const struct lkl_host_disk_ops *kind,
			int (*fn)(void *ctx, void *arg), void *arg);

/* disk-fd.c: all of iov at off (reads past EOF give zeroes); iov changes. */
int lkl_host_fd_rw(int fd, int write, struct iovec *iov, int cnt,
		   uint64_t off);
/* The size of a regular file or block device. */
int lkl_host_fd_size(int fd, uint64_t *size);

/* boot.c: lkl_syscall with the arguments spelled out. */
static inline long lkl_host_sys(long no, long a1, long a2, long a3, long a4,
				long a5, long a6)
{
	long params[6] = { a1, a2, a3, a4, a5, a6 };

	return lkl_syscall(no, params);
}

#endif
