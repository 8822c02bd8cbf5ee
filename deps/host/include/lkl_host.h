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
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lkl_boot_options {
	uint64_t memory;	/* bytes of kernel memory; 0 = default (64 MiB) */
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
 * Disks backed by callbacks (see docs/host-library.md).
 *
 * Every callback returns 0 or -errno and runs on one of the disk's own I/O
 * threads, never while the kernel's CPU is held, so it may block (for
 * example while JavaScript does the work). It must not make syscalls into
 * the kernel and must not wait for anything that itself waits for the
 * kernel (a syscall, a mount, the disk's removal): that deadlocks.
 *
 * read fills all of buf (zeroes past the end of the backing store); write
 * stores all of it. flush makes completed writes durable (NULL: nothing to
 * do). The optional ops may be NULL: discard (default: no-op, the data may
 * be kept), write_zeroes (default: write() of zeroes), readv/writev (a
 * vectored fast path; without them a request of several segments goes
 * through one bounce buffer and a single read/write call). release runs
 * once, after the disk is removed (or the kernel halted and the disk
 * removed) and after every callback has returned; it is never called if
 * lkl_host_disk_add_ops fails (ctx is then still the caller's).
 *
 * threads: the number of I/O threads (concurrent callbacks) for the disk;
 * 0 = 4. Use 1 for a backend that serialises anyway (a JS-backed disk).
 * The struct is copied; it need not outlive the call.
 */
struct lkl_host_disk_ops {
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*write)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*flush)(void *ctx);
	int (*discard)(void *ctx, uint64_t off, uint64_t len);
	void (*release)(void *ctx);
	int (*write_zeroes)(void *ctx, uint64_t off, uint64_t len);
	int (*readv)(void *ctx, const struct iovec *iov, int cnt, uint64_t off);
	int (*writev)(void *ctx, const struct iovec *iov, int cnt,
		      uint64_t off);
	unsigned int threads;
};

/*
 * Attach a callback-backed disk of `size` bytes (> 0; rounded down to 512
 * bytes). The kernel reads the partition table through the callbacks
 * before this returns, so the callbacks must already be able to run (a
 * JS-backed disk must not call this from the JS thread). Returns the disk
 * id or -errno (-EINVAL: no read op, or no write op on a writable disk).
 */
int lkl_host_disk_add_ops(const struct lkl_host_disk_ops *ops, void *ctx,
			  uint64_t size, int readonly);

/*
 * Attach a disk backed by host memory. buf NULL: a new zeroed buffer of
 * `size` bytes the library owns. copy != 0: the library copies buf into a
 * buffer it owns. copy == 0: the disk uses the caller's buffer in place; it
 * must stay valid (and not be written by the caller) until the disk is
 * removed. Discard and write-zeroes zero the bytes.
 */
int lkl_host_disk_add_memory(void *buf, uint64_t size, int readonly,
			     int copy);

/*
 * The bytes of a memory disk (NULL if disk_id is not a memory disk) and its
 * size. Valid until the disk is removed. The kernel caches: the bytes are
 * current only after the filesystem is unmounted or synced (and, for raw
 * writes, the block device fd fsync'ed). Non-blocking.
 */
void *lkl_host_disk_memory_ptr(int disk_id, uint64_t *size);

/*
 * Attach a copy-on-write overlay over a host file or block device. The
 * library opens its own read-only descriptor for base_fd (the caller may
 * close its own) and never writes to it; writes go to memory in 4 KiB
 * chunks, flush does nothing, discard/write-zeroes drop chunks and read
 * back as zeroes. size 0 = the base's size (a larger size reads zeroes past
 * the base). readonly: a read-only disk; pass 0 and mount with MS_RDONLY to
 * let a filesystem replay its journal into the overlay.
 */
int lkl_host_disk_add_overlay(int base_fd, uint64_t size, int readonly);

/* Host memory held by an overlay's written chunks and index; -ENXIO/-EINVAL. */
int64_t lkl_host_disk_overlay_bytes(int disk_id);

/* The size of a disk in bytes (as the kernel sees it), or -ENXIO. */
int64_t lkl_host_disk_size(int disk_id);

/*
 * The partitions the kernel found on a disk. number: the kernel's
 * partition number (MBR: 1-4 primary, 5+ logical; GPT: the entry index + 1),
 * start and size in bytes, name: the GPT partition name (UTF-8; "" for
 * MBR), type: the GPT type GUID (lowercase, "0fc63daf-8483-...") or the MBR
 * type byte ("0x83"), "" if unknown; uuid: the GPT partition GUID or the
 * MBR disk signature form "xxxxxxxx-NN", "" if none. Fills up to max
 * entries sorted by number and returns how many partitions there are.
 */
struct lkl_host_partition {
	int number;
	uint64_t start;
	uint64_t size;
	char name[112];
	char type[40];
	char uuid[40];
};

int lkl_host_disk_partitions(int disk_id, struct lkl_host_partition *out,
			     int max);

/*
 * The partitions the table on a disk declares, as written (MBR incl.
 * logical, GPT; read through the kernel's block device), including those
 * the kernel dropped or cut short because they run past the disk's end:
 * the same fields and numbering as lkl_host_disk_partitions, in table
 * order. A protective MBR means GPT (no MBR fallback, like the kernel); at
 * most 1024 GPT entries and 256 logical partitions are read. Fills up to
 * max entries and returns how many there are (0: no table), -ENXIO for no
 * such disk, -ENOMEM.
 */
int lkl_host_disk_table(int disk_id, struct lkl_host_partition *out, int max);

/*
 * Open the block device of partition `part` (0 = the whole disk) as a
 * kernel fd, for raw reads and writes through the kernel's page cache
 * (consistent with a mounted filesystem). flags: Linux open flags
 * (O_RDONLY or O_RDWR, optionally O_SYNC); O_CLOEXEC and O_LARGEFILE are
 * added. Close it with the close syscall; a disk with an open fd cannot be
 * removed (-EBUSY). -ENXIO: no such disk or partition; -EROFS: write access
 * to a read-only disk; -EINVAL: O_DIRECT (it cannot pin host buffers).
 */
long lkl_host_disk_open(int disk_id, int part, int flags);

/*
 * Copy len bytes from a host fd into a kernel fd (from_host) or back
 * (to_host), in 2 MiB chunks: the kernel side on the calling thread, the
 * host side (for copies over 2 MiB) on a helper thread, overlapped with
 * it. An offset of -1 means
 * the fd's current position (which is then advanced); otherwise the
 * position is left alone. Stops early at the end of the source. Returns the
 * bytes copied or -errno (a negative kernel or host errno; nothing tells
 * which side failed).
 *
 * Sparse-aware: holes
 * in the source (SEEK_DATA/SEEK_HOLE) and all-zero 64 KiB blocks are not
 * written when the destination range lies past the destination's size
 * before the copy (so they read back as zeroes), and the destination is
 * extended with ftruncate to the end of the copy: holes stay holes.
 * Skipping needs a regular-file destination; hole finding a regular-file
 * source. Pipes work on the host side (offset -1; -ESPIPE otherwise).
 */
long long lkl_host_copy_from_host(int host_fd, int64_t host_off,
				  int kernel_fd, int64_t kernel_off,
				  uint64_t len);
long long lkl_host_copy_to_host(int kernel_fd, int64_t kernel_off,
				int host_fd, int64_t host_off, uint64_t len);

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
