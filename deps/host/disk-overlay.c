// SPDX-License-Identifier: GPL-2.0
/*
 * Overlay disks: copy-on-write in memory over a read-only host file.
 *
 * The disk is cut into 4 KiB chunks. A chunk that was written lives in
 * memory, found through a radix tree (512 pointers per node, as deep as
 * the disk's size needs). A chunk that was discarded or zeroed and not
 * written since is covered by a sorted list of zero ranges. Any other chunk
 * reads from the base, which is opened read-only by us and never written.
 * A partial write to a chunk first fills it from the base (or zeroes).
 *
 * Callbacks run on the disk's I/O threads (see disk.c) and share one mutex;
 * reads from the base are done outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CHUNK_SHIFT 12
#define CHUNK (1UL << CHUNK_SHIFT)
#define FAN_SHIFT 9
#define FAN (1U << FAN_SHIFT)
#define NODE_BYTES (FAN * sizeof(void *))
#define RUNS 64			/* base reads batched per lock hold */

struct zrange {
	uint64_t a, b;		/* chunks [a, b) read as zeroes */
};

struct overlay {
	int fd;			/* the base, read-only */
	int levels;		/* radix tree depth (1: the root is a leaf) */
	void **root;
	pthread_mutex_t lock;
	uint64_t chunks, nodes;
	struct zrange *zero;
	size_t nzero, zcap;
};

/* Reads of the base: past its end they give zeroes. */
static int base_read(struct overlay *o, void *buf, size_t len, uint64_t off)
{
	struct iovec iov = { buf, len };

	return lkl_host_fd_rw(o->fd, 0, &iov, 1, off);
}

static void *lookup(struct overlay *o, uint64_t ci)
{
	void **node = o->root;
	int l;

	for (l = o->levels - 1; l > 0; l--) {
		node = node[(ci >> (FAN_SHIFT * l)) & (FAN - 1)];
		if (!node)
			return NULL;
	}
	return node[ci & (FAN - 1)];
}

/* The leaf slot of chunk ci, making nodes on the way; NULL: no memory. */
static void **slot(struct overlay *o, uint64_t ci)
{
	void **node = o->root;
	int l;

	for (l = o->levels - 1; l > 0; l--) {
		void ***child = (void ***)&node[(ci >> (FAN_SHIFT * l)) &
						(FAN - 1)];

		if (!*child) {
			*child = calloc(FAN, sizeof(void *));
			if (!*child)
				return NULL;
			o->nodes++;
		}
		node = *child;
	}
	return &node[ci & (FAN - 1)];
}

/*
 * Free the chunks in [a, b) under node (level L covers FAN^(L+1) chunks
 * from first). Returns 1 if the node is empty afterwards.
 */
static int drop(struct overlay *o, void **node, int level, uint64_t first,
		uint64_t a, uint64_t b)
{
	uint64_t span = 1ULL << (FAN_SHIFT * level), i, i0, i1;

	i0 = a > first ? (a - first) / span : 0;
	i1 = (b - first + span - 1) / span;
	if (i1 > FAN)
		i1 = FAN;
	for (i = i0; i < i1; i++) {
		uint64_t cf = first + i * span;

		if (!node[i])
			continue;
		if (!level) {
			free(node[i]);
			node[i] = NULL;
			o->chunks--;
		} else if (drop(o, node[i], level - 1, cf, a > cf ? a : cf,
				b < cf + span ? b : cf + span)) {
			free(node[i]);
			node[i] = NULL;
			o->nodes--;
		}
	}
	for (i = 0; i < FAN; i++)
		if (node[i])
			return 0;
	return 1;
}

static void free_tree(void **node, int level)
{
	unsigned int i;

	for (i = 0; i < FAN; i++) {
		if (node[i] && level)
			free_tree(node[i], level - 1);
		else
			free(node[i]);
	}
	free(node);
}

/* Index of the first zero range with b >= ci (the only one that may hold it). */
static size_t zfind(struct overlay *o, uint64_t ci)
{
	size_t lo = 0, hi = o->nzero;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (o->zero[mid].b <= ci)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int zero_has(struct overlay *o, uint64_t ci)
{
	size_t i = zfind(o, ci);

	return i < o->nzero && o->zero[i].a <= ci;
}

/* Add [a, b), merging with ranges it overlaps or touches. */
static int zero_add(struct overlay *o, uint64_t a, uint64_t b)
{
	size_t i, j;

	/* first range that ends at or after a; ranges touching a merge */
	for (i = a ? zfind(o, a - 1) : 0; i < o->nzero && o->zero[i].b < a;)
		i++;
	for (j = i; j < o->nzero && o->zero[j].a <= b; j++) {
		if (o->zero[j].a < a)
			a = o->zero[j].a;
		if (o->zero[j].b > b)
			b = o->zero[j].b;
	}
	if (i == j) {
		if (o->nzero == o->zcap) {
			size_t n = o->zcap ? o->zcap * 2 : 16;
			struct zrange *z = realloc(o->zero, n * sizeof(*z));

			if (!z)
				return -ENOMEM;
			o->zero = z;
			o->zcap = n;
		}
		memmove(&o->zero[i + 1], &o->zero[i],
			(o->nzero - i) * sizeof(*o->zero));
		o->nzero++;
	} else if (j - i > 1) {
		memmove(&o->zero[i + 1], &o->zero[j],
			(o->nzero - j) * sizeof(*o->zero));
		o->nzero -= j - i - 1;
	}
	o->zero[i].a = a;
	o->zero[i].b = b;
	return 0;
}

/* Chunk ci in memory, filled from what it held before if need be. */
static char *materialize(struct overlay *o, uint64_t ci, int fill)
{
	void **s = slot(o, ci);
	char *c;

	if (!s)
		return NULL;
	if (*s)
		return *s;
	c = malloc(CHUNK);
	if (!c)
		return NULL;
	if (fill) {
		if (zero_has(o, ci))
			memset(c, 0, CHUNK);
		else if (base_read(o, c, CHUNK, ci << CHUNK_SHIFT)) {
			free(c);
			return NULL;
		}
	}
	*s = c;
	o->chunks++;
	return c;
}

struct run {
	char *dst;
	uint64_t off;
	size_t len;
};

static int do_runs(struct overlay *o, struct run *runs, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		err = base_read(o, runs[i].dst, runs[i].len, runs[i].off);
		if (err)
			return err;
	}
	return 0;
}

static int ov_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct overlay *o = ctx;
	struct run runs[RUNS];
	uint64_t p = off, end = off + len;
	char *dst = buf;
	int n = 0, err;

	pthread_mutex_lock(&o->lock);
	if (!o->chunks && !o->nzero) {
		/* nothing written yet: straight from the base */
		pthread_mutex_unlock(&o->lock);
		return base_read(o, buf, len, off);
	}
	while (p < end) {
		uint64_t ci = p >> CHUNK_SHIFT, co = p & (CHUNK - 1);
		size_t k = CHUNK - co < end - p ? CHUNK - co : end - p;
		char *c = lookup(o, ci);

		if (c) {
			memcpy(dst, c + co, k);
		} else if (zero_has(o, ci)) {
			memset(dst, 0, k);
		} else if (n && runs[n - 1].off + runs[n - 1].len == p) {
			runs[n - 1].len += k;
		} else {
			if (n == RUNS) {
				pthread_mutex_unlock(&o->lock);
				err = do_runs(o, runs, n);
				if (err)
					return err;
				n = 0;
				pthread_mutex_lock(&o->lock);
			}
			runs[n].dst = dst;
			runs[n].off = p;
			runs[n].len = k;
			n++;
		}
		p += k;
		dst += k;
	}
	pthread_mutex_unlock(&o->lock);
	return do_runs(o, runs, n);
}

static int ov_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct overlay *o = ctx;
	uint64_t p = off, end = off + len;
	const char *src = buf;
	int err = 0;

	pthread_mutex_lock(&o->lock);
	while (p < end) {
		uint64_t ci = p >> CHUNK_SHIFT, co = p & (CHUNK - 1);
		size_t k = CHUNK - co < end - p ? CHUNK - co : end - p;
		char *c = materialize(o, ci, k < CHUNK);

		if (!c) {
			err = -ENOMEM;
			break;
		}
		memcpy(c + co, src, k);
		p += k;
		src += k;
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

/*
 * Zero k bytes at co of chunk ci (a partial chunk). A chunk not in the
 * overlay is copied from the base first, unless it already reads as zeroes.
 * Called with o->lock held.
 */
static int zero_part(struct overlay *o, uint64_t ci, size_t co, size_t k)
{
	char *c = lookup(o, ci);

	if (!c && zero_has(o, ci))
		return 0;
	if (!c)
		c = materialize(o, ci, 1);
	if (!c)
		return -ENOMEM;
	memset(c + co, 0, k);
	return 0;
}

/* Discard and write-zeroes: exact, both read back as zeroes. */
static int ov_zero(void *ctx, uint64_t off, uint64_t len)
{
	struct overlay *o = ctx;
	uint64_t end = off + len, a, b;
	int err = 0;

	pthread_mutex_lock(&o->lock);
	/* partial chunks at either end */
	while (off < end && ((off & (CHUNK - 1)) || end - off < CHUNK)) {
		uint64_t ci = off >> CHUNK_SHIFT, co = off & (CHUNK - 1);
		size_t k = CHUNK - co < end - off ? CHUNK - co : end - off;

		err = zero_part(o, ci, co, k);
		if (err)
			goto out;
		off += k;
	}
	while (end > off && (end & (CHUNK - 1))) {
		uint64_t ci = (end - 1) >> CHUNK_SHIFT;
		size_t k = end & (CHUNK - 1);

		err = zero_part(o, ci, 0, k);
		if (err)
			goto out;
		end -= k;
	}
	if (off < end) {
		a = off >> CHUNK_SHIFT;
		b = end >> CHUNK_SHIFT;
		drop(o, o->root, o->levels - 1, 0, a, b);
		err = zero_add(o, a, b);
	}
out:
	pthread_mutex_unlock(&o->lock);
	return err;
}

static void ov_release(void *ctx)
{
	struct overlay *o = ctx;

	if (o->root)
		free_tree(o->root, o->levels - 1);
	free(o->zero);
	pthread_mutex_destroy(&o->lock);
	if (o->fd >= 0)
		close(o->fd);
	free(o);
}

static const struct lkl_host_disk_ops ov_ops = {
	.read = ov_read,
	.write = ov_write,
	.discard = ov_zero,
	.write_zeroes = ov_zero,
	.release = ov_release,
	.threads = 4,
};

/* Our own read-only descriptor for whatever base_fd is open on. */
static int open_readonly(int base_fd)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", base_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (fcntl(base_fd, F_GETFL) < 0)
		return -EBADF;
	/* no /proc: share the description; we only ever read from it */
	fd = fcntl(base_fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

LKL_HOST_API int lkl_host_disk_add_overlay(int base_fd, uint64_t size,
					   int readonly)
{
	struct overlay *o;
	uint64_t chunks;
	int ret;

	if (!lkl_is_running())
		return -ENODEV;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	pthread_mutex_init(&o->lock, NULL);
	o->fd = open_readonly(base_fd);
	if (o->fd < 0) {
		ret = o->fd;
		goto fail;
	}
	if (!size) {
		ret = lkl_host_fd_size(o->fd, &size);
		if (ret)
			goto fail;
	}
	ret = -EINVAL;
	if (size < 512 || size >> 62)
		goto fail;
	chunks = (size + CHUNK - 1) >> CHUNK_SHIFT;
	for (o->levels = 1; o->levels < 8 &&
	     chunks > 1ULL << (FAN_SHIFT * o->levels); o->levels++)
		;
	o->root = calloc(FAN, sizeof(void *));
	ret = -ENOMEM;
	if (!o->root)
		goto fail;
	o->nodes = 1;
	ret = lkl_host_disk_add_ops(&ov_ops, o, size, readonly);
	if (ret >= 0)
		return ret;
fail:
	ov_release(o);
	return ret;
}

static int ov_bytes(void *ctx, void *arg)
{
	struct overlay *o = ctx;

	pthread_mutex_lock(&o->lock);
	*(int64_t *)arg = (int64_t)(o->chunks * CHUNK + o->nodes * NODE_BYTES +
				    o->zcap * sizeof(struct zrange));
	pthread_mutex_unlock(&o->lock);
	return 0;
}

LKL_HOST_API int64_t lkl_host_disk_overlay_bytes(int disk_id)
{
	int64_t bytes = 0;
	int err = lkl_host_disk_query(disk_id, &ov_ops, ov_bytes, &bytes);

	return err ? err : bytes;
}
