// SPDX-License-Identifier: GPL-2.0
/*
 * One-shot timers for the kernel, all served by one host thread.
 *
 * The kernel has very few timers (one clockevent), so the armed ones are
 * found by a scan of a short list. The thread sleeps on a condition
 * variable bound to CLOCK_MONOTONIC until the earliest deadline, then runs
 * the callback without the lock (the callback raises the timer irq, which
 * may run kernel code right here). timer_free waits for a running callback
 * to finish, unless it is called by that very callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

struct host_timer {
	void (*fn)(void *arg);
	void *arg;
	unsigned long long deadline;	/* CLOCK_MONOTONIC ns */
	int armed;
	int freed;			/* freed by its own callback */
	struct host_timer *next;
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;	/* new deadline or stop */
static pthread_cond_t timer_done = PTHREAD_COND_INITIALIZER;
static struct host_timer *timers;
static struct host_timer *running;
static pthread_t timer_thread;
static int thread_started, thread_stop;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *timer_loop(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&timer_lock);
	while (!thread_stop) {
		struct host_timer *t, *first = NULL;
		unsigned long long now;

		for (t = timers; t; t = t->next)
			if (t->armed && (!first || t->deadline < first->deadline))
				first = t;
		if (!first) {
			pthread_cond_wait(&timer_cond, &timer_lock);
			continue;
		}
		now = now_ns();
		if (now < first->deadline) {
			struct timespec ts = {
				.tv_sec = first->deadline / 1000000000ULL,
				.tv_nsec = first->deadline % 1000000000ULL,
			};

			pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
			continue;
		}
		first->armed = 0;
		running = first;
		pthread_mutex_unlock(&timer_lock);
		first->fn(first->arg);
		pthread_mutex_lock(&timer_lock);
		running = NULL;
		if (first->freed)
			free(first);
		pthread_cond_broadcast(&timer_done);
	}
	pthread_mutex_unlock(&timer_lock);
	return NULL;
}

/* Called with timer_lock held. */
static int start_thread(void)
{
	pthread_condattr_t attr;

	if (thread_started)
		return 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	thread_stop = 0;
	if (lkl_host_thread_start(&timer_thread, timer_loop, NULL) < 0) {
		pthread_cond_destroy(&timer_cond);
		return -1;
	}
	thread_started = 1;
	return 0;
}

void *lkl_host_timer_alloc(void (*fn)(void *), void *arg)
{
	struct host_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_lock(&timer_lock);
	if (start_thread() < 0) {
		pthread_mutex_unlock(&timer_lock);
		free(t);
		return NULL;
	}
	t->next = timers;
	timers = t;
	pthread_mutex_unlock(&timer_lock);
	return t;
}

int lkl_host_timer_set_oneshot(void *timer, unsigned long long delta_ns)
{
	struct host_timer *t = timer;

	pthread_mutex_lock(&timer_lock);
	t->deadline = now_ns() + delta_ns;
	t->armed = 1;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&timer_lock);
	return 0;
}

void lkl_host_timer_free(void *timer)
{
	struct host_timer *t = timer, **pp;

	pthread_mutex_lock(&timer_lock);
	for (pp = &timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = 0;
	if (running == t && pthread_equal(pthread_self(), timer_thread)) {
		/* freed from its own callback: the loop frees it after */
		t->freed = 1;
		pthread_mutex_unlock(&timer_lock);
		return;
	}
	while (running == t)
		pthread_cond_wait(&timer_done, &timer_lock);
	pthread_mutex_unlock(&timer_lock);
	free(t);
}

/* Stop the timer thread (after halt); it restarts on the next alloc. */
void lkl_host_timer_stop(void)
{
	pthread_mutex_lock(&timer_lock);
	if (!thread_started || pthread_equal(pthread_self(), timer_thread)) {
		pthread_mutex_unlock(&timer_lock);
		return;
	}
	thread_stop = 1;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&timer_lock);
	pthread_join(timer_thread, NULL);
	pthread_mutex_lock(&timer_lock);
	thread_started = 0;
	pthread_cond_destroy(&timer_cond);
	pthread_mutex_unlock(&timer_lock);
}
