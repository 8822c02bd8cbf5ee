// SPDX-License-Identifier: GPL-2.0
/*
 * File disks: a host fd (regular file or block device) as a callback disk.
 * Requests go straight from the kernel's segments to preadv/pwritev (the
 * vectored ops), durability is fdatasync, discard punches holes and
 * write-zeroes uses fallocate. Callbacks run on the disk's I/O threads
 * (see disk.c); the fd is shared by them (positional I/O only).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct fd_disk {
	int fd;
};

int lkl_host_fd_rw(int fd, int write, struct iovec *iov, int cnt,
		   uint64_t off)
{
	while (cnt > 0) {
		ssize_t n;

		if (write)
			n = pwritev(fd, iov, cnt > IOV_MAX ? IOV_MAX : cnt, off);
		else
			n = preadv(fd, iov, cnt > IOV_MAX ? IOV_MAX : cnt, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			if (write)
				return -EIO;
			/* past the end of the file: zeroes */
			for (; cnt > 0; iov++, cnt--)
				memset(iov->iov_base, 0, iov->iov_len);
			return 0;
		}
		off += n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

int lkl_host_fd_size(int fd, uint64_t *size)
{
	struct stat st;
	unsigned long long bytes;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			return -errno;
		*size = bytes;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = st.st_size;
	return 0;
}

static int fd_vec(void *ctx, int write, const struct iovec *iov, int cnt,
		  uint64_t off)
{
	struct fd_disk *f = ctx;
	struct iovec v[LKL_BLK_MAX_SEGS];

	if (cnt > LKL_BLK_MAX_SEGS || cnt < 0)
		return -EINVAL;
	/* lkl_host_fd_rw advances the iovecs it is given */
	memcpy(v, iov, cnt * sizeof(*v));
	return lkl_host_fd_rw(f->fd, write, v, cnt, off);
}

static int fd_readv(void *ctx, const struct iovec *iov, int cnt, uint64_t off)
{
	return fd_vec(ctx, 0, iov, cnt, off);
}

static int fd_writev(void *ctx, const struct iovec *iov, int cnt,
		     uint64_t off)
{
	return fd_vec(ctx, 1, iov, cnt, off);
}

static int fd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct iovec iov = { buf, len };

	return lkl_host_fd_rw(((struct fd_disk *)ctx)->fd, 0, &iov, 1, off);
}

static int fd_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct iovec iov = { (void *)buf, len };

	return lkl_host_fd_rw(((struct fd_disk *)ctx)->fd, 1, &iov, 1, off);
}

static int fd_flush(void *ctx)
{
	struct fd_disk *f = ctx;

	while (fdatasync(f->fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int fd_discard(void *ctx, uint64_t off, uint64_t len)
{
	struct fd_disk *f = ctx;

	if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      off, len) < 0 &&
	    errno != EOPNOTSUPP && errno != ENOSYS && errno != ENODEV)
		return -errno;
	return 0;
}

static int fd_write_zeroes(void *ctx, uint64_t off, uint64_t len)
{
	struct fd_disk *f = ctx;
	const void *z;
	size_t zlen;

	if (!fallocate(f->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		       off, len))
		return 0;
	if (!fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       off, len))
		return 0;
	z = lkl_host_zeroes(&zlen);
	if (!z)
		return -ENOMEM;
	while (len) {
		size_t n = len < zlen ? len : zlen;
		int err = fd_write(ctx, z, n, off);

		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

static void fd_release(void *ctx)
{
	struct fd_disk *f = ctx;

	close(f->fd);
	free(f);
}

static const struct lkl_host_disk_ops fd_ops = {
	.read = fd_read,
	.write = fd_write,
	.flush = fd_flush,
	.discard = fd_discard,
	.release = fd_release,
	.write_zeroes = fd_write_zeroes,
	.readv = fd_readv,
	.writev = fd_writev,
	.threads = 4,
};

LKL_HOST_API int lkl_host_disk_add_fd(int fd, int readonly, uint64_t size)
{
	struct fd_disk *f;
	int flags, err;
	uint64_t bytes = size;

	if (!lkl_is_running())
		return -ENODEV;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if ((flags & O_ACCMODE) == O_RDONLY)
		readonly = 1;
	if (!bytes) {
		err = lkl_host_fd_size(fd, &bytes);
		if (err)
			return err;
	}
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->fd < 0) {
		err = -errno;
		free(f);
		return err;
	}
	err = lkl_host_disk_add_ops(&fd_ops, f, bytes, readonly);
	if (err < 0)
		fd_release(f);
	return err;
}
