/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The contract between the lkl kernel and the program that embeds it.
 *
 * The kernel never calls libc: every service from the host (threads,
 * semaphores, memory, time, block I/O, console) goes through the table
 * below, which the host library (deps/host) fills in and hands to
 * lkl_start_kernel(). The header is exported to the host with every name
 * prefixed (lkl_ / LKL_), see deps/scripts/prefix-headers.py.
 */
#ifndef _ASM_UAPI_LKL_HOST_OPS_H
#define _ASM_UAPI_LKL_HOST_OPS_H

/* Opaque host objects. */
struct lkl_mutex;
struct lkl_sem;
struct lkl_tls_key;
typedef unsigned long lkl_thread_t;

/*
 * Big enough for the host's jmp_buf (glibc: 200 bytes on x86_64, 312 on
 * aarch64; deps/host/posix-host.c asserts it fits).
 */
struct lkl_jmp_buf {
	unsigned long buf[128];
};

/*
 * Block requests.
 *
 * The kernel's block driver (arch/lkl/drivers/blk.c) turns each blk-mq
 * request into one lkl_blk_req and hands it to ops->blk_submit() while it
 * holds the kernel's CPU. The host must not do the I/O in that call: it
 * queues the request to its own I/O threads and returns. When the I/O is
 * done, any host thread (without the CPU) calls lkl_blk_complete(req, err);
 * the kernel finishes the request from an interrupt. Segments point into
 * the kernel's memory arena, which is ordinary host memory.
 */
#define LKL_BLK_OP_READ		0
#define LKL_BLK_OP_WRITE	1
#define LKL_BLK_OP_FLUSH	2	/* make all completed writes durable */
#define LKL_BLK_OP_DISCARD	3	/* offset/length; data may be dropped */
#define LKL_BLK_OP_WRITE_ZEROES	4	/* offset/length read back as zeroes */

#define LKL_BLK_FLAG_FUA	1	/* write: durable before completion */

struct lkl_blk_seg {
	void *base;
	unsigned long len;
};

struct lkl_blk_req {
	int op;
	int flags;
	unsigned long long offset;	/* bytes from the start of the disk */
	unsigned long long length;	/* total bytes (sum of segs for rw) */
	int nr_segs;
	struct lkl_blk_seg *segs;
	/* kernel-private from here on */
	struct lkl_blk_req *next_done;
	int error;
	void *priv;
};

/* Limits the kernel driver advertises. */
#define LKL_BLK_MAX_SEGS	128

struct lkl_host_operations {
	/* Console: every kernel log line (may be partial). NULL = silent. */
	void (*print)(const char *str, int len);
	/* Called after the kernel printed a panic message. Must not return. */
	void (*panic)(void);

	struct lkl_sem *(*sem_alloc)(int count);
	void (*sem_free)(struct lkl_sem *sem);
	void (*sem_up)(struct lkl_sem *sem);
	void (*sem_down)(struct lkl_sem *sem);

	struct lkl_mutex *(*mutex_alloc)(int recursive);
	void (*mutex_free)(struct lkl_mutex *mutex);
	void (*mutex_lock)(struct lkl_mutex *mutex);
	void (*mutex_unlock)(struct lkl_mutex *mutex);

	/* Returns 0 on failure. */
	lkl_thread_t (*thread_create)(void (*f)(void *), void *arg);
	void (*thread_detach)(void);
	void (*thread_exit)(void);
	int (*thread_join)(lkl_thread_t tid);
	lkl_thread_t (*thread_self)(void);
	int (*thread_equal)(lkl_thread_t a, lkl_thread_t b);

	struct lkl_tls_key *(*tls_alloc)(void (*destructor)(void *));
	void (*tls_free)(struct lkl_tls_key *key);
	int (*tls_set)(struct lkl_tls_key *key, void *data);
	void *(*tls_get)(struct lkl_tls_key *key);

	void *(*mem_alloc)(unsigned long size);
	void (*mem_free)(void *mem);
	/* Page-aligned, zeroed; used for the kernel's memory arena. */
	void *(*page_alloc)(unsigned long size);
	void (*page_free)(void *addr, unsigned long size);

	/* Monotonic clock in nanoseconds. */
	unsigned long long (*time)(void);
	/* Wall clock: nanoseconds since the epoch (the kernel's boot time). */
	unsigned long long (*realtime)(void);

	/*
	 * One-shot timers. fn(arg) runs on a host thread the host owns (one
	 * timer thread for all timers, not a thread per expiry). Setting an
	 * armed timer re-arms it.
	 */
	void *(*timer_alloc)(void (*fn)(void *), void *arg);
	int (*timer_set_oneshot)(void *timer, unsigned long long delta_ns);
	void (*timer_free)(void *timer);

	/*
	 * jmp_buf_set(jb, f) saves the context in jb and calls f();
	 * jmp_buf_longjmp(jb, val) (val != 0) from inside f's call tree, on
	 * the same host thread, makes jmp_buf_set return val. If f returns
	 * normally, jmp_buf_set returns 0. (setjmp/longjmp on POSIX.)
	 */
	int (*jmp_buf_set)(struct lkl_jmp_buf *jmpb, void (*f)(void));
	void (*jmp_buf_longjmp)(struct lkl_jmp_buf *jmpb, int val);

	/* The host's own memcpy/memset/memmove (the kernel's are these). */
	void *(*memcpy)(void *dest, const void *src, unsigned long count);
	void *(*memset)(void *s, int c, unsigned long count);
	void *(*memmove)(void *dest, const void *src, unsigned long count);

	/* Queue a block request; see struct lkl_blk_req. 0 or -errno. */
	int (*blk_submit)(void *disk, struct lkl_blk_req *req);
};

/*
 * Kernel entry points (the only global symbols of the kernel object).
 *
 * lkl_start_kernel: boot on a new host thread, return when the kernel is
 * ready for syscalls (0) or failed (-errno). cmdline e.g. "mem=64M".
 * lkl_syscall: run syscall `no` with 6 arguments as the calling host
 * thread's own kernel task; returns the result or -errno. Any host thread.
 * lkl_trigger_irq: raise an interrupt from any host thread.
 * lkl_blk_complete: finish a request handed to blk_submit (any thread).
 * lkl_halt: sync nothing, reboot the kernel, free its threads and memory.
 */
int lkl_start_kernel(const struct lkl_host_operations *ops,
		     const char *cmdline);
long lkl_syscall(long no, long *params);
int lkl_trigger_irq(int irq);
void lkl_blk_complete(struct lkl_blk_req *req, int error);
int lkl_is_running(void);
long lkl_halt(void);

/*
 * Arch-specific syscalls (slots after __NR_arch_specific_syscall):
 * disk_add(disk handle, capacity in bytes, flags) -> disk id
 * disk_remove(id) -> 0
 * disk_devt(id, partition) -> dev_t (new encoding, for mknodat) of the
 *   whole disk (partition 0) or partition N; -ENXIO if there is none.
 */
#define __NR_lkl_disk_add	244
#define __NR_lkl_disk_remove	245
#define __NR_lkl_disk_devt	246

#define LKL_DISK_READONLY	1

#endif
