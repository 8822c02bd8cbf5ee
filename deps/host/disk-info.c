// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel knows about a disk: its partitions (from sysfs, mounted
 * once at /sys inside the kernel), the partition table as written, and raw
 * access to its block devices. Partition types and GUIDs are not in sysfs,
 * and sysfs keeps only 7 bits of GPT names: those come from the table,
 * read through the kernel's own block device and matched to the kernel's
 * partitions by start. This is the project's one partition-table parser:
 * lib/ reads the table through lkl_host_disk_table to explain partitions
 * the kernel dropped or cut short. Everything here runs on the calling
 * thread as syscalls (a host task).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>
#include <lkl/linux/fs.h>
#include <lkl/asm/errno.h>

#include "internal.h"

#define SECTOR 512
#define GPT_MAX_ENTRIES 1024
#define EBR_MAX 256

static pthread_mutex_t sysfs_lock = PTHREAD_MUTEX_INITIALIZER;
static int sysfs_mounted;

static int mount_sysfs(void)
{
	long err = 0;

	pthread_mutex_lock(&sysfs_lock);
	if (!sysfs_mounted) {
		err = lkl_host_sys(__lkl__NR_mkdirat, LKL_AT_FDCWD,
				   (long)"/sys", 0755, 0, 0, 0);
		if (err == -LKL_EEXIST)
			err = 0;
		if (!err)
			err = lkl_host_sys(__lkl__NR_mount, (long)"sysfs",
					   (long)"/sys", (long)"sysfs", 0, 0, 0);
		if (err == -LKL_EBUSY)
			err = 0;
		sysfs_mounted = !err;
	}
	pthread_mutex_unlock(&sysfs_lock);
	return (int)err;
}

/* A small kernel file into buf (NUL-terminated); length or -errno. */
static long read_kfile(const char *path, char *buf, size_t size)
{
	long fd, n, total = 0;

	fd = lkl_host_sys(__lkl__NR_openat, LKL_AT_FDCWD, (long)path,
			  LKL_O_RDONLY | LKL_O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		return fd;
	while ((size_t)total < size - 1) {
		n = lkl_host_sys(__lkl__NR_read, fd, (long)(buf + total),
				 size - 1 - total, 0, 0, 0);
		if (n < 0) {
			total = n;
			break;
		}
		if (!n)
			break;
		total += n;
	}
	lkl_host_sys(__lkl__NR_close, fd, 0, 0, 0, 0, 0);
	if (total >= 0)
		buf[total] = 0;
	return total;
}

static long read_knum(const char *dir, const char *name, uint64_t *v)
{
	char path[256], buf[64];
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = read_kfile(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

/* Make a node for (disk, part), open it and unlink it again. */
LKL_HOST_API long lkl_host_disk_open(int disk_id, int part, int flags)
{
	static int counter;
	char dev[64];
	long devt, err, fd;

	if (disk_id < 0 || part < 0)
		return -ENXIO;
	/* direct I/O pins pages: host buffers have none (EFAULT) */
	if (flags & LKL_O_DIRECT)
		return -EINVAL;
	devt = lkl_host_sys(__lkl__NR_lkl_disk_devt, disk_id, part, 0, 0, 0,
			    0);
	if (devt < 0)
		return devt;
	err = lkl_host_sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, (long)"/dev",
			   0700, 0, 0, 0);
	if (err && err != -LKL_EEXIST)
		return err;
	snprintf(dev, sizeof(dev), "/dev/.raw%dp%d-%d", disk_id, part,
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	err = lkl_host_sys(__lkl__NR_mknodat, LKL_AT_FDCWD, (long)dev,
			   LKL_S_IFBLK | 0600, devt, 0, 0);
	if (err)
		return err;
	fd = lkl_host_sys(__lkl__NR_openat, LKL_AT_FDCWD, (long)dev,
			  flags | LKL_O_CLOEXEC | LKL_O_LARGEFILE, 0, 0, 0);
	lkl_host_sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, (long)dev, 0, 0, 0, 0);
	if (fd >= 0 && (flags & LKL_O_ACCMODE) != LKL_O_RDONLY) {
		int ro = 0;

		/* the kernel opens a read-only disk for writing, then EPERMs */
		err = lkl_host_sys(__lkl__NR_ioctl, fd, LKL_BLKROGET, (long)&ro,
				   0, 0, 0);
		if (err || ro) {
			lkl_host_sys(__lkl__NR_close, fd, 0, 0, 0, 0, 0);
			return err ? err : -EROFS;
		}
	}
	return fd;
}

/* ---- the partition table as written ---- */

/*
 * Entries use struct lkl_host_partition: number as the kernel numbers
 * partitions, start and size in bytes, type, uuid and name as written.
 */
struct table {
	struct lkl_host_partition *e;
	int n, cap;
	int err;		/* -ENOMEM: the table is incomplete */
};

static int kread(long fd, void *buf, size_t len, uint64_t off)
{
	long n = lkl_host_sys(__lkl__NR_pread64, fd, (long)buf, len, off, 0,
			      0);

	return n == (long)len ? 0 : -EIO;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void guid_str(const unsigned char *g, char *out)
{
	sprintf(out, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		le32(g), g[4] | g[5] << 8, g[6] | g[7] << 8, g[8], g[9],
		g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* A GPT name (36 UTF-16LE units) as UTF-8; the kernel keeps 7 bits only. */
static void gpt_name(const unsigned char *in, char *out, size_t size)
{
	size_t o = 0;
	int i;

	for (i = 0; i < 36; i++) {
		uint32_t c = in[2 * i] | in[2 * i + 1] << 8;

		if (!c)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < 36) {
			uint32_t lo = in[2 * i + 2] | in[2 * i + 3] << 8;

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;
		if (o + 5 > size)
			break;
		if (c < 0x80) {
			out[o++] = c;
		} else if (c < 0x800) {
			out[o++] = 0xc0 | c >> 6;
			out[o++] = 0x80 | (c & 0x3f);
		} else if (c < 0x10000) {
			out[o++] = 0xe0 | c >> 12;
			out[o++] = 0x80 | ((c >> 6) & 0x3f);
			out[o++] = 0x80 | (c & 0x3f);
		} else {
			out[o++] = 0xf0 | c >> 18;
			out[o++] = 0x80 | ((c >> 12) & 0x3f);
			out[o++] = 0x80 | ((c >> 6) & 0x3f);
			out[o++] = 0x80 | (c & 0x3f);
		}
	}
	out[o] = 0;
}

static struct lkl_host_partition *table_add(struct table *t, int number,
					    uint64_t start, uint64_t size)
{
	struct lkl_host_partition *p;

	if (t->n == t->cap) {
		int n = t->cap ? t->cap * 2 : 16;

		p = realloc(t->e, n * sizeof(*p));
		if (!p) {
			t->err = -ENOMEM;
			return NULL;
		}
		t->e = p;
		t->cap = n;
	}
	p = &t->e[t->n++];
	memset(p, 0, sizeof(*p));
	p->number = number;
	p->start = start * SECTOR;
	p->size = size * SECTOR;
	return p;
}

/* GPT entry i is partition i + 1; empty entries are skipped. */
static void read_gpt(long fd, struct table *t)
{
	unsigned char hdr[SECTOR], *ents;
	uint64_t lba;
	uint32_t n, esz, i;

	if (kread(fd, hdr, SECTOR, SECTOR) || memcmp(hdr, "EFI PART", 8))
		return;
	lba = le64(hdr + 72);
	n = le32(hdr + 80);
	esz = le32(hdr + 84);
	if (esz < 128 || esz > 4096 || !n)
		return;
	if (n > GPT_MAX_ENTRIES)
		n = GPT_MAX_ENTRIES;
	ents = malloc((size_t)n * esz);
	if (!ents) {
		t->err = -ENOMEM;
		return;
	}
	if (!kread(fd, ents, (size_t)n * esz, lba * SECTOR)) {
		for (i = 0; i < n; i++) {
			unsigned char *e = ents + (size_t)i * esz;
			static const unsigned char nul[16];
			uint64_t first = le64(e + 32), last = le64(e + 40);
			struct lkl_host_partition *p;

			if (!memcmp(e, nul, 16))
				continue;
			p = table_add(t, i + 1, first,
				      last >= first ? last - first + 1 : 0);
			if (!p)
				break;
			guid_str(e, p->type);
			guid_str(e + 16, p->uuid);
			gpt_name(e + 56, p->name, sizeof(p->name));
		}
	}
	free(ents);
}

static int is_extended(unsigned char type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* One MBR entry (16 bytes at e) as partition `number`, `base` sectors in. */
static int mbr_add(struct table *t, const unsigned char *e, uint64_t base,
		   int number, uint32_t sig)
{
	struct lkl_host_partition *p;

	p = table_add(t, number, base + le32(e + 8), le32(e + 12));
	if (!p)
		return -1;
	sprintf(p->type, "0x%02x", e[4]);
	if (sig)
		sprintf(p->uuid, "%08x-%02x", sig, number);
	return 0;
}

/*
 * The kernel's way (block/partitions/msdos.c): a protective MBR means GPT;
 * primaries are 1-4 by slot (the extended container included), logical
 * partitions, from the chain of EBRs, are numbered from 5 on.
 */
static void read_table(long fd, struct table *t)
{
	unsigned char s[SECTOR], e[SECTOR];
	uint32_t sig;
	int i, k, num = 5;

	if (kread(fd, s, SECTOR, 0) || s[510] != 0x55 || s[511] != 0xaa)
		return;
	for (i = 0; i < 4; i++)
		if (s[446 + 16 * i + 4] == 0xee) {
			read_gpt(fd, t);
			return;
		}
	sig = le32(s + 440);
	for (i = 0; i < 4; i++) {
		unsigned char *p = s + 446 + 16 * i;
		uint64_t ext, ebr;

		if (!p[4] || !le32(p + 12))
			continue;
		if (mbr_add(t, p, 0, i + 1, sig))
			return;
		if (!is_extended(p[4]))
			continue;
		/* the chain of logical partitions */
		ext = ebr = le32(p + 8);
		for (k = 0; k < EBR_MAX; k++) {
			unsigned char *l = e + 446, *next = e + 446 + 16;

			if (kread(fd, e, SECTOR, ebr * SECTOR) ||
			    e[510] != 0x55 || e[511] != 0xaa)
				break;
			if (l[4] && le32(l + 12) && !is_extended(l[4])) {
				if (mbr_add(t, l, ebr, num, sig))
					return;
				num++;
			}
			if (!is_extended(next[4]) || !le32(next + 8))
				break;
			ebr = ext + le32(next + 8);
		}
	}
}

/* The table of a disk, read through the kernel's block device. */
static int disk_table(int disk_id, struct table *t)
{
	long fd = lkl_host_disk_open(disk_id, 0, LKL_O_RDONLY);

	if (fd < 0)
		return (int)fd;
	read_table(fd, t);
	lkl_host_sys(__lkl__NR_close, fd, 0, 0, 0, 0, 0);
	return t->err;
}

LKL_HOST_API int lkl_host_disk_table(int disk_id,
				     struct lkl_host_partition *out, int max)
{
	struct table tab = { NULL, 0, 0, 0 };
	int err = disk_table(disk_id, &tab), i;

	if (!err)
		for (i = 0; i < tab.n && i < max; i++)
			out[i] = tab.e[i];
	free(tab.e);
	return err ? err : tab.n;
}

/* ---- the kernel's partitions ---- */

static int cmp_part(const void *a, const void *b)
{
	const struct lkl_host_partition *x = a, *y = b;

	return x->number - y->number;
}

static void parse_uevent(const char *text, struct lkl_host_partition *p)
{
	const char *s = strstr(text, "PARTNAME=");
	size_t n;

	if (s && (s == text || s[-1] == '\n')) {
		s += 9;
		n = strcspn(s, "\n");
		if (n >= sizeof(p->name))
			n = sizeof(p->name) - 1;
		memcpy(p->name, s, n);
		p->name[n] = 0;
	}
}

LKL_HOST_API int lkl_host_disk_partitions(int disk_id,
					  struct lkl_host_partition *out,
					  int max)
{
	char dir[64], sub[160], prefix[32], buf[4096], ev[512];
	struct lkl_host_partition *parts = NULL;
	struct table tab = { NULL, 0, 0, 0 };
	int nparts = 0, cap = 0, i, j, err;
	size_t plen;
	long fd, n;

	if (disk_id < 0)
		return -ENXIO;
	err = mount_sysfs();
	if (err)
		return err;
	snprintf(dir, sizeof(dir), "/sys/block/lkl%d", disk_id);
	plen = snprintf(prefix, sizeof(prefix), "lkl%dp", disk_id);
	fd = lkl_host_sys(__lkl__NR_openat, LKL_AT_FDCWD, (long)dir,
			  LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0, 0,
			  0);
	if (fd < 0)
		return fd == -LKL_ENOENT ? -ENXIO : (int)fd;
	/* struct linux_dirent64: ino, off, reclen (u16), type, name */
	while ((n = lkl_host_sys(__lkl__NR_getdents64, fd, (long)buf,
				 sizeof(buf), 0, 0, 0)) > 0) {
		long pos;

		for (pos = 0; pos < n;) {
			unsigned short reclen;
			const char *name = buf + pos + 19;
			struct lkl_host_partition *p;
			uint64_t v;

			memcpy(&reclen, buf + pos + 16, 2);
			pos += reclen;
			if (strncmp(name, prefix, plen))
				continue;
			if (nparts == cap) {
				int c = cap ? cap * 2 : 16;

				p = realloc(parts, c * sizeof(*p));
				if (!p) {
					n = -ENOMEM;
					goto out;
				}
				parts = p;
				cap = c;
			}
			p = &parts[nparts];
			memset(p, 0, sizeof(*p));
			snprintf(sub, sizeof(sub), "%s/%s", dir, name);
			if (read_knum(sub, "partition", &v))
				continue;
			p->number = (int)v;
			if (read_knum(sub, "start", &v))
				continue;
			p->start = v * SECTOR;
			if (read_knum(sub, "size", &v))
				continue;
			p->size = v * SECTOR;
			snprintf(sub, sizeof(sub), "%s/%s/uevent", dir, name);
			if (read_kfile(sub, ev, sizeof(ev)) >= 0)
				parse_uevent(ev, p);
			nparts++;
		}
	}
out:
	lkl_host_sys(__lkl__NR_close, fd, 0, 0, 0, 0, 0);
	if (n < 0) {
		free(parts);
		return (int)n;
	}
	qsort(parts, nparts, sizeof(*parts), cmp_part);

	/* types and GUIDs from the table itself, matched by start */
	if (nparts) {
		disk_table(disk_id, &tab);
		for (i = 0; i < nparts; i++)
			for (j = 0; j < tab.n; j++)
				if (tab.e[j].start == parts[i].start) {
					strcpy(parts[i].type, tab.e[j].type);
					strcpy(parts[i].uuid, tab.e[j].uuid);
					if (tab.e[j].name[0])
						strcpy(parts[i].name,
						       tab.e[j].name);
					break;
				}
		free(tab.e);
	}
	for (i = 0; i < nparts && i < max; i++)
		out[i] = parts[i];
	free(parts);
	return nparts;
}
