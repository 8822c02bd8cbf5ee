// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the block bridge: disks whose storage is a set of
 * callbacks (struct lkl_host_disk_ops). The file, memory and overlay disks
 * (disk-fd.c, disk-memory.c, disk-overlay.c) are implementations of it.
 *
 * Threads:
 * - blk_submit runs on whatever thread holds the kernel's CPU (the kernel's
 *   driver arch/lkl/drivers/blk.c calls it from queue_rq), so it only
 *   queues the request.
 * - Each disk has its own I/O threads (ops.threads, default 4). They take
 *   requests off the queue, call the callbacks without the CPU and report
 *   through lkl_blk_complete(), which needs no CPU either. Several requests
 *   are in flight at once; a flush only has to cover writes that completed
 *   before it was issued, and those have all returned from write by then.
 * - add and remove run on the caller's thread (a host task: they make
 *   syscalls). Removal asks the kernel first, which waits for every request
 *   in flight (so for callbacks that may be blocked), then stops and joins
 *   the I/O threads and calls release. The global list lock is never held
 *   across a syscall or a callback: lookups (size, memory pointer, overlay
 *   bytes) never wait for I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_THREADS 4
#define MAX_THREADS 64
#define REMOVE_TRIES 20		/* EBUSY retries, 10 ms apart */
#define ZEROES_SIZE (1UL << 20)	/* zero source for write_zeroes fallback */

struct host_disk {
	struct lkl_host_disk_ops ops;
	void *ctx;
	int id;				/* the kernel's disk id */
	int readonly;
	int removing;			/* a remove is asking the kernel */
	uint64_t size;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct lkl_blk_req **queue;	/* ring of queued requests */
	unsigned int qsize, qhead, qlen;
	int stop;
	unsigned int nr_threads;
	pthread_t *threads;
	struct host_disk *next;
};

static pthread_mutex_t disks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_disk *disks;

/* An I/O thread's bounce buffer for multi-segment requests. */
struct bounce {
	char *buf;
	size_t size;
};

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

/* Kernel CPU held: queue only. */
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

static pthread_once_t zeroes_once = PTHREAD_ONCE_INIT;
static const char *zeroes;

static void zeroes_init(void)
{
	void *p = mmap(NULL, ZEROES_SIZE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	zeroes = p == MAP_FAILED ? NULL : p;
}

const void *lkl_host_zeroes(size_t *len)
{
	pthread_once(&zeroes_once, zeroes_init);
	*len = ZEROES_SIZE;
	return zeroes;
}

static int zero_fill(struct host_disk *d, uint64_t off, uint64_t len)
{
	size_t zlen;
	const void *z = lkl_host_zeroes(&zlen);

	if (!z)
		return -ENOMEM;
	while (len) {
		size_t n = len < zlen ? len : zlen;
		int err = d->ops.write(d->ctx, z, n, off);

		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

/* Read or write a request's segments with the disk's callbacks. */
static int do_rw(struct host_disk *d, struct lkl_blk_req *req,
		 struct bounce *b)
{
	struct iovec iov[LKL_BLK_MAX_SEGS];
	int write = req->op == LKL_BLK_OP_WRITE;
	size_t total = 0, pos;
	int i, err;

	if (req->nr_segs < 0 || req->nr_segs > LKL_BLK_MAX_SEGS)
		return -EINVAL;
	for (i = 0; i < req->nr_segs; i++) {
		iov[i].iov_base = req->segs[i].base;
		iov[i].iov_len = req->segs[i].len;
		total += req->segs[i].len;
	}
	if (write && d->ops.writev)
		return d->ops.writev(d->ctx, iov, req->nr_segs, req->offset);
	if (!write && d->ops.readv)
		return d->ops.readv(d->ctx, iov, req->nr_segs, req->offset);
	if (req->nr_segs == 1) {
		if (write)
			return d->ops.write(d->ctx, iov[0].iov_base,
					    iov[0].iov_len, req->offset);
		return d->ops.read(d->ctx, iov[0].iov_base, iov[0].iov_len,
				   req->offset);
	}
	if (!total)
		return 0;

	/* several segments, one callback: through the bounce buffer */
	if (b->size < total) {
		char *p = realloc(b->buf, total);

		if (!p)
			return -ENOMEM;
		b->buf = p;
		b->size = total;
	}
	if (write) {
		for (i = 0, pos = 0; i < req->nr_segs; pos += iov[i].iov_len, i++)
			memcpy(b->buf + pos, iov[i].iov_base, iov[i].iov_len);
		return d->ops.write(d->ctx, b->buf, total, req->offset);
	}
	err = d->ops.read(d->ctx, b->buf, total, req->offset);
	if (err)
		return err;
	for (i = 0, pos = 0; i < req->nr_segs; pos += iov[i].iov_len, i++)
		memcpy(iov[i].iov_base, b->buf + pos, iov[i].iov_len);
	return 0;
}

static int do_request(struct host_disk *d, struct lkl_blk_req *req,
		      struct bounce *b)
{
	int err;

	switch (req->op) {
	case LKL_BLK_OP_READ:
		return do_rw(d, req, b);
	case LKL_BLK_OP_WRITE:
		if (d->readonly)
			return -EROFS;
		err = do_rw(d, req, b);
		if (!err && (req->flags & LKL_BLK_FLAG_FUA) && d->ops.flush)
			err = d->ops.flush(d->ctx);
		return err;
	case LKL_BLK_OP_FLUSH:
		if (d->readonly || !d->ops.flush)
			return 0;
		return d->ops.flush(d->ctx);
	case LKL_BLK_OP_DISCARD:
		if (d->readonly)
			return -EROFS;
		/* best effort: the data may be dropped, not must */
		if (!d->ops.discard)
			return 0;
		return d->ops.discard(d->ctx, req->offset, req->length);
	case LKL_BLK_OP_WRITE_ZEROES:
		if (d->readonly)
			return -EROFS;
		if (d->ops.write_zeroes)
			return d->ops.write_zeroes(d->ctx, req->offset,
						   req->length);
		return zero_fill(d, req->offset, req->length);
	}
	return -EOPNOTSUPP;
}

static void *io_thread(void *arg)
{
	struct host_disk *d = arg;
	struct bounce b = { NULL, 0 };

	pthread_mutex_lock(&d->lock);
	for (;;) {
		struct lkl_blk_req *req;
		int err;

		while (!d->qlen && !d->stop)
			pthread_cond_wait(&d->cond, &d->lock);
		if (!d->qlen)
			break;
		req = d->queue[d->qhead];
		d->qhead = (d->qhead + 1) % d->qsize;
		d->qlen--;
		pthread_mutex_unlock(&d->lock);
		err = do_request(d, req, &b);
		/* the kernel's errno space is Linux's, like ours */
		if (err > 0)
			err = -EIO;
		lkl_blk_complete(req, err);
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	free(b.buf);
	return NULL;
}

/*
 * Stop the I/O threads and free the disk. drop: forget queued requests
 * (the kernel that sent them is gone). release: call ops.release.
 */
static void disk_free(struct host_disk *d, int drop, int release)
{
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	if (drop)
		d->qlen = 0;
	d->stop = 1;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->nr_threads; i++)
		pthread_join(d->threads[i], NULL);
	if (release && d->ops.release)
		d->ops.release(d->ctx);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d->threads);
	free(d->queue);
	free(d);
}

LKL_HOST_API int lkl_host_disk_add_ops(const struct lkl_host_disk_ops *ops,
				       void *ctx, uint64_t size, int readonly)
{
	struct host_disk *d;
	unsigned int i, n;
	int err = 0;
	long id;

	if (!lkl_is_running())
		return -ENODEV;
	if (!ops || !ops->read || (!readonly && !ops->write) ||
	    size < 512 || size >> 62)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ops = *ops;
	d->ctx = ctx;
	d->readonly = !!readonly;
	d->size = size & ~511ULL;
	n = ops->threads ? ops->threads : DEFAULT_THREADS;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	d->threads = calloc(n, sizeof(*d->threads));
	if (!d->threads) {
		free(d);
		return -ENOMEM;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	for (i = 0; i < n; i++) {
		err = lkl_host_thread_start(&d->threads[i], io_thread, d);
		if (err)
			break;
		d->nr_threads++;
	}
	if (!d->nr_threads) {
		disk_free(d, 0, 0);
		return err;
	}

	/* The kernel reads the partition table before this returns. */
	id = lkl_host_sys(__lkl__NR_lkl_disk_add, (long)d, (long)d->size,
			  readonly ? LKL_DISK_READONLY : 0, 0, 0, 0);
	if (id < 0) {
		disk_free(d, 0, 0);
		return (int)id;
	}
	d->id = (int)id;
	pthread_mutex_lock(&disks_lock);
	d->next = disks;
	disks = d;
	pthread_mutex_unlock(&disks_lock);
	return d->id;
}

/* disks_lock held */
static struct host_disk **disk_find(int disk_id)
{
	struct host_disk **pp;

	for (pp = &disks; *pp; pp = &(*pp)->next)
		if ((*pp)->id == disk_id)
			return pp;
	return NULL;
}

LKL_HOST_API int lkl_host_disk_remove(int disk_id)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct host_disk *d, **pp;
	long err = 0;
	int i;

	pthread_mutex_lock(&disks_lock);
	pp = disk_find(disk_id);
	d = pp ? *pp : NULL;
	if (!d || d->removing) {
		pthread_mutex_unlock(&disks_lock);
		return d ? -EBUSY : -ENXIO;
	}
	d->removing = 1;
	pthread_mutex_unlock(&disks_lock);

	/*
	 * The kernel drains the disk's requests before this returns (it may
	 * wait for a callback). EBUSY: still open; the last close of an
	 * unmount can lag a little. After a halt there is no kernel left to
	 * ask: just release the host side.
	 */
	for (i = 0; i < REMOVE_TRIES && lkl_is_running(); i++) {
		err = lkl_host_sys(__lkl__NR_lkl_disk_remove, disk_id, 0, 0, 0,
				   0, 0);
		if (err != -EBUSY)
			break;
		nanosleep(&ts, NULL);
	}

	pthread_mutex_lock(&disks_lock);
	pp = disk_find(disk_id);
	if (err)
		d->removing = 0;
	else
		*pp = d->next;
	pthread_mutex_unlock(&disks_lock);
	if (err)
		return (int)err;
	disk_free(d, !lkl_is_running(), 1);
	return 0;
}

LKL_HOST_API int64_t lkl_host_disk_size(int disk_id)
{
	struct host_disk **pp;
	int64_t size = -ENXIO;

	pthread_mutex_lock(&disks_lock);
	pp = disk_find(disk_id);
	if (pp)
		size = (int64_t)(*pp)->size;
	pthread_mutex_unlock(&disks_lock);
	return size;
}

int lkl_host_disk_query(int disk_id, const struct lkl_host_disk_ops *kind,
			int (*fn)(void *ctx, void *arg), void *arg)
{
	struct host_disk **pp;
	int ret = -ENXIO;

	pthread_mutex_lock(&disks_lock);
	pp = disk_find(disk_id);
	if (pp && (*pp)->ops.read != kind->read)
		ret = -EINVAL;
	else if (pp)
		ret = fn((*pp)->ctx, arg);
	pthread_mutex_unlock(&disks_lock);
	return ret;
}
