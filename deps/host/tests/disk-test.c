// SPDX-License-Identifier: GPL-2.0
/*
 * Disk kinds and helpers of the host library: memory disks, overlays (incl.
 * a dirty journal replayed into the overlay), callback disks, partitions,
 * raw block access and the host <-> kernel copy fast paths. Run by
 * disk-test.sh, which makes the images with the host's tools and checks
 * the results from outside (hashes, cmp, block counts).
 *
 *   disk-test --dirty IMAGE      mount, write /dirty.txt, fsync, exit
 *                                without unmounting (a dirty journal)
 *   disk-test DIR [SPEED_MB]     the tests, on the images in DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lkl_host.h>
#include "check.h"
#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/fs.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/mount.h>
#include <lkl/asm/stat.h>

#define MB (1024 * 1024)
#define DIRTY_TEXT "written before a crash\n"

int failures;
static const char *dir;


static const char *path_of(const char *name)
{
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ % 4];

	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static void fill(unsigned char *buf, uint64_t off, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = ((off + i) / 8 + seed) * 0x9e3779b97f4a7c15ULL;

		memcpy(buf + i, &v, 8);
	}
}

static void *load(const char *path, uint64_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size);
	if (buf && pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

static void log_tail(void)
{
	char log[4096];
	size_t n = lkl_host_log_tail(log, sizeof(log) - 1);

	log[n] = 0;
	fprintf(stderr, "kernel log:\n%s\n", log);
}

/* Write len bytes of text/data to a file in the kernel; 0 or -errno. */
static long kput(const char *path, const void *data, size_t len)
{
	long fd, n;

	fd = sys(__lkl__NR_openat, LKL_AT_FDCWD, path,
		 LKL_O_CREAT | LKL_O_TRUNC | LKL_O_WRONLY, 0644);
	if (fd < 0)
		return fd;
	n = sys(__lkl__NR_write, fd, data, len);
	if (n == (long)len)
		n = sys(__lkl__NR_fsync, fd);
	else if (n >= 0)
		n = -EIO;
	sys(__lkl__NR_close, fd);
	return n;
}

/* Read up to len bytes of a kernel file; bytes read or -errno. */
static long kget(const char *path, void *buf, size_t len)
{
	long fd, n;

	fd = sys(__lkl__NR_openat, LKL_AT_FDCWD, path, LKL_O_RDONLY, 0);
	if (fd < 0)
		return fd;
	n = sys(__lkl__NR_read, fd, buf, len);
	sys(__lkl__NR_close, fd);
	return n;
}

static int kmount(int id, int part, unsigned long flags, char *mnt)
{
	int ret = lkl_host_mount(id, part, "ext4", flags, NULL, mnt, 64);

	if (ret)
		log_tail();
	return ret;
}

static const char *in(const char *mnt, const char *name)
{
	static char bufs[4][128];
	static int i;
	char *p = bufs[i++ % 4];

	snprintf(p, 128, "%s/%s", mnt, name);
	return p;
}

/* ---- memory disks ---- */

static void test_memory(void)
{
	static unsigned char pat[MB], got[MB];
	char mnt[64], text[64] = "";
	uint64_t size, size2;
	unsigned char *img, *ptr;
	long fd, n;
	int id, ret;

	img = load(path_of("ext4.img"), &size);
	if (!img) {
		CHECK(0, "memory: load ext4.img");
		return;
	}
	/* the caller's buffer, in place */
	id = lkl_host_disk_add_memory(img, size, 0, 0);
	CHECK(id >= 0, "memory: attach the caller's buffer (%d)", id);
	ptr = lkl_host_disk_memory_ptr(id, &size2);
	CHECK(ptr == img && size2 == size, "memory: memory_ptr is the buffer");
	CHECK(lkl_host_disk_size(id) == (int64_t)size, "memory: disk_size");
	ret = kmount(id, 0, 0, mnt);
	CHECK(ret == 0, "memory: mount ext4 from memory (%d)", ret);
	n = kget(in(mnt, "hello.txt"), text, sizeof(text) - 1);
	CHECK(n == 6 && !memcmp(text, "hello\n", 6),
	      "memory: read a file mkfs put there (%ld)", n);
	fill(pat, 0, MB, 1);
	n = kput(in(mnt, "new.bin"), pat, MB);
	CHECK(n == 0, "memory: write 1 MiB + fsync (%ld)", n);
	CHECK(lkl_host_disk_remove(id) == -EBUSY, "memory: remove while mounted: EBUSY");
	ret = lkl_host_umount(mnt);
	CHECK(ret == 0, "memory: umount (%d)", ret);
	ret = lkl_host_disk_remove(id);
	CHECK(ret == 0, "memory: remove (%d)", ret);
	CHECK(!lkl_host_disk_memory_ptr(id, NULL), "memory: no pointer after removal");

	/* a library-owned copy of the modified buffer */
	id = lkl_host_disk_add_memory(img, size, 0, 1);
	CHECK(id >= 0, "memory: attach a copy (%d)", id);
	ptr = lkl_host_disk_memory_ptr(id, &size2);
	CHECK(ptr && ptr != img, "memory: the copy is the library's");
	ret = kmount(id, 0, 0, mnt);
	n = kget(in(mnt, "new.bin"), got, MB);
	CHECK(ret == 0 && n == MB && !memcmp(got, pat, MB),
	      "memory: the caller's buffer held the new file (%d %ld)", ret, n);
	sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, in(mnt, "new.bin"), 0);
	lkl_host_umount(mnt);
	CHECK(memcmp(ptr, img, size) != 0, "memory: changes went to the copy");
	lkl_host_disk_remove(id);

	/* a blank disk, raw access through the kernel */
	id = lkl_host_disk_add_memory(NULL, 64 * MB, 0, 0);
	CHECK(id >= 0, "memory: blank 64 MiB disk (%d)", id);
	fd = lkl_host_disk_open(id, 0, LKL_O_RDWR);
	CHECK(fd >= 0, "memory: raw open (%ld)", fd);
	n = sys(__lkl__NR_pwrite64, fd, pat, MB, 3 * MB);
	CHECK(n == MB, "memory: raw write 1 MiB at 3 MiB (%ld)", n);
	n = sys(__lkl__NR_fsync, fd);
	ptr = lkl_host_disk_memory_ptr(id, &size2);
	CHECK(n == 0 && ptr && size2 == 64 * MB && !memcmp(ptr + 3 * MB, pat, MB),
	      "memory: after fsync the bytes are in the buffer");
	CHECK(lkl_host_disk_remove(id) == -EBUSY, "memory: remove with a raw fd open: EBUSY");
	sys(__lkl__NR_close, fd);
	ret = lkl_host_disk_remove(id);
	CHECK(ret == 0, "memory: remove blank disk (%d)", ret);
	free(img);
}

/* ---- overlays ---- */

static void test_overlay(void)
{
	static unsigned char pat[8 * MB], got[8 * MB];
	char mnt[64], text[64] = "";
	int64_t bytes, bytes2;
	long fd, n;
	int id, ret, base, i, zero;

	base = open(path_of("ext4.img"), O_RDONLY);
	id = lkl_host_disk_add_overlay(base, 0, 0);
	close(base);
	CHECK(id >= 0, "overlay: attach over ext4.img (read-only fd) (%d)", id);
	CHECK(lkl_host_disk_overlay_bytes(id) < 64 * 1024,
	      "overlay: starts nearly empty (%lld bytes)",
	      (long long)lkl_host_disk_overlay_bytes(id));
	ret = kmount(id, 0, 0, mnt);
	CHECK(ret == 0, "overlay: mount read-write (%d)", ret);
	fill(pat, 0, sizeof(pat), 2);
	n = kput(in(mnt, "big.bin"), pat, sizeof(pat));
	CHECK(n == 0, "overlay: write 8 MiB + fsync (%ld)", n);
	n = sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, in(mnt, "hello.txt"), 0);
	CHECK(n == 0, "overlay: unlink hello.txt (%ld)", n);
	/* many small files of odd sizes: metadata all over the disk */
	sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, in(mnt, "many"), 0755);
	for (i = 0, n = 0; i < 300 && !n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "many/f%03d", i);
		n = kput(in(mnt, name), pat + i, (i * 937) % 20000);
	}
	CHECK(n == 0, "overlay: 300 small files (%ld)", n);
	bytes = lkl_host_disk_overlay_bytes(id);
	CHECK(bytes >= 8 * MB && bytes < 24 * MB,
	      "overlay: holds the writes (%lld bytes)", (long long)bytes);
	ret = lkl_host_umount(mnt);
	CHECK(ret == 0, "overlay: umount (%d)", ret);
	ret = kmount(id, 0, LKL_MS_RDONLY, mnt);
	n = kget(in(mnt, "big.bin"), got, sizeof(got));
	CHECK(ret == 0 && n == sizeof(got) && !memcmp(got, pat, sizeof(pat)),
	      "overlay: remount reads the written file back (%ld)", n);
	lkl_host_umount(mnt);

	/* export the overlay's view through the block device (checked by e2fsck) */
	{
		int out = open(path_of("overlay.out"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
		long long r;

		fd = lkl_host_disk_open(id, 0, LKL_O_RDONLY);
		r = lkl_host_copy_to_host(fd, 0, out, 0, UINT64_MAX);
		CHECK(r == lkl_host_disk_size(id),
		      "overlay: raw copy of the whole disk to a host file (%lld)", r);
		sys(__lkl__NR_close, fd);
		close(out);
	}

	/* discard drops chunks and reads zeroes, not the base */
	fd = lkl_host_disk_open(id, 0, LKL_O_RDWR);
	n = sys(__lkl__NR_pread64, fd, got, 4096, 1024);
	CHECK(n == 4096 && got[56] == 0x53 && got[57] == 0xef,
	      "overlay: raw read sees the ext4 superblock magic");
	{
		uint64_t range[2] = { 0, 8 * MB };

		bytes = lkl_host_disk_overlay_bytes(id);
		n = sys(__lkl__NR_ioctl, fd, LKL_BLKDISCARD, range);
		bytes2 = lkl_host_disk_overlay_bytes(id);
	}
	CHECK(n == 0, "overlay: BLKDISCARD the first 8 MiB (%ld)", n);
	n = sys(__lkl__NR_pread64, fd, got, 8 * MB, 0);
	for (i = 0, zero = 1; i < 8 * MB; i++)
		zero &= !got[i];
	CHECK(n == 8 * MB && zero, "overlay: discarded range reads zeroes");
	CHECK(bytes2 < bytes, "overlay: discard freed memory (%lld -> %lld)",
	      (long long)bytes, (long long)bytes2);
	/* a partial-chunk write over a discarded range keeps the zeroes */
	n = sys(__lkl__NR_pwrite64, fd, "abc", 3, 5000);
	n = n == 3 ? sys(__lkl__NR_fsync, fd) : n;
	sys(__lkl__NR_ioctl, fd, LKL_BLKFLSBUF, 0);
	n = n ? n : sys(__lkl__NR_pread64, fd, got, 8192, 4096);
	CHECK(n == 8192 && !memcmp(got + 904, "abc", 3) && !got[903] &&
	      !got[907] && !got[8191],
	      "overlay: small write into a discarded chunk (%ld)", n);
	sys(__lkl__NR_close, fd);
	ret = lkl_host_disk_remove(id);
	CHECK(ret == 0, "overlay: remove (%d)", ret);

	/* a fresh overlay sees the original */
	base = open(path_of("ext4.img"), O_RDONLY);
	id = lkl_host_disk_add_overlay(base, 0, 1);
	close(base);
	ret = kmount(id, 0, LKL_MS_RDONLY, mnt);
	n = kget(in(mnt, "hello.txt"), text, sizeof(text) - 1);
	CHECK(ret == 0 && n == 6 && !memcmp(text, "hello\n", 6),
	      "overlay: a fresh overlay sees the original hello.txt (%ld)", n);
	n = kget(in(mnt, "big.bin"), got, 16);
	CHECK(n == -ENOENT, "overlay: and not the file written before (%ld)", n);
	lkl_host_umount(mnt);
	lkl_host_disk_remove(id);

	/* a dirty journal, replayed into the overlay by a read-only mount */
	base = open(path_of("dirty.img"), O_RDONLY);
	id = lkl_host_disk_add_overlay(base, 0, 0);
	close(base);
	ret = kmount(id, 0, LKL_MS_RDONLY, mnt);
	CHECK(ret == 0, "overlay: read-only mount of a dirty ext4 (%d)", ret);
	memset(text, 0, sizeof(text));
	n = kget(in(mnt, "dirty.txt"), text, sizeof(text) - 1);
	CHECK(n == (long)strlen(DIRTY_TEXT) && !strcmp(text, DIRTY_TEXT),
	      "overlay: the journal was replayed: dirty.txt is there (%ld)", n);
	bytes = lkl_host_disk_overlay_bytes(id);
	CHECK(bytes > 4096, "overlay: the replay wrote to the overlay (%lld bytes)",
	      (long long)bytes);
	lkl_host_umount(mnt);
	lkl_host_disk_remove(id);
}

/* ---- callback disks ---- */

struct cb_disk {
	unsigned char *buf;
	uint64_t size;
	pthread_t thread;
	int threads_seen, reads, writes, flushes, released;
	/* the gate: reads wait while it is closed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int gated, waiting;
};

static void cb_note(struct cb_disk *c)
{
	pthread_t self = pthread_self();

	pthread_mutex_lock(&c->lock);
	if (!c->threads_seen || !pthread_equal(c->thread, self)) {
		c->thread = self;
		c->threads_seen++;
	}
	pthread_mutex_unlock(&c->lock);
}

static int cb_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct cb_disk *c = ctx;

	cb_note(c);
	pthread_mutex_lock(&c->lock);
	c->reads++;
	c->waiting += c->gated;
	pthread_cond_broadcast(&c->cond);
	while (c->gated)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	if (off + len > c->size)
		return -EIO;
	memcpy(buf, c->buf + off, len);
	return 0;
}

static int cb_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct cb_disk *c = ctx;

	cb_note(c);
	if (off + len > c->size)
		return -EIO;
	__atomic_add_fetch(&c->writes, 1, __ATOMIC_RELAXED);
	memcpy(c->buf + off, buf, len);
	return 0;
}

static int cb_flush(void *ctx)
{
	struct cb_disk *c = ctx;

	__atomic_add_fetch(&c->flushes, 1, __ATOMIC_RELAXED);
	return 0;
}

static void cb_release(void *ctx)
{
	((struct cb_disk *)ctx)->released++;
}

static long reader_result = 1;

static void *gated_reader(void *arg)
{
	long fd = lkl_host_disk_open(*(int *)arg, 0, LKL_O_RDONLY);
	void *buf = malloc(4096);

	/* drop the page cache (no I/O), so the read reaches the callback */
	if (fd >= 0)
		sys(__lkl__NR_ioctl, fd, LKL_BLKFLSBUF, 0);
	reader_result = fd < 0 ? fd : sys(__lkl__NR_pread64, fd, buf, 4096,
					  8 * MB);
	if (fd >= 0)
		sys(__lkl__NR_close, fd);
	free(buf);
	return NULL;
}

static int remove_result = 1;

static void *remover(void *arg)
{
	remove_result = lkl_host_disk_remove(*(int *)arg);
	return NULL;
}

static void test_custom(void)
{
	static const struct lkl_host_disk_ops ops = {
		.read = cb_read,
		.write = cb_write,
		.flush = cb_flush,
		.release = cb_release,
		.threads = 1,
	};
	static unsigned char pat[4 * MB], got[4 * MB];
	struct cb_disk c = { 0 };
	struct timespec ms = { 0, 1000 * 1000 };
	pthread_t t1, t2;
	char mnt[64];
	long n;
	int id, ret, i;

	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	c.buf = load(path_of("ext4.img"), &c.size);
	id = lkl_host_disk_add_ops(&ops, &c, c.size, 0);
	CHECK(id >= 0 && c.reads > 0, "custom: attach a C-callback disk (%d, %d reads)",
	      id, c.reads);
	ret = kmount(id, 0, 0, mnt);
	CHECK(ret == 0, "custom: mount ext4 (%d)", ret);
	fill(pat, 0, sizeof(pat), 3);
	n = kput(in(mnt, "cb.bin"), pat, sizeof(pat));
	CHECK(n == 0 && c.writes > 0 && c.flushes > 0,
	      "custom: write 4 MiB + fsync reach write and flush (%ld, %d, %d)",
	      n, c.writes, c.flushes);
	lkl_host_umount(mnt);
	ret = kmount(id, 0, LKL_MS_RDONLY, mnt);
	n = kget(in(mnt, "cb.bin"), got, sizeof(got));
	CHECK(n == sizeof(got) && !memcmp(got, pat, sizeof(got)),
	      "custom: read back after remount (%ld)", n);
	lkl_host_umount(mnt);
	CHECK(c.threads_seen == 1, "custom: threads = 1: one I/O thread ran every callback");

	/*
	 * A callback blocked (as on a busy JS thread) while the disk is
	 * removed: remove waits for it, then completes; no deadlock.
	 */
	pthread_mutex_lock(&c.lock);
	c.gated = 1;
	c.waiting = 0;
	pthread_mutex_unlock(&c.lock);
	pthread_create(&t1, NULL, gated_reader, &id);
	for (i = 0; i < 5000; i++) {	/* 5 s */
		pthread_mutex_lock(&c.lock);
		ret = c.waiting;
		pthread_mutex_unlock(&c.lock);
		if (ret)
			break;
		nanosleep(&ms, NULL);
	}
	CHECK(ret, "custom: a read is blocked in the callback (%ld)",
	      reader_result);
	pthread_create(&t2, NULL, remover, &id);
	/* other disks' lookups do not wait for the blocked callback */
	CHECK(lkl_host_disk_size(id) == (int64_t)(c.size & ~511ULL),
	      "custom: lookups work while a callback is blocked");
	for (i = 0; i < 50; i++)
		nanosleep(&ms, NULL);
	CHECK(remove_result == 1 && !c.released,
	      "custom: remove has not finished while a read is blocked");
	pthread_mutex_lock(&c.lock);
	c.gated = 0;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK(reader_result == 4096, "custom: the blocked read completed (%ld)",
	      reader_result);
	if (remove_result == -EBUSY)	/* the reader's close lagged */
		remove_result = lkl_host_disk_remove(id);
	CHECK(remove_result == 0 && c.released == 1,
	      "custom: remove completed, release called once (%d)", remove_result);
	free(c.buf);
}

/* ---- partitions and raw access ---- */

static void test_partitions(void)
{
	struct lkl_host_partition p[16], t[16];
	static unsigned char pat[MB], got[MB];
	int fd, id, n, ret, i;
	long kfd, k;

	/* MBR: 3 primary, an extended (p4) with 2 logical (p5, p6) */
	fd = open(path_of("mbr.img"), O_RDWR);
	id = lkl_host_disk_add_fd(fd, 0, 0);
	n = lkl_host_disk_partitions(id, p, 16);
	CHECK(n == 6, "partitions: MBR: 6 partitions (%d)", n);
	for (i = 0; i < n && i < 16; i++)
		printf("# p%d start %llu size %llu type %s uuid %s name '%s'\n",
		       p[i].number, (unsigned long long)p[i].start,
		       (unsigned long long)p[i].size, p[i].type, p[i].uuid,
		       p[i].name);
	CHECK(n == 6 && p[0].number == 1 && p[0].start == 1 * MB &&
	      p[0].size == 8 * MB && !strcmp(p[0].type, "0x83") &&
	      !p[0].name[0] && !strcmp(p[0].uuid, "12345678-01"),
	      "partitions: p1: 1 MiB + 8 MiB, type 0x83, uuid");
	CHECK(n == 6 && p[1].number == 2 && p[1].start == 9 * MB &&
	      p[1].size == 8 * MB && !strcmp(p[1].type, "0x0c"),
	      "partitions: p2: 9 MiB + 8 MiB, type 0x0c");
	CHECK(n == 6 && p[3].number == 4 && !strcmp(p[3].type, "0x05"),
	      "partitions: p4 is the extended container");
	CHECK(n == 6 && p[4].number == 5 && p[4].start == 26 * MB &&
	      p[4].size == 8 * MB && !strcmp(p[4].type, "0x83") &&
	      !strcmp(p[4].uuid, "12345678-05"),
	      "partitions: p5 (logical): 26 MiB + 8 MiB, type, uuid");
	CHECK(n == 6 && p[5].number == 6 && p[5].start == 35 * MB &&
	      p[5].size == 8 * MB && !strcmp(p[5].type, "0x82"),
	      "partitions: p6 (logical): 35 MiB + 8 MiB, type 0x82");
	CHECK(lkl_host_disk_partitions(id, p, 2) == 6,
	      "partitions: the count is returned even when max is smaller");
	n = lkl_host_disk_table(id, t, 16);
	CHECK(n == 6 && t[0].number == 1 && t[0].start == 1 * MB &&
	      t[0].size == 8 * MB && !strcmp(t[0].uuid, "12345678-01") &&
	      t[3].number == 4 && t[3].start == 25 * MB &&
	      t[3].size == 39 * MB && !strcmp(t[3].type, "0x05") &&
	      t[5].number == 6 && t[5].start == 35 * MB &&
	      t[5].size == 8 * MB && !strcmp(t[5].type, "0x82"),
	      "table: MBR as written: the extended container's whole extent (%d)",
	      n);

	/* raw write into p5 through the kernel, checked on the host */
	fill(pat, 0, MB, 5);
	kfd = lkl_host_disk_open(id, 5, LKL_O_RDWR);
	CHECK(kfd >= 0, "raw: open p5 read-write (%ld)", kfd);
	k = sys(__lkl__NR_pwrite64, kfd, pat, MB, MB);
	k = k == MB ? sys(__lkl__NR_fsync, kfd) : k;
	CHECK(k == 0, "raw: write 1 MiB at 1 MiB into p5 + fsync (%ld)", k);
	k = sys(__lkl__NR_lseek, kfd, 0, 2 /* SEEK_END */);
	CHECK(k == 8 * MB, "raw: p5's size by lseek (%ld)", k);
	sys(__lkl__NR_close, kfd);
	CHECK(lkl_host_disk_open(id, 7, LKL_O_RDONLY) == -ENXIO,
	      "raw: no p7: ENXIO");
	ret = lkl_host_disk_remove(id);
	CHECK(ret == 0, "partitions: remove MBR disk (%d)", ret);
	CHECK(pread(fd, got, MB, 27 * MB) == MB && !memcmp(got, pat, MB),
	      "raw: the bytes are at p5 + 1 MiB in the host file");
	close(fd);

	/* a cut disk: the kernel shortens p6, the table says what was meant */
	fd = open(path_of("mbr-cut.img"), O_RDONLY);
	id = lkl_host_disk_add_fd(fd, 1, 0);
	close(fd);
	n = lkl_host_disk_partitions(id, p, 16);
	k = lkl_host_disk_table(id, t, 16);
	CHECK(n == 6 && p[5].start + p[5].size <= 36 * MB && k == 6 &&
	      t[5].start + t[5].size == 43 * MB,
	      "table: p6 past the end of a cut disk (kernel %d, table %ld)", n, k);
	lkl_host_disk_remove(id);

	/* GPT with names */
	fd = open(path_of("gpt.img"), O_RDONLY);
	id = lkl_host_disk_add_fd(fd, 0, 0);
	close(fd);
	n = lkl_host_disk_partitions(id, p, 16);
	CHECK(n == 3, "partitions: GPT: 3 partitions (%d)", n);
	for (i = 0; i < n && i < 16; i++)
		printf("# p%d start %llu size %llu type %s uuid %s name '%s'\n",
		       p[i].number, (unsigned long long)p[i].start,
		       (unsigned long long)p[i].size, p[i].type, p[i].uuid,
		       p[i].name);
	CHECK(n == 3 && !strcmp(p[0].name, "alpha") && !strcmp(p[1].name, "beta two") &&
	      !strcmp(p[2].name, "g\xc3\xa4mma \xe2\x9c\x93"),
	      "partitions: GPT names (UTF-8 too)");
	CHECK(n == 3 && p[0].start == 1 * MB && p[0].size == 4 * MB &&
	      p[2].start == 13 * MB && p[2].size == 16 * MB,
	      "partitions: GPT starts and sizes");
	CHECK(n == 3 && !strcmp(p[0].type, "0fc63daf-8483-4772-8e79-3d69d8477de4") &&
	      !strcmp(p[1].type, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b") &&
	      !strcmp(p[0].uuid, "11111111-2222-3333-4444-555555555555"),
	      "partitions: GPT type GUIDs and partition GUID");
	n = lkl_host_disk_table(id, t, 16);
	CHECK(n == 3 && t[0].number == 1 && t[2].number == 3 &&
	      t[2].start == 13 * MB && t[2].size == 16 * MB &&
	      !strcmp(t[1].name, "beta two") &&
	      !strcmp(t[0].uuid, "11111111-2222-3333-4444-555555555555"),
	      "table: GPT as written (%d)", n);
	kfd = lkl_host_disk_open(id, 3, LKL_O_RDONLY);
	k = kfd >= 0 ? sys(__lkl__NR_pread64, kfd, got, 4096, 0) : kfd;
	CHECK(k == 4096 && !memcmp(got, "GAMMA-PARTITION", 15),
	      "raw: read p3's first bytes (%ld)", k);
	if (kfd >= 0)
		sys(__lkl__NR_close, kfd);
	k = lkl_host_disk_open(id, 1, LKL_O_RDWR);
	CHECK(k == -EROFS, "raw: a read-only disk opened for writing: EROFS (%ld)", k);
	CHECK(lkl_host_disk_open(id, 1, LKL_O_RDONLY | LKL_O_DIRECT) == -EINVAL,
	      "raw: O_DIRECT is refused");
	ret = lkl_host_disk_remove(id);
	n = lkl_host_disk_partitions(id, p, 16);
	CHECK(ret == 0 && n == -ENXIO, "partitions: removed disk: ENXIO (%d %d)", ret, n);
	n = lkl_host_disk_table(id, t, 16);
	CHECK(n == -ENXIO, "table: removed disk: ENXIO (%d)", n);
}

/* ---- copy fast paths ---- */

static void *pipe_writer(void *arg)
{
	int fd = *(int *)arg;
	static unsigned char buf[100000];
	size_t off = 0;

	fill(buf, 0, sizeof(buf) / 8 * 8, 9);
	while (off < sizeof(buf)) {
		ssize_t n = write(fd, buf + off, sizeof(buf) - off);

		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	return NULL;
}

static void test_copy(int speed_mb)
{
	char mnt[64];
	struct lkl_stat st;
	struct stat hst;
	long long r;
	long kfd, k;
	int fd, hfd, id, ret, pfd[2];
	pthread_t t;
	double t0, t1;

	fd = open(path_of("big.img"), O_RDWR);
	id = lkl_host_disk_add_fd(fd, 0, 0);
	close(fd);
	ret = kmount(id, 0, 0, mnt);
	CHECK(ret == 0, "copy: mount the target image (%d)", ret);

	/* sparse host file -> image */
	hfd = open(path_of("sparse.bin"), O_RDONLY);
	fstat(hfd, &hst);
	kfd = sys(__lkl__NR_openat, LKL_AT_FDCWD, in(mnt, "sparse.bin"),
		  LKL_O_CREAT | LKL_O_RDWR | LKL_O_TRUNC, 0644);
	r = lkl_host_copy_from_host(hfd, 0, kfd, 0, UINT64_MAX);
	CHECK(r == hst.st_size, "copy: host -> image: %lld bytes", r);
	sys(__lkl__NR_fstat, kfd, &st);
	CHECK(st.st_size == hst.st_size && st.st_blocks * 512 < 8 * MB,
	      "copy: image file has the size, only %lld KiB allocated (host: %lld KiB)",
	      (long long)st.st_blocks / 2, (long long)hst.st_blocks / 2);
	printf("# sparse: host blocks %lld, image blocks %lld\n",
	       (long long)hst.st_blocks, (long long)st.st_blocks);
	close(hfd);

	/* image -> host, holes recreated */
	hfd = open(path_of("sparse.out"), O_CREAT | O_TRUNC | O_RDWR, 0644);
	r = lkl_host_copy_to_host(kfd, 0, hfd, 0, UINT64_MAX);
	fstat(hfd, &hst);
	CHECK(r == st.st_size && hst.st_size == st.st_size &&
	      hst.st_blocks * 512 < 8 * MB,
	      "copy: image -> host: %lld bytes, %lld KiB allocated", r,
	      (long long)hst.st_blocks / 2);
	close(hfd);

	/* current positions (-1) are used and advanced */
	hfd = open(path_of("sparse.bin"), O_RDONLY);
	lseek(hfd, 3 * MB, SEEK_SET);
	sys(__lkl__NR_lseek, kfd, 5 * MB, 0);
	r = lkl_host_copy_from_host(hfd, -1, kfd, -1, 1 * MB);
	CHECK(r == MB && lseek(hfd, 0, SEEK_CUR) == 4 * MB &&
	      sys(__lkl__NR_lseek, kfd, 0, 1) == 6 * MB,
	      "copy: offsets -1 use and advance both positions (%lld)", r);
	/* and an explicit offset leaves the position alone */
	r = lkl_host_copy_from_host(hfd, 0, kfd, 0, 4096);
	CHECK(r == 4096 && lseek(hfd, 0, SEEK_CUR) == 4 * MB,
	      "copy: an explicit offset leaves the position (%lld)", r);
	close(hfd);
	sys(__lkl__NR_close, kfd);

	/* from a pipe */
	if (pipe(pfd) == 0) {
		pthread_create(&t, NULL, pipe_writer, &pfd[1]);
		kfd = sys(__lkl__NR_openat, LKL_AT_FDCWD, in(mnt, "pipe.bin"),
			  LKL_O_CREAT | LKL_O_RDWR | LKL_O_TRUNC, 0644);
		r = lkl_host_copy_from_host(pfd[0], -1, kfd, -1, UINT64_MAX);
		pthread_join(t, NULL);
		close(pfd[0]);
		sys(__lkl__NR_fstat, kfd, &st);
		CHECK(r == 100000 && st.st_size == 100000,
		      "copy: from a pipe until EOF (%lld)", r);
		sys(__lkl__NR_close, kfd);
	}
	/* bad fds */
	CHECK(lkl_host_copy_from_host(-1, 0, 0, 0, 10) == -EBADF,
	      "copy: bad host fd: EBADF");

	if (speed_mb) {
		uint64_t bytes = (uint64_t)speed_mb * MB;

		hfd = open(path_of("speed.bin"), O_RDONLY);
		kfd = sys(__lkl__NR_openat, LKL_AT_FDCWD, in(mnt, "speed.bin"),
			  LKL_O_CREAT | LKL_O_RDWR | LKL_O_TRUNC, 0644);
		t0 = now();
		r = lkl_host_copy_from_host(hfd, 0, kfd, 0, UINT64_MAX);
		t1 = now();
		k = sys(__lkl__NR_fsync, kfd);
		CHECK(r == (long long)bytes && k == 0,
		      "copy: host -> image %d MB: %.0f MB/s (%.0f MB/s incl. fsync)",
		      speed_mb, speed_mb / (t1 - t0), speed_mb / (now() - t0));
		sys(__lkl__NR_close, kfd);
		close(hfd);
		/* cold: remount drops the kernel's page cache */
		lkl_host_umount(mnt);
		kmount(id, 0, 0, mnt);
		kfd = sys(__lkl__NR_openat, LKL_AT_FDCWD, in(mnt, "speed.bin"),
			  LKL_O_RDONLY, 0);
		hfd = open(path_of("speed.out"), O_CREAT | O_TRUNC | O_WRONLY,
			   0644);
		t0 = now();
		r = lkl_host_copy_to_host(kfd, 0, hfd, 0, UINT64_MAX);
		t1 = now();
		CHECK(r == (long long)bytes,
		      "copy: image -> host %d MB (cold): %.0f MB/s", speed_mb,
		      speed_mb / (t1 - t0));
		close(hfd);
		sys(__lkl__NR_close, kfd);
	}
	ret = lkl_host_umount(mnt);
	CHECK(ret == 0, "copy: umount (%d)", ret);
	lkl_host_disk_remove(id);
}

static int make_dirty(const char *image)
{
	struct lkl_boot_options opts = { .memory = 64ULL * MB };
	char mnt[64];
	int fd, id;

	if (lkl_host_boot(&opts))
		return 1;
	fd = open(image, O_RDWR);
	id = lkl_host_disk_add_fd(fd, 0, 0);
	if (id < 0 || kmount(id, 0, 0, mnt))
		return 1;
	if (kput(in(mnt, "dirty.txt"), DIRTY_TEXT, strlen(DIRTY_TEXT)))
		return 1;
	/* a crash: no unmount, no sync beyond the fsync's journal commit */
	_exit(0);
}

int main(int argc, char **argv)
{
	struct lkl_boot_options opts = { .memory = 256ULL * MB };
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--dirty"))
		return make_dirty(argv[2]);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [SPEED_MB] | --dirty IMAGE\n",
			argv[0]);
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = lkl_host_boot(&opts);
	CHECK(ret == 0, "boot (%d)", ret);
	if (ret)
		return 1;
	CHECK(lkl_host_disk_add_memory(NULL, 100, 0, 0) == -EINVAL,
	      "memory: a disk smaller than a sector: EINVAL");
	CHECK(lkl_host_disk_size(999) == -ENXIO, "disk_size of no disk: ENXIO");
	test_memory();
	test_overlay();
	test_custom();
	test_partitions();
	test_copy(argc > 2 ? atoi(argv[2]) : 0);
	ret = lkl_host_halt();
	CHECK(ret == 0, "halt (%d)", ret);
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
