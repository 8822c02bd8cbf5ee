// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the block bridge for disks backed by a host fd.
 *
 * The kernel's driver (arch/lkl/drivers/blk.c) calls blk_submit while it
 * holds the kernel's CPU, so submit only queues the request. A few I/O
 * threads per disk take requests off the queue, do the I/O with
 * preadv/pwritev/fdatasync/fallocate and report through
 * lkl_blk_complete(), which needs no CPU. Several requests are in flight
 * at once; a flush only has to cover writes that completed before it was
 * issued, and those have all reached the host file by then.
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define IO_THREADS 4
#define REMOVE_TRIES 20		/* EBUSY retries, 10 ms apart */

struct host_disk {
	int fd;
	int id;				/* the kernel's disk id */
	int readonly;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct lkl_blk_req **queue;	/* ring of queued requests */
	unsigned int qsize, qhead, qlen;
	int stop;
	int nr_threads;
	pthread_t threads[IO_THREADS];
	struct host_disk *next;
};

static pthread_mutex_t disks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_disk *disks;

static int queue_push(struct host_disk *d, struct lkl_blk_req *req)
{
	if (d->qlen == d->qsize) {
		unsigned int n = d->qsize ? d->qsize * 2 : 64, i;
		struct lkl_blk_req **q = malloc(n * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (i = 0; i < d->qlen; i++)
			q[i] = d->queue[(d->qhead + i) % d->qsize];
		free(d->queue);
		d->queue = q;
		d->qsize = n;
		d->qhead = 0;
	}
	d->queue[(d->qhead + d->qlen) % d->qsize] = req;
	d->qlen++;
	return 0;
}

int lkl_host_blk_submit(void *disk, struct lkl_blk_req *req)
{
	struct host_disk *d = disk;
	int err;

	pthread_mutex_lock(&d->lock);
	err = d->stop ? -EIO : queue_push(d, req);
	if (!err)
		pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/* Read or write all of iov at off; reads past the end of file give zeroes. */
static int do_rw(int fd, int write, struct iovec *iov, int cnt, off_t off)
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

static int do_sync(int fd)
{
	while (fdatasync(fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int write_zeroes(int fd, off_t off, unsigned long long len)
{
	static const char zeroes[64 * 1024];

	while (len) {
		size_t n = len < sizeof(zeroes) ? len : sizeof(zeroes);
		struct iovec iov = { (void *)zeroes, n };
		int err = do_rw(fd, 1, &iov, 1, off);

		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

static int do_request(struct host_disk *d, struct lkl_blk_req *req)
{
	struct iovec iov[LKL_BLK_MAX_SEGS];
	off_t off = (off_t)req->offset;
	int i, err;

	switch (req->op) {
	case LKL_BLK_OP_READ:
	case LKL_BLK_OP_WRITE:
		if (req->nr_segs < 0 || req->nr_segs > LKL_BLK_MAX_SEGS)
			return -EINVAL;
		if (req->op == LKL_BLK_OP_WRITE && d->readonly)
			return -EROFS;
		for (i = 0; i < req->nr_segs; i++) {
			iov[i].iov_base = req->segs[i].base;
			iov[i].iov_len = req->segs[i].len;
		}
		err = do_rw(d->fd, req->op == LKL_BLK_OP_WRITE, iov,
			    req->nr_segs, off);
		if (!err && req->op == LKL_BLK_OP_WRITE &&
		    (req->flags & LKL_BLK_FLAG_FUA))
			err = do_sync(d->fd);
		return err;
	case LKL_BLK_OP_FLUSH:
		return d->readonly ? 0 : do_sync(d->fd);
	case LKL_BLK_OP_DISCARD:
		if (d->readonly)
			return -EROFS;
		/* best effort: the data may be dropped, not must */
		if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      off, req->length) < 0 &&
		    errno != EOPNOTSUPP && errno != ENOSYS && errno != ENODEV)
			return -errno;
		return 0;
	case LKL_BLK_OP_WRITE_ZEROES:
		if (d->readonly)
			return -EROFS;
		if (!fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			       off, req->length))
			return 0;
		if (!fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       off, req->length))
			return 0;
		return write_zeroes(d->fd, off, req->length);
	}
	return -EOPNOTSUPP;
}

static void *io_thread(void *arg)
{
	struct host_disk *d = arg;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		struct lkl_blk_req *req;

		while (!d->qlen && !d->stop)
			pthread_cond_wait(&d->cond, &d->lock);
		if (!d->qlen)
			break;
		req = d->queue[d->qhead];
		d->qhead = (d->qhead + 1) % d->qsize;
		d->qlen--;
		pthread_mutex_unlock(&d->lock);
		lkl_blk_complete(req, do_request(d, req));
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* drop: forget queued requests (the kernel that sent them is gone) */
static void disk_free(struct host_disk *d, int drop)
{
	int i;

	pthread_mutex_lock(&d->lock);
	if (drop)
		d->qlen = 0;
	d->stop = 1;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->nr_threads; i++)
		pthread_join(d->threads[i], NULL);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	close(d->fd);
	free(d->queue);
	free(d);
}

static int fd_size(int fd, unsigned long long *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return -errno;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = st.st_size;
	return 0;
}

LKL_HOST_API int lkl_host_disk_add_fd(int fd, int readonly, uint64_t size)
{
	unsigned long long bytes = size;
	struct host_disk *d;
	int flags, err, i;
	long id;

	if (!lkl_is_running())
		return -ENODEV;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if ((flags & O_ACCMODE) == O_RDONLY)
		readonly = 1;
	if (!bytes) {
		err = fd_size(fd, &bytes);
		if (err)
			return err;
	}

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->readonly = readonly;
	d->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (d->fd < 0) {
		err = -errno;
		free(d);
		return err;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	for (i = 0; i < IO_THREADS; i++) {
		err = lkl_host_thread_start(&d->threads[i], io_thread, d);
		if (err)
			break;
		d->nr_threads++;
	}
	if (!d->nr_threads) {
		disk_free(d, 0);
		return err;
	}

	/* The kernel reads the partition table before this returns. */
	id = lkl_host_sys(__lkl__NR_lkl_disk_add, (long)d, (long)bytes,
			  readonly ? LKL_DISK_READONLY : 0, 0, 0, 0);
	if (id < 0) {
		disk_free(d, 0);
		return (int)id;
	}
	d->id = (int)id;
	pthread_mutex_lock(&disks_lock);
	d->next = disks;
	disks = d;
	pthread_mutex_unlock(&disks_lock);
	return d->id;
}

LKL_HOST_API int lkl_host_disk_remove(int disk_id)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct host_disk *d, **pp;
	long err = 0;
	int i;

	pthread_mutex_lock(&disks_lock);
	for (pp = &disks; *pp; pp = &(*pp)->next)
		if ((*pp)->id == disk_id)
			break;
	d = *pp;
	if (!d) {
		pthread_mutex_unlock(&disks_lock);
		return -ENXIO;
	}
	/*
	 * The kernel drains the disk's requests before this returns. EBUSY:
	 * still open; the last close of an unmount can lag a little. After a
	 * halt there is no kernel left to ask: just release the host side.
	 */
	for (i = 0; i < REMOVE_TRIES && lkl_is_running(); i++) {
		err = lkl_host_sys(__lkl__NR_lkl_disk_remove, disk_id, 0, 0, 0,
				   0, 0);
		if (err != -EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	if (!err)
		*pp = d->next;
	pthread_mutex_unlock(&disks_lock);
	if (err)
		return (int)err;
	disk_free(d, !lkl_is_running());
	return 0;
}
