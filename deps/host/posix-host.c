// SPDX-License-Identifier: GPL-2.0
/*
 * The host operations table for POSIX hosts: the kernel's threads,
 * semaphores, mutexes, TLS, memory and clocks map onto pthreads and libc.
 * Timers, the console and block I/O live in their own files.
 */
#include <errno.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "internal.h"

struct lkl_sem {
	sem_t sem;
};

struct lkl_mutex {
	pthread_mutex_t mutex;
};

struct lkl_tls_key {
	pthread_key_t key;
};

_Static_assert(sizeof(jmp_buf) <= sizeof(struct lkl_jmp_buf),
	       "struct lkl_jmp_buf is too small for this host's jmp_buf");
_Static_assert(sizeof(pthread_t) <= sizeof(lkl_thread_t),
	       "lkl_thread_t cannot hold a pthread_t");

static struct lkl_sem *host_sem_alloc(int count)
{
	struct lkl_sem *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	if (sem_init(&s->sem, 0, count) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void host_sem_free(struct lkl_sem *s)
{
	sem_destroy(&s->sem);
	free(s);
}

static void host_sem_up(struct lkl_sem *s)
{
	sem_post(&s->sem);
}

static void host_sem_down(struct lkl_sem *s)
{
	while (sem_wait(&s->sem) < 0 && errno == EINTR)
		;
}

static struct lkl_mutex *host_mutex_alloc(int recursive)
{
	struct lkl_mutex *m = malloc(sizeof(*m));
	pthread_mutexattr_t attr;

	if (!m)
		return NULL;
	pthread_mutexattr_init(&attr);
	if (recursive)
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (pthread_mutex_init(&m->mutex, &attr)) {
		pthread_mutexattr_destroy(&attr);
		free(m);
		return NULL;
	}
	pthread_mutexattr_destroy(&attr);
	return m;
}

static void host_mutex_free(struct lkl_mutex *m)
{
	pthread_mutex_destroy(&m->mutex);
	free(m);
}

static void host_mutex_lock(struct lkl_mutex *m)
{
	pthread_mutex_lock(&m->mutex);
}

static void host_mutex_unlock(struct lkl_mutex *m)
{
	pthread_mutex_unlock(&m->mutex);
}

int lkl_host_thread_start(pthread_t *tid, void *(*fn)(void *arg), void *arg)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, LKL_HOST_STACK_SIZE);
	err = pthread_create(tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -err;
}

struct thread_start {
	void (*fn)(void *arg);
	void *arg;
};

static void *thread_trampoline(void *p)
{
	struct thread_start ts = *(struct thread_start *)p;

	free(p);
	ts.fn(ts.arg);
	return NULL;
}

static lkl_thread_t host_thread_create(void (*fn)(void *), void *arg)
{
	struct thread_start *ts = malloc(sizeof(*ts));
	pthread_t tid;

	if (!ts)
		return 0;
	ts->fn = fn;
	ts->arg = arg;
	if (lkl_host_thread_start(&tid, thread_trampoline, ts) < 0) {
		free(ts);
		return 0;
	}
	return (lkl_thread_t)tid;
}

static void host_thread_detach(void)
{
	pthread_detach(pthread_self());
}

static void host_thread_exit(void)
{
	pthread_exit(NULL);
}

static int host_thread_join(lkl_thread_t tid)
{
	return pthread_join((pthread_t)tid, NULL) ? -1 : 0;
}

static lkl_thread_t host_thread_self(void)
{
	return (lkl_thread_t)pthread_self();
}

static int host_thread_equal(lkl_thread_t a, lkl_thread_t b)
{
	return pthread_equal((pthread_t)a, (pthread_t)b);
}

static struct lkl_tls_key *host_tls_alloc(void (*destructor)(void *))
{
	struct lkl_tls_key *k = malloc(sizeof(*k));

	if (!k)
		return NULL;
	if (pthread_key_create(&k->key, destructor)) {
		free(k);
		return NULL;
	}
	return k;
}

static void host_tls_free(struct lkl_tls_key *k)
{
	pthread_key_delete(k->key);
	free(k);
}

static int host_tls_set(struct lkl_tls_key *k, void *data)
{
	return pthread_setspecific(k->key, data) ? -1 : 0;
}

static void *host_tls_get(struct lkl_tls_key *k)
{
	return pthread_getspecific(k->key);
}

static void *host_mem_alloc(unsigned long size)
{
	return malloc(size);
}

static void host_mem_free(void *p)
{
	free(p);
}

static void *host_page_alloc(unsigned long size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void host_page_free(void *p, unsigned long size)
{
	munmap(p, size);
}

static unsigned long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long host_time(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static unsigned long long host_realtime(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/*
 * _setjmp/_longjmp: no signal mask to save or restore (that would be a
 * system call per context switch), and the kernel never cares about it.
 */
static int host_jmp_buf_set(struct lkl_jmp_buf *jmpb, void (*f)(void))
{
	int val = _setjmp(*(jmp_buf *)jmpb->buf);

	if (!val)
		f();
	return val;
}

static void host_jmp_buf_longjmp(struct lkl_jmp_buf *jmpb, int val)
{
	_longjmp(*(jmp_buf *)jmpb->buf, val);
}

static void *host_memcpy(void *dest, const void *src, unsigned long count)
{
	return memcpy(dest, src, count);
}

static void *host_memset(void *s, int c, unsigned long count)
{
	return memset(s, c, count);
}

static void *host_memmove(void *dest, const void *src, unsigned long count)
{
	return memmove(dest, src, count);
}

const struct lkl_host_operations lkl_host_ops = {
	.print = lkl_host_console_print,
	.panic = lkl_host_console_panic,
	.sem_alloc = host_sem_alloc,
	.sem_free = host_sem_free,
	.sem_up = host_sem_up,
	.sem_down = host_sem_down,
	.mutex_alloc = host_mutex_alloc,
	.mutex_free = host_mutex_free,
	.mutex_lock = host_mutex_lock,
	.mutex_unlock = host_mutex_unlock,
	.thread_create = host_thread_create,
	.thread_detach = host_thread_detach,
	.thread_exit = host_thread_exit,
	.thread_join = host_thread_join,
	.thread_self = host_thread_self,
	.thread_equal = host_thread_equal,
	.tls_alloc = host_tls_alloc,
	.tls_free = host_tls_free,
	.tls_set = host_tls_set,
	.tls_get = host_tls_get,
	.mem_alloc = host_mem_alloc,
	.mem_free = host_mem_free,
	.page_alloc = host_page_alloc,
	.page_free = host_page_free,
	.time = host_time,
	.realtime = host_realtime,
	.timer_alloc = lkl_host_timer_alloc,
	.timer_set_oneshot = lkl_host_timer_set_oneshot,
	.timer_free = lkl_host_timer_free,
	.jmp_buf_set = host_jmp_buf_set,
	.jmp_buf_longjmp = host_jmp_buf_longjmp,
	.memcpy = host_memcpy,
	.memset = host_memset,
	.memmove = host_memmove,
	.blk_submit = lkl_host_blk_submit,
};
