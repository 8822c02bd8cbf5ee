// SPDX-License-Identifier: GPL-2.0
/*
 * Mount and unmount a partition of a disk inside the kernel.
 *
 * There is no devtmpfs: the device node /dev/lkl<id>p<part> is made by
 * hand from the dev_t the kernel reports, and the mount point is
 * /mnt/lkl<id>p<part>. Both are removed again on unmount. Every value
 * passed to the kernel uses the kernel's own (prefixed) definitions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>
#include <lkl/linux/stat.h>
#include <lkl/asm/errno.h>

#include "internal.h"

#define DATA_PAGE 4096		/* mount(2) copies a whole page of data */
#define UMOUNT_TRIES 50		/* EBUSY retries, 10 ms apart */

static long sys_mkdir(const char *path, int mode)
{
	return lkl_host_sys(__lkl__NR_mkdirat, LKL_AT_FDCWD, (long)path, mode,
			    0, 0, 0);
}

static long sys_rmdir(const char *path)
{
	return lkl_host_sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, (long)path,
			    LKL_AT_REMOVEDIR, 0, 0, 0);
}

static long sys_unlink(const char *path)
{
	return lkl_host_sys(__lkl__NR_unlinkat, LKL_AT_FDCWD, (long)path, 0,
			    0, 0, 0);
}

static long sys_mknod(const char *path, int mode, long dev)
{
	return lkl_host_sys(__lkl__NR_mknodat, LKL_AT_FDCWD, (long)path, mode,
			    dev, 0, 0);
}

static long ensure_dir(const char *path)
{
	long err = sys_mkdir(path, 0700);

	return err == -LKL_EEXIST ? 0 : err;
}

LKL_HOST_API int lkl_host_mount(int disk_id, int part, const char *fstype,
				unsigned long flags, const char *data,
				char *mnt, size_t mnt_len)
{
	char dev[64], dir[64], opts[DATA_PAGE];
	long devt, err;
	int n;

	if (disk_id < 0 || part < 0 || !fstype)
		return -EINVAL;
	n = snprintf(dir, sizeof(dir), "/mnt/lkl%dp%d", disk_id, part);
	if (n < 0 || (size_t)n >= mnt_len)
		return -ENAMETOOLONG;
	snprintf(dev, sizeof(dev), "/dev/lkl%dp%d", disk_id, part);
	if (data) {
		if (strlen(data) >= sizeof(opts))
			return -EINVAL;
		memset(opts, 0, sizeof(opts));
		strcpy(opts, data);
	}

	devt = lkl_host_sys(__lkl__NR_lkl_disk_devt, disk_id, part, 0, 0, 0,
			    0);
	if (devt < 0)
		return (int)devt;
	err = ensure_dir("/dev");
	if (!err)
		err = ensure_dir("/mnt");
	if (err)
		return (int)err;

	err = sys_mknod(dev, LKL_S_IFBLK | 0600, devt);
	if (err == -LKL_EEXIST) {
		/* a node left behind by a failed cleanup; dev_t may differ */
		sys_unlink(dev);
		err = sys_mknod(dev, LKL_S_IFBLK | 0600, devt);
	}
	if (err)
		return (int)err;
	err = sys_mkdir(dir, 0700);
	if (err) {
		sys_unlink(dev);
		/* the mount point exists: this partition is mounted */
		return err == -LKL_EEXIST ? -EBUSY : (int)err;
	}
	err = lkl_host_sys(__lkl__NR_mount, (long)dev, (long)dir, (long)fstype,
			   (long)flags, (long)(data ? opts : NULL), 0);
	if (err) {
		sys_rmdir(dir);
		sys_unlink(dev);
		return (int)err;
	}
	memcpy(mnt, dir, n + 1);
	return 0;
}

LKL_HOST_API int lkl_host_umount(const char *mnt)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char dev[64];
	long err;
	int i;

	if (!mnt || strncmp(mnt, "/mnt/lkl", 8) || strlen(mnt) > 40)
		return -EINVAL;
	/* unmounting syncs the filesystem, then closes the block device */
	for (i = 0; i < UMOUNT_TRIES; i++) {
		err = lkl_host_sys(__lkl__NR_umount2, (long)mnt, 0, 0, 0, 0, 0);
		if (err != -LKL_EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	if (err)
		return (int)err;
	snprintf(dev, sizeof(dev), "/dev/%s", mnt + 5);
	sys_rmdir(mnt);
	sys_unlink(dev);
	return 0;
}
