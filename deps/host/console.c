// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel console: every line goes into a 64 KiB ring (so a panic or a
 * failed mount can show the last lines) and, when asked, to stderr.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define RING_SIZE (64 * 1024)
#define PANIC_LINES 40

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static char ring[RING_SIZE];
static unsigned long long ring_total;	/* bytes ever written */
static int echo;

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

void lkl_host_console_set_echo(int on)
{
	__atomic_store_n(&echo, on, __ATOMIC_RELAXED);
}

void lkl_host_console_print(const char *str, int len)
{
	size_t n = len > 0 ? (size_t)len : 0, off, first;

	if (n > RING_SIZE) {
		str += n - RING_SIZE;
		n = RING_SIZE;
	}
	pthread_mutex_lock(&ring_lock);
	off = ring_total % RING_SIZE;
	first = n < RING_SIZE - off ? n : RING_SIZE - off;
	memcpy(ring + off, str, first);
	memcpy(ring, str + first, n - first);
	ring_total += n;
	pthread_mutex_unlock(&ring_lock);
	if (__atomic_load_n(&echo, __ATOMIC_RELAXED))
		write_all(2, str, n);
}

LKL_HOST_API size_t lkl_host_log_tail(char *buf, size_t len)
{
	size_t have, start, first;

	pthread_mutex_lock(&ring_lock);
	have = ring_total < RING_SIZE ? ring_total : RING_SIZE;
	if (len > have)
		len = have;
	start = (ring_total - len) % RING_SIZE;
	first = len < RING_SIZE - start ? len : RING_SIZE - start;
	memcpy(buf, ring + start, first);
	memcpy(buf + first, ring, len - first);
	pthread_mutex_unlock(&ring_lock);
	return len;
}

/*
 * Runs on the thread that panicked, which holds the kernel's CPU; only
 * the CPU holder prints, so the ring is quiet. Take the lock if we can but
 * never wait for it: dying with a torn line beats hanging.
 */
void lkl_host_console_panic(void)
{
	static char tail[RING_SIZE];
	int locked = !pthread_mutex_trylock(&ring_lock);
	size_t have = ring_total < RING_SIZE ? ring_total : RING_SIZE;
	size_t start = (ring_total - have) % RING_SIZE, i, lines = 0;

	for (i = 0; i < have; i++)
		tail[i] = ring[(start + i) % RING_SIZE];
	if (locked)
		pthread_mutex_unlock(&ring_lock);
	/* find the start of the last PANIC_LINES lines */
	i = have;
	if (i && tail[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (tail[i - 1] == '\n' && ++lines == PANIC_LINES)
			break;
		i--;
	}
	write_all(2, "lkl: kernel panic; last kernel log lines:\n", 42);
	write_all(2, tail + i, have - i);
	if (have && tail[have - 1] != '\n')
		write_all(2, "\n", 1);
	abort();
}
