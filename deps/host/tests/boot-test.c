// SPDX-License-Identifier: GPL-2.0
/*
 * Boot test for liblkl: boot, syscalls on the rootfs, then a real ext4
 * image through the block bridge (attach, mount, write 50 MB with a known
 * pattern, fsync, unmount, detach) and sequential throughput. Run by
 * boot-test.sh, which makes the image and checks it afterwards with
 * e2fsck and debugfs.
 *
 *   boot-test IMAGE [MB_FOR_THROUGHPUT]   the test
 *   boot-test --pattern MB                the expected file on stdout
 */
#include <errno.h>
#include <fcntl.h>
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
#include <lkl/linux/stat.h>
#include <lkl/asm/stat.h>

#define MB (1024 * 1024)
#define CHUNK (1 * MB)

int failures;


/* The byte at offset off of the test file: no period shorter than 4 GiB. */
static void fill(unsigned char *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = (off + i) / 8 * 0x9e3779b97f4a7c15ULL;

		memcpy(buf + i, &v, 8);
	}
}

static long write_file(const char *path, uint64_t bytes, int pattern)
{
	static unsigned char buf[CHUNK];
	uint64_t off;
	long fd, n;

	fd = sys(__lkl__NR_openat, LKL_AT_FDCWD, path,
		 LKL_O_CREAT | LKL_O_TRUNC | LKL_O_WRONLY, 0644);
	if (fd < 0)
		return fd;
	if (!pattern)
		memset(buf, 0xa5, sizeof(buf));
	for (off = 0; off < bytes; off += CHUNK) {
		if (pattern)
			fill(buf, off, CHUNK);
		n = sys(__lkl__NR_write, fd, buf, CHUNK);
		if (n != CHUNK)
			return n < 0 ? n : -EIO;
	}
	n = sys(__lkl__NR_fsync, fd);
	sys(__lkl__NR_close, fd);
	return n;
}

/* Read a file back; check it against the pattern when asked. */
static long read_file(const char *path, uint64_t bytes, int pattern)
{
	static unsigned char buf[CHUNK], want[CHUNK];
	uint64_t off;
	long fd, n;

	fd = sys(__lkl__NR_openat, LKL_AT_FDCWD, path, LKL_O_RDONLY, 0);
	if (fd < 0)
		return fd;
	for (off = 0; off < bytes; off += CHUNK) {
		n = sys(__lkl__NR_read, fd, buf, CHUNK);
		if (n != CHUNK)
			return n < 0 ? n : -EIO;
		if (pattern) {
			fill(want, off, CHUNK);
			if (memcmp(buf, want, CHUNK))
				return -EILSEQ;
		}
	}
	sys(__lkl__NR_close, fd);
	return 0;
}

static void test_rootfs(void)
{
	char buf[32] = "";
	long fd, n, i;
	struct lkl_stat st;
	double t0;

	CHECK(sys(__lkl__NR_getpid, 0) == 1, "getpid() == 1");
	t0 = now();
	for (i = 0; i < 100000; i++)
		sys(__lkl__NR_getpid, 0);
	printf("# getpid: %.0f ns per call\n", (now() - t0) * 1e9 / 100000);
	fd = sys(__lkl__NR_openat, LKL_AT_FDCWD, "/hello",
		 LKL_O_CREAT | LKL_O_RDWR, 0644);
	CHECK(fd >= 0, "create /hello in the rootfs (%ld)", fd);
	n = sys(__lkl__NR_write, fd, "hello, kernel", 13);
	CHECK(n == 13, "write (%ld)", n);
	n = sys(__lkl__NR_pread64, fd, buf, sizeof(buf), 0);
	CHECK(n == 13 && !memcmp(buf, "hello, kernel", 13),
	      "read back (%ld '%.13s')", n, buf);
	n = sys(__lkl__NR_fstat, fd, &st);
	CHECK(n == 0 && st.st_size == 13 && LKL_S_ISREG(st.st_mode),
	      "fstat (%ld, size %lld)", n, (long long)st.st_size);
	sys(__lkl__NR_close, fd);
	n = sys(__lkl__NR_openat, LKL_AT_FDCWD, "/nonexistent", LKL_O_RDONLY,
		0);
	CHECK(n == -ENOENT, "missing file gives -ENOENT (%ld)", n);
}

static int test_disk(const char *image, int speed_mb)
{
	char mnt[64], path[128];
	double t0, t;
	long ret;
	int fd, id;

	fd = open(image, O_RDWR);
	if (fd < 0) {
		perror(image);
		return -1;
	}
	id = lkl_host_disk_add_fd(fd, 0, 0);
	close(fd);
	CHECK(id >= 0, "attach %s as disk %d", image, id);
	if (id < 0)
		return -1;
	ret = lkl_host_mount(id, 0, "ext4", 0, NULL, mnt, sizeof(mnt));
	CHECK(ret == 0, "mount ext4 at %s (%ld)", ret ? "-" : mnt, ret);
	if (ret) {
		char log[4096];
		size_t n = lkl_host_log_tail(log, sizeof(log) - 1);

		log[n] = 0;
		fprintf(stderr, "kernel log:\n%s\n", log);
		return -1;
	}

	snprintf(path, sizeof(path), "%s/file", mnt);
	ret = write_file(path, 50ULL * MB, 1);
	CHECK(ret == 0, "write 50 MB with a pattern + fsync (%ld)", ret);
	ret = read_file(path, 50ULL * MB, 1);
	CHECK(ret == 0, "read it back (%ld)", ret);

	if (speed_mb) {
		snprintf(path, sizeof(path), "%s/big", mnt);
		t0 = now();
		ret = write_file(path, (uint64_t)speed_mb * MB, 0);
		t = now() - t0;
		CHECK(ret == 0, "sequential write %d MB + fsync: %.0f MB/s",
		      speed_mb, speed_mb / t);
		/* a remount drops the page cache: the read hits the disk */
		ret = lkl_host_umount(mnt);
		CHECK(ret == 0, "umount (%ld)", ret);
		ret = lkl_host_mount(id, 0, "ext4", 0, NULL, mnt, sizeof(mnt));
		CHECK(ret == 0, "mount again (%ld)", ret);
		t0 = now();
		ret = read_file(path, (uint64_t)speed_mb * MB, 0);
		t = now() - t0;
		CHECK(ret == 0, "sequential read %d MB (cold): %.0f MB/s",
		      speed_mb, speed_mb / t);
		ret = sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, path, 0);
		CHECK(ret == 0, "unlink the big file (%ld)", ret);
		snprintf(path, sizeof(path), "%s/file", mnt);
		ret = read_file(path, 50ULL * MB, 1);
		CHECK(ret == 0, "50 MB file intact after remount (%ld)", ret);
	}

	ret = lkl_host_umount(mnt);
	CHECK(ret == 0, "umount (%ld)", ret);
	ret = lkl_host_disk_remove(id);
	CHECK(ret == 0, "detach (%ld)", ret);
	return 0;
}

int main(int argc, char **argv)
{
	struct lkl_boot_options opts = { .memory = 256ULL * MB };
	double t0;
	long ret;

	if (argc == 3 && !strcmp(argv[1], "--pattern")) {
		static unsigned char buf[CHUNK];
		uint64_t off, bytes = strtoull(argv[2], NULL, 0) * MB;

		for (off = 0; off < bytes; off += CHUNK) {
			fill(buf, off, CHUNK);
			if (fwrite(buf, 1, CHUNK, stdout) != CHUNK)
				return 1;
		}
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s IMAGE [MB] | --pattern MB\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	t0 = now();
	ret = lkl_host_boot(&opts);
	CHECK(ret == 0, "boot (%ld) in %.1f ms", ret, (now() - t0) * 1e3);
	if (ret)
		return 1;
	CHECK(lkl_host_boot(&opts) == -EALREADY, "second boot refused");

	test_rootfs();
	test_disk(argv[1], argc > 2 ? atoi(argv[2]) : 0);

	ret = lkl_host_halt();
	CHECK(ret == 0, "halt (%ld)", ret);
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
