/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host library's API: what native/ (the Node addon) uses to run the
 * kernel. Knows nothing of Node. All functions are thread-safe and may be
 * called from any host thread except where noted; none of them may be
 * called from the JS thread by the addon (they block).
 *
 * Results: >= 0 on success, -errno (Linux numbering) on failure.
 */
#ifndef LKL_HOST_H
#define LKL_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lkl_boot_options {
	uint64_t memory;	/* bytes of kernel memory; 0 = default (256 MiB) */
	const char *cmdline;	/* extra kernel command line, may be NULL */
	int log_to_stderr;	/* echo the kernel log to stderr */
};

/* Boot the kernel once per process; -EALREADY if running. */
int lkl_host_boot(const struct lkl_boot_options *opts);
int lkl_host_is_running(void);

/*
 * Reboot the kernel and release its memory and threads. Call only after
 * every mount is unmounted and no syscall is in flight. -ENODEV if the
 * kernel is not running.
 */
int lkl_host_halt(void);

/* Run a syscall (numbers: __lkl__NR_* from <lkl/asm/unistd.h>). */
long lkl_host_syscall(long no, long a1, long a2, long a3, long a4, long a5,
		      long a6);

/*
 * Attach a disk backed by a host fd (the library dup()s it; the caller may
 * close its own). size 0 = the file's size (or the block device's).
 * Returns a disk id >= 0; -ENODEV if the kernel is not running. An fd
 * opened O_RDONLY always gives a read-only disk. I/O is done by host I/O
 * threads with preadv/pwritev/fdatasync.
 */
int lkl_host_disk_add_fd(int fd, int readonly, uint64_t size);

/*
 * Detach: the disk must not be mounted (-EBUSY while it is mounted or
 * open). After lkl_host_halt this only releases the host side.
 */
int lkl_host_disk_remove(int disk_id);

/*
 * Mount partition `part` (0 = whole disk) of a disk. Creates the device
 * node and a mount point, mounts, and writes the mount point path (e.g.
 * "/mnt/lkl0p2") into mnt. flags: Linux MS_* flags; data: fs options
 * string or NULL. -ENXIO if there is no such partition, -EBUSY if it is
 * already mounted.
 */
int lkl_host_mount(int disk_id, int part, const char *fstype,
		   unsigned long flags, const char *data, char *mnt,
		   size_t mnt_len);

/* Sync and unmount a mount point made by lkl_host_mount, remove it. */
int lkl_host_umount(const char *mnt);

/*
 * Kernel log: the last `len` bytes (at most the ring size, 64 KiB) are
 * copied to buf; returns the number copied.
 */
size_t lkl_host_log_tail(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
