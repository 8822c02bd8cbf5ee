// SPDX-License-Identifier: GPL-2.0
/*
 * Copy between a host fd and a kernel fd in large chunks, on the calling
 * thread (a host task: the kernel side is syscalls). Sparse-aware: holes of
 * the source (SEEK_DATA/SEEK_HOLE) and all-zero blocks are skipped when the
 * destination is a regular file and the range lies past its size before
 * the copy, then the destination is extended to the end of the copy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lkl/asm/unistd.h>
#include <lkl/asm/stat.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/fs.h>
#include <lkl/asm/errno.h>

#include "internal.h"

#define COPY_BUF (2UL << 20)	/* per slot */
#define SLOTS 3
#define ZBLOCK (64UL << 10)	/* the unit of zero detection */

struct side {
	int kernel;
	int fd;
	int stream;		/* not seekable (a pipe): read/write */
	int cur;		/* offset -1: use and advance the position */
	int reg;		/* a regular file */
	uint64_t off;		/* next offset */
	int64_t pos0;		/* the position before the copy (or -1) */
	uint64_t size0;		/* size before the copy (regular files) */
};

static long ksys(long no, long a, long b, long c, long d)
{
	return lkl_host_sys(no, a, b, c, d, 0, 0);
}

static long s_read(struct side *s, void *buf, size_t n)
{
	long r;

	for (;;) {
		if (s->kernel)
			r = s->stream ? ksys(__lkl__NR_read, s->fd, (long)buf, n, 0)
				      : ksys(__lkl__NR_pread64, s->fd, (long)buf,
					     n, s->off);
		else {
			r = s->stream ? read(s->fd, buf, n)
				      : pread(s->fd, buf, n, s->off);
			if (r < 0)
				r = -errno;
		}
		if (r != -EINTR)
			break;
	}
	if (r > 0)
		s->off += r;
	return r;
}

static long s_write_all(struct side *s, const char *buf, size_t n)
{
	while (n) {
		long r;

		if (s->kernel)
			r = s->stream ? ksys(__lkl__NR_write, s->fd, (long)buf, n, 0)
				      : ksys(__lkl__NR_pwrite64, s->fd, (long)buf,
					     n, s->off);
		else {
			r = s->stream ? write(s->fd, buf, n)
				      : pwrite(s->fd, buf, n, s->off);
			if (r < 0)
				r = -errno;
		}
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (!r)
			return -EIO;
		buf += r;
		n -= r;
		s->off += r;
	}
	return 0;
}

static int64_t s_seek(struct side *s, int64_t off, int whence)
{
	int64_t r;

	if (s->kernel)
		return ksys(__lkl__NR_lseek, s->fd, off, whence, 0);
	r = lseek(s->fd, off, whence);
	return r < 0 ? -errno : r;
}

static int s_stat(struct side *s)
{
	if (s->kernel) {
		struct lkl_stat st;
		long r = ksys(__lkl__NR_fstat, s->fd, (long)&st, 0, 0);

		if (r)
			return (int)r;
		s->reg = LKL_S_ISREG(st.st_mode);
		s->size0 = st.st_size;
	} else {
		struct stat st;

		if (fstat(s->fd, &st))
			return -errno;
		s->reg = S_ISREG(st.st_mode);
		s->size0 = st.st_size;
	}
	return 0;
}

static int s_extend(struct side *s, uint64_t size)
{
	uint64_t now;
	int err;

	err = s_stat(s);
	now = s->size0;
	if (err || now >= size)
		return err;
	if (s->kernel)
		return (int)ksys(__lkl__NR_ftruncate, s->fd, size, 0, 0);
	return ftruncate(s->fd, size) ? -errno : 0;
}

static int s_open(struct side *s, int kernel, int fd, int64_t off)
{
	int64_t pos;
	int err;

	memset(s, 0, sizeof(*s));
	s->kernel = kernel;
	s->fd = fd;
	err = s_stat(s);
	if (err)
		return err;
	if (off < -1)
		return -EINVAL;
	/* SEEK_DATA/SEEK_HOLE move the position: it is put back after */
	pos = s_seek(s, 0, SEEK_CUR);
	s->pos0 = pos < 0 ? -1 : pos;
	if (off >= 0) {
		if (pos == -ESPIPE)
			return -ESPIPE;
		s->off = off;
		return 0;
	}
	if (pos == -ESPIPE) {
		s->stream = 1;
		return 0;
	}
	if (pos < 0)
		return (int)pos;
	s->cur = 1;
	s->off = pos;
	return 0;
}

static int all_zero(const char *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)p;
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (w[i])
			return 0;
	for (i = n / 8 * 8; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* May the destination skip writing zeroes for the next n bytes? */
static int can_skip(const struct side *d)
{
	return !d->stream && d->reg && d->off >= d->size0;
}

/* Write buf to dst, leaving out all-zero blocks where that is allowed. */
static long put(struct side *d, const char *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, k;

		if (can_skip(d)) {
			/* runs of zero blocks are skipped, the rest written */
			while (j < n) {
				k = n - j < ZBLOCK ? n - j : ZBLOCK;
				if (!all_zero(buf + j, k))
					break;
				j += k;
			}
			d->off += j - i;
			i = j;
			while (j < n) {
				k = n - j < ZBLOCK ? n - j : ZBLOCK;
				if (all_zero(buf + j, k))
					break;
				j += k;
			}
		} else {
			j = n;
		}
		if (j > i) {
			long r = s_write_all(d, buf + i, j - i);

			if (r)
				return r;
			i = j;
		}
	}
	return 0;
}

/* A hole of n bytes in the source: skip it or write zeroes. */
static long put_hole(struct side *d, uint64_t n)
{
	size_t zlen;
	const char *z;

	if (can_skip(d)) {
		d->off += n;
		return 0;
	}
	z = lkl_host_zeroes(&zlen);
	if (!z)
		return -ENOMEM;
	while (n) {
		size_t k = n < zlen ? n : zlen;
		long r = s_write_all(d, z, k);

		if (r)
			return r;
		n -= k;
	}
	return 0;
}

/*
 * The copy is a pipeline of two stages: the source side (find data and
 * holes, read) produces slots, the destination side (skip zeroes, write)
 * consumes them in order. The kernel side always stays on the calling
 * thread (its host task); for copies larger than one buffer the host side
 * runs on a helper thread, so host and kernel work overlap.
 */
struct slot {
	char *buf;
	size_t n;		/* bytes of data in buf */
	uint64_t hole;		/* or: a hole of this many bytes */
};

struct copy {
	struct side *s, *d;
	uint64_t len;
	int threaded;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slot[SLOTS];
	unsigned int head, count;	/* full slots, in order */
	int produced;			/* the source side finished */
	int err;			/* first error of either side */
	uint64_t done;			/* bytes produced (holes included) */
};

static int consume_one(struct copy *c, struct slot *sl)
{
	if (sl->hole)
		return (int)put_hole(c->d, sl->hole);
	return (int)put(c->d, sl->buf, sl->n);
}

/* Source side: a buffer to fill (NULL: stop, the other side failed). */
static struct slot *slot_get(struct copy *c)
{
	struct slot *sl;

	if (!c->threaded)
		return c->err ? NULL : &c->slot[0];
	pthread_mutex_lock(&c->lock);
	while (c->count == SLOTS && !c->err)
		pthread_cond_wait(&c->cond, &c->lock);
	sl = c->err ? NULL : &c->slot[(c->head + c->count) % SLOTS];
	pthread_mutex_unlock(&c->lock);
	return sl;
}

static void slot_put(struct copy *c, struct slot *sl)
{
	int err;

	if (!c->threaded) {
		err = consume_one(c, sl);
		if (err && !c->err)
			c->err = err;
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->count++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void fail(struct copy *c, int err)
{
	pthread_mutex_lock(&c->lock);
	if (!c->err)
		c->err = err;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void produce(struct copy *c)
{
	struct side *s = c->s;
	int sparse = !s->stream && s->reg, eof = 0;
	uint64_t len = c->len;
	struct slot *sl;

	while (c->done < len && !eof) {
		uint64_t data_end = s->off + (len - c->done);

		if (sparse) {
			int64_t a = s_seek(s, s->off, LKL_SEEK_DATA);
			int64_t b;

			if (a == -ENXIO)	/* only a hole is left */
				a = data_end;
			if (a < 0) {	/* no SEEK_DATA here: all data */
				sparse = 0;
				continue;
			}
			if ((uint64_t)a > data_end)
				a = data_end;
			if ((uint64_t)a > s->off) {
				sl = slot_get(c);
				if (!sl)
					break;
				sl->n = 0;
				sl->hole = a - s->off;
				c->done += sl->hole;
				s->off = a;
				slot_put(c, sl);
				continue;
			}
			b = s_seek(s, s->off, LKL_SEEK_HOLE);
			if (b < 0 || (uint64_t)b > data_end)
				b = data_end;
			if ((uint64_t)b <= s->off)	/* raced: treat as data */
				b = data_end;
			data_end = b;
		}
		while (s->off < data_end) {
			uint64_t left = data_end - s->off;
			long r;

			sl = slot_get(c);
			if (!sl)
				return;
			r = s_read(s, sl->buf, left < COPY_BUF ? left : COPY_BUF);
			if (r <= 0) {
				if (r < 0)
					fail(c, (int)r);
				eof = 1;
				break;
			}
			sl->n = r;
			sl->hole = 0;
			c->done += r;
			slot_put(c, sl);
		}
	}
	pthread_mutex_lock(&c->lock);
	c->produced = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void consume(struct copy *c)
{
	struct slot *sl;
	int err;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->count && !c->produced && !c->err)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->err || !c->count)
			break;
		sl = &c->slot[c->head];
		pthread_mutex_unlock(&c->lock);
		err = consume_one(c, sl);
		pthread_mutex_lock(&c->lock);
		if (err) {
			if (!c->err)
				c->err = err;
			pthread_cond_broadcast(&c->cond);
			break;
		}
		c->head = (c->head + 1) % SLOTS;
		c->count--;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
}

static void *helper(void *arg)
{
	struct copy *c = arg;

	/* the host side: the source of copy_from_host, else the destination */
	if (!c->s->kernel)
		produce(c);
	else
		consume(c);
	return NULL;
}

static long long copy(struct side *s, struct side *d, uint64_t len)
{
	struct copy c = { .s = s, .d = d };
	uint64_t start_d = d->off;
	pthread_t tid;
	long long r = 0;
	int i, nbuf;

	if (s->reg && !s->stream) {
		/* regular source: stop at its end */
		uint64_t left = s->size0 > s->off ? s->size0 - s->off : 0;

		if (len > left)
			len = left;
	}
	c.len = len;
	c.threaded = len > COPY_BUF;
	nbuf = c.threaded ? SLOTS : 1;
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	for (i = 0; i < nbuf; i++) {
		c.slot[i].buf = malloc(COPY_BUF);
		if (!c.slot[i].buf)
			c.err = -ENOMEM;
	}
	if (c.threaded && !c.err && pthread_create(&tid, NULL, helper, &c))
		c.threaded = 0;
	if (!c.err) {
		if (!c.threaded) {
			produce(&c);
		} else {
			if (s->kernel)
				produce(&c);
			else
				consume(&c);
			pthread_join(tid, NULL);
		}
	}
	for (i = 0; i < nbuf; i++)
		free(c.slot[i].buf);
	pthread_cond_destroy(&c.cond);
	pthread_mutex_destroy(&c.lock);
	r = c.err;
	/* skipped zeroes at the end: make the file as long as the copy */
	if (!r && !d->stream && d->reg && d->off > start_d)
		r = s_extend(d, d->off);
	if (!s->stream)
		s_seek(s, s->cur ? (int64_t)s->off : s->pos0, SEEK_SET);
	if (!d->stream)
		s_seek(d, d->cur ? (int64_t)d->off : d->pos0, SEEK_SET);
	return r < 0 ? r : (long long)c.done;
}

LKL_HOST_API long long lkl_host_copy_from_host(int host_fd, int64_t host_off,
					       int kernel_fd,
					       int64_t kernel_off,
					       uint64_t len)
{
	struct side s, d;
	int err;

	err = s_open(&s, 0, host_fd, host_off);
	if (!err)
		err = s_open(&d, 1, kernel_fd, kernel_off);
	return err ? err : copy(&s, &d, len);
}

LKL_HOST_API long long lkl_host_copy_to_host(int kernel_fd,
					     int64_t kernel_off, int host_fd,
					     int64_t host_off, uint64_t len)
{
	struct side s, d;
	int err;

	err = s_open(&s, 1, kernel_fd, kernel_off);
	if (!err)
		err = s_open(&d, 0, host_fd, host_off);
	return err ? err : copy(&s, &d, len);
}
