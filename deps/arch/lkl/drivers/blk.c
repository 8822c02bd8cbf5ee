// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the block bridge: a blk-mq driver whose "hardware" is
 * the host library.
 *
 * queue_rq turns a request into a struct lkl_blk_req (op, byte offset,
 * segment list pointing into the memory arena, which the host can
 * dereference) and hands it to lkl_ops->blk_submit(), which only queues it
 * for the host's I/O threads: no host I/O ever runs while this CPU is held.
 * The host reports completion with lkl_blk_complete() from any thread and
 * without the CPU, so that function only pushes the request onto a
 * lock-free list and raises the block irq; the irq handler takes the whole
 * list and ends the requests.
 *
 * Disks are added and removed at run time by three arch syscalls (numbers
 * in asm/host_ops.h): add (host handle, capacity, flags) -> disk id,
 * remove(id), devt(id, partition) -> dev_t for mknod.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <asm/irq.h>
#include <asm/lkl.h>
#include <asm/syscalls.h>

#define LKL_BLK_MINORS		16	/* the disk and 15 partitions */
#define LKL_BLK_MAX_DISKS	((MINORMASK + 1) / LKL_BLK_MINORS)
#define LKL_BLK_QUEUE_DEPTH	64
#define LKL_BLK_MAX_SECTORS	4096	/* 2 MiB per request */

struct lkl_disk {
	int id;
	void *handle;			/* the host's disk, for blk_submit */
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
};

/* The per-request payload (tag_set.cmd_size). */
struct lkl_blk_cmd {
	struct lkl_blk_req req;
	struct lkl_blk_seg segs[LKL_BLK_MAX_SEGS];
};

static int lkl_blk_major;
static int lkl_blk_irq;
static DEFINE_IDR(lkl_disks);
static DEFINE_MUTEX(lkl_disks_lock);

/* Completed requests, pushed by host threads, taken by the irq handler. */
static struct lkl_blk_req *lkl_blk_done;

/* Fill req's segments from rq's data, merging adjacent ones. */
static int lkl_blk_map(struct request *rq, struct lkl_blk_req *req)
{
	struct req_iterator iter;
	struct bio_vec bv;
	int n = 0;

	rq_for_each_segment(bv, rq, iter) {
		char *base = page_address(bv.bv_page) + bv.bv_offset;
		struct lkl_blk_seg *prev = n ? &req->segs[n - 1] : NULL;

		if (prev && (char *)prev->base + prev->len == base) {
			prev->len += bv.bv_len;
			continue;
		}
		if (WARN_ON_ONCE(n == LKL_BLK_MAX_SEGS))
			return -EIO;
		req->segs[n].base = base;
		req->segs[n].len = bv.bv_len;
		n++;
	}
	req->nr_segs = n;
	return 0;
}

static blk_status_t lkl_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct request *rq = bd->rq;
	struct lkl_disk *ld = hctx->queue->queuedata;
	struct lkl_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct lkl_blk_req *req = &cmd->req;
	int err = 0;

	req->flags = 0;
	req->offset = (unsigned long long)blk_rq_pos(rq) << SECTOR_SHIFT;
	req->length = blk_rq_bytes(rq);
	req->nr_segs = 0;
	req->segs = cmd->segs;
	req->next_done = NULL;
	req->error = 0;
	req->priv = rq;

	switch (req_op(rq)) {
	case REQ_OP_READ:
		req->op = LKL_BLK_OP_READ;
		err = lkl_blk_map(rq, req);
		break;
	case REQ_OP_WRITE:
		req->op = LKL_BLK_OP_WRITE;
		if (rq->cmd_flags & REQ_FUA)
			req->flags |= LKL_BLK_FLAG_FUA;
		err = lkl_blk_map(rq, req);
		break;
	case REQ_OP_FLUSH:
		req->op = LKL_BLK_OP_FLUSH;
		break;
	case REQ_OP_DISCARD:
		req->op = LKL_BLK_OP_DISCARD;
		break;
	case REQ_OP_WRITE_ZEROES:
		req->op = LKL_BLK_OP_WRITE_ZEROES;
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	if (err)
		return errno_to_blk_status(err);

	blk_mq_start_request(rq);
	err = lkl_ops->blk_submit(ld->handle, req);
	if (err)
		return errno_to_blk_status(err);
	return BLK_STS_OK;
}

static const struct blk_mq_ops lkl_blk_mq_ops = {
	.queue_rq = lkl_blk_queue_rq,
};

/*
 * Called by host I/O threads without the CPU, concurrently with kernel
 * code and with each other: touch nothing but req and the list head.
 */
void lkl_blk_complete(struct lkl_blk_req *req, int error)
{
	struct lkl_blk_req *head = __atomic_load_n(&lkl_blk_done,
						   __ATOMIC_RELAXED);

	req->error = error;
	do {
		req->next_done = head;
	} while (!__atomic_compare_exchange_n(&lkl_blk_done, &head, req, true,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	lkl_trigger_irq(lkl_blk_irq);
}

static irqreturn_t lkl_blk_interrupt(int irq, void *dev_id)
{
	struct lkl_blk_req *req, *next, *list = NULL;

	/*
	 * An empty list is normal (an earlier irq took requests whose own
	 * irq was still pending); never report IRQ_NONE for it.
	 */
	req = __atomic_exchange_n(&lkl_blk_done, NULL, __ATOMIC_ACQUIRE);
	/* the list is newest first; end requests in completion order */
	for (; req; req = next) {
		next = req->next_done;
		req->next_done = list;
		list = req;
	}
	for (req = list; req; req = next) {
		next = req->next_done;	/* req is reused once rq ends */
		blk_mq_end_request(req->priv, errno_to_blk_status(req->error));
	}
	return IRQ_HANDLED;
}

static void lkl_blk_free_disk(struct gendisk *disk)
{
	kfree(disk->private_data);
}

static const struct block_device_operations lkl_blk_fops = {
	.owner = THIS_MODULE,
	.free_disk = lkl_blk_free_disk,
};

static void lkl_blk_set_limits(struct request_queue *q)
{
	blk_queue_logical_block_size(q, SECTOR_SIZE);
	blk_queue_max_hw_sectors(q, LKL_BLK_MAX_SECTORS);
	blk_queue_max_segments(q, LKL_BLK_MAX_SEGS);
	blk_queue_max_segment_size(q, UINT_MAX);
	/* a volatile cache with FUA: flushes and FUA writes reach the host */
	blk_queue_write_cache(q, true, true);
	blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
	q->limits.discard_granularity = SECTOR_SIZE;
	blk_queue_max_write_zeroes_sectors(q, UINT_MAX >> SECTOR_SHIFT);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, q);
}

long sys_lkl_disk_add(void *handle, unsigned long long size, int flags)
{
	struct lkl_disk *ld;
	struct gendisk *disk;
	int id, err;

	if (!handle || lkl_blk_major <= 0)
		return -EINVAL;
	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return -ENOMEM;
	ld->handle = handle;

	mutex_lock(&lkl_disks_lock);
	id = idr_alloc(&lkl_disks, ld, 0, LKL_BLK_MAX_DISKS, GFP_KERNEL);
	if (id < 0) {
		err = id == -ENOSPC ? -ENFILE : id;
		goto out_free;
	}
	ld->id = id;

	ld->tag_set.ops = &lkl_blk_mq_ops;
	ld->tag_set.nr_hw_queues = 1;
	ld->tag_set.queue_depth = LKL_BLK_QUEUE_DEPTH;
	ld->tag_set.numa_node = NUMA_NO_NODE;
	ld->tag_set.cmd_size = sizeof(struct lkl_blk_cmd);
	ld->tag_set.flags = BLK_MQ_F_SHOULD_MERGE;
	ld->tag_set.driver_data = ld;
	err = blk_mq_alloc_tag_set(&ld->tag_set);
	if (err)
		goto out_idr;

	disk = blk_mq_alloc_disk(&ld->tag_set, ld);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto out_tags;
	}
	ld->disk = disk;
	disk->major = lkl_blk_major;
	disk->first_minor = id * LKL_BLK_MINORS;
	disk->minors = LKL_BLK_MINORS;
	disk->fops = &lkl_blk_fops;
	disk->private_data = ld;
	snprintf(disk->disk_name, sizeof(disk->disk_name), "lkl%d", id);
	lkl_blk_set_limits(disk->queue);
	set_capacity(disk, size >> SECTOR_SHIFT);
	if (flags & LKL_DISK_READONLY)
		set_disk_ro(disk, true);

	/* reads the partition table (and waits for that I/O) */
	err = device_add_disk(NULL, disk, NULL);
	if (err)
		goto out_disk;
	mutex_unlock(&lkl_disks_lock);
	return id;

out_disk:
	/* not added: no free_disk callback, ld is still ours */
	disk->private_data = NULL;
	put_disk(disk);
out_tags:
	blk_mq_free_tag_set(&ld->tag_set);
out_idr:
	idr_remove(&lkl_disks, id);
out_free:
	mutex_unlock(&lkl_disks_lock);
	kfree(ld);
	return err;
}

long sys_lkl_disk_remove(int id)
{
	struct lkl_disk *ld;
	struct gendisk *disk;

	mutex_lock(&lkl_disks_lock);
	ld = id >= 0 ? idr_find(&lkl_disks, id) : NULL;
	if (!ld) {
		mutex_unlock(&lkl_disks_lock);
		return -ENXIO;
	}
	disk = ld->disk;
	if (disk->open_partitions || disk_openers(disk)) {
		mutex_unlock(&lkl_disks_lock);
		return -EBUSY;
	}
	idr_remove(&lkl_disks, id);
	mutex_unlock(&lkl_disks_lock);

	/* waits for requests in flight; no request reaches the host after */
	del_gendisk(disk);
	blk_mq_free_tag_set(&ld->tag_set);
	put_disk(disk);		/* frees ld once the last reference goes */
	return 0;
}

long sys_lkl_disk_devt(int id, int part)
{
	struct block_device *bdev;
	struct lkl_disk *ld;
	long ret = -ENXIO;

	if (id < 0 || part < 0)
		return -ENXIO;
	mutex_lock(&lkl_disks_lock);
	ld = idr_find(&lkl_disks, id);
	if (ld) {
		rcu_read_lock();
		bdev = xa_load(&ld->disk->part_tbl, part);
		if (bdev)
			ret = new_encode_dev(bdev->bd_dev);
		rcu_read_unlock();
	}
	mutex_unlock(&lkl_disks_lock);
	return ret;
}

static int __init lkl_blk_init(void)
{
	int err;

	lkl_blk_major = register_blkdev(0, "lkl");
	if (lkl_blk_major < 0) {
		pr_err("lkl-blk: no block major: %d\n", lkl_blk_major);
		return lkl_blk_major;
	}
	lkl_blk_irq = lkl_get_free_irq("blk");
	if (lkl_blk_irq < 0) {
		err = lkl_blk_irq;
		goto out_major;
	}
	err = request_irq(lkl_blk_irq, lkl_blk_interrupt, 0, "lkl-blk", NULL);
	if (err)
		goto out_irq;
	return 0;

out_irq:
	lkl_put_irq(lkl_blk_irq, "blk");
out_major:
	unregister_blkdev(lkl_blk_major, "lkl");
	lkl_blk_major = 0;
	pr_err("lkl-blk: init failed: %d\n", err);
	return err;
}
device_initcall(lkl_blk_init);
