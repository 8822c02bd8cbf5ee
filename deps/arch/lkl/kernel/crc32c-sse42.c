// SPDX-License-Identifier: GPL-2.0
/*
 * crc32c with the SSE4.2 crc32 instruction, for x86-64 hosts.
 *
 * ext4 and jbd2 checksum every metadata block with crc32c and btrfs every
 * data block too; the generic table-driven version was ~4% of a rootfs
 * unpack. The x86 kernel's own driver lives in arch/x86, which lkl does not
 * build, so this is the same instruction behind the same "crc32c" shash
 * name, at a higher priority than crc32c-generic. Registered only when the
 * CPU has SSE4.2 (cpuid), so an old CPU keeps the generic one.
 *
 * Runs wherever the caller runs (any kernel thread holding the CPU).
 */
#include <asm/unaligned.h>
#include <crypto/internal/hash.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/string.h>

/* The update step of the reflected CRC-32C (no pre/post inversion). */
static u32 crc32c_sse42(u32 crc, const u8 *p, unsigned int len)
{
	unsigned long c = crc;

	for (; len >= 8; p += 8, len -= 8) {
		u64 v = get_unaligned((const u64 *)p);

		asm("crc32q %1, %0" : "+r"(c) : "rm"(v));
	}
	crc = c;
	for (; len; p++, len--)
		asm("crc32b %1, %0" : "+r"(crc) : "rm"(*p));
	return crc;
}

static bool cpu_has_sse42(void)
{
	unsigned int eax = 1, ebx, ecx = 0, edx;

	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return ecx & (1u << 20);
}

/* The tfm holds the seed (setkey; ~0 by default), a desc the running crc. */
struct crc32c_seed {
	u32 seed;
};

struct crc32c_state {
	u32 crc;
};

static int lkl_crc32c_cra_init(struct crypto_tfm *tfm)
{
	struct crc32c_seed *s = crypto_tfm_ctx(tfm);

	s->seed = ~0;
	return 0;
}

static int lkl_crc32c_setkey(struct crypto_shash *tfm, const u8 *key,
			     unsigned int keylen)
{
	struct crc32c_seed *s = crypto_shash_ctx(tfm);

	if (keylen != sizeof(s->seed))
		return -EINVAL;
	s->seed = get_unaligned_le32(key);
	return 0;
}

static int lkl_crc32c_init(struct shash_desc *desc)
{
	struct crc32c_seed *s = crypto_shash_ctx(desc->tfm);
	struct crc32c_state *st = shash_desc_ctx(desc);

	st->crc = s->seed;
	return 0;
}

static int lkl_crc32c_update(struct shash_desc *desc, const u8 *data,
			     unsigned int len)
{
	struct crc32c_state *st = shash_desc_ctx(desc);

	st->crc = crc32c_sse42(st->crc, data, len);
	return 0;
}

static int lkl_crc32c_final(struct shash_desc *desc, u8 *out)
{
	struct crc32c_state *st = shash_desc_ctx(desc);

	put_unaligned_le32(~st->crc, out);
	return 0;
}

static int lkl_crc32c_finup(struct shash_desc *desc, const u8 *data,
			    unsigned int len, u8 *out)
{
	struct crc32c_state *st = shash_desc_ctx(desc);

	put_unaligned_le32(~crc32c_sse42(st->crc, data, len), out);
	return 0;
}

static int lkl_crc32c_digest(struct shash_desc *desc, const u8 *data,
			     unsigned int len, u8 *out)
{
	struct crc32c_seed *s = crypto_shash_ctx(desc->tfm);

	put_unaligned_le32(~crc32c_sse42(s->seed, data, len), out);
	return 0;
}

static struct shash_alg lkl_crc32c_alg = {
	.digestsize = 4,
	.setkey = lkl_crc32c_setkey,
	.init = lkl_crc32c_init,
	.update = lkl_crc32c_update,
	.final = lkl_crc32c_final,
	.finup = lkl_crc32c_finup,
	.digest = lkl_crc32c_digest,
	.descsize = sizeof(struct crc32c_state),
	.base = {
		.cra_name = "crc32c",
		.cra_driver_name = "crc32c-lkl-sse42",
		/* above crc32c-generic (100), as crc32c-intel is on x86 */
		.cra_priority = 200,
		.cra_flags = CRYPTO_ALG_OPTIONAL_KEY,
		.cra_blocksize = 1,
		.cra_ctxsize = sizeof(struct crc32c_seed),
		.cra_module = THIS_MODULE,
		.cra_init = lkl_crc32c_cra_init,
	},
};

static int __init lkl_crc32c_register(void)
{
	if (!cpu_has_sse42())
		return 0;
	return crypto_register_shash(&lkl_crc32c_alg);
}
subsys_initcall(lkl_crc32c_register);
