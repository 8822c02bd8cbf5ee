// SPDX-License-Identifier: GPL-2.0
/*
 * Memory disks: host memory as a callback disk. The buffer is either the
 * library's own (anonymous mmap, so a blank disk costs only the pages
 * written, and discard gives pages back) or the caller's, used in place.
 * Callbacks (memcpy) run on the disk's I/O threads (see disk.c); requests
 * never overlap in flight, so they need no lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct mem_disk {
	char *buf;
	uint64_t size;
	int owned;			/* mmap'ed by us */
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem_disk *m = ctx;

	if (off >= m->size || len > m->size - off)
		return -EIO;
	memcpy(buf, m->buf + off, len);
	return 0;
}

static int mem_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct mem_disk *m = ctx;

	if (off >= m->size || len > m->size - off)
		return -EIO;
	memcpy(m->buf + off, buf, len);
	return 0;
}

static int mem_zero(void *ctx, uint64_t off, uint64_t len)
{
	struct mem_disk *m = ctx;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), a, b;

	if (off >= m->size || len > m->size - off)
		return -EIO;
	if (m->owned) {
		/* whole pages go back to the host and read as zeroes */
		a = (off + page - 1) / page * page;
		b = (off + len) / page * page;
		if (a < b && !madvise(m->buf + a, b - a, MADV_DONTNEED)) {
			memset(m->buf + off, 0, a - off);
			memset(m->buf + b, 0, off + len - b);
			return 0;
		}
	}
	memset(m->buf + off, 0, len);
	return 0;
}

static void mem_release(void *ctx)
{
	struct mem_disk *m = ctx;

	if (m->owned)
		munmap(m->buf, m->size);
	free(m);
}

static const struct lkl_host_disk_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
	.discard = mem_zero,
	.write_zeroes = mem_zero,
	.release = mem_release,
	.threads = 2,
};

LKL_HOST_API int lkl_host_disk_add_memory(void *buf, uint64_t size,
					  int readonly, int copy)
{
	struct mem_disk *m;
	int ret;

	if (!lkl_is_running())
		return -ENODEV;
	if (size < 512 || size >> 62)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->size = size;
	if (!buf || copy) {
		void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);

		if (p == MAP_FAILED) {
			free(m);
			return -ENOMEM;
		}
		m->buf = p;
		m->owned = 1;
		if (buf)
			memcpy(m->buf, buf, size);
	} else {
		m->buf = buf;
	}
	ret = lkl_host_disk_add_ops(&mem_ops, m, size, readonly);
	if (ret < 0)
		mem_release(m);
	return ret;
}

struct mem_query {
	void *ptr;
	uint64_t size;
};

static int mem_query(void *ctx, void *arg)
{
	struct mem_disk *m = ctx;
	struct mem_query *q = arg;

	q->ptr = m->buf;
	q->size = m->size;
	return 0;
}

LKL_HOST_API void *lkl_host_disk_memory_ptr(int disk_id, uint64_t *size)
{
	struct mem_query q = { NULL, 0 };

	if (lkl_host_disk_query(disk_id, &mem_ops, mem_query, &q))
		return NULL;
	if (size)
		*size = q.size;
	return q.ptr;
}
