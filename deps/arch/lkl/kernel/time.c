// SPDX-License-Identifier: GPL-2.0
/*
 * Time: a 1 GHz clocksource reading the host's monotonic clock, a one-shot
 * clockevent backed by one host timer (its callback runs on the host's
 * timer thread and raises the timer irq), and a wall clock that starts at
 * the host's real time so files get true timestamps.
 */
#include <linux/clocksource.h>
#include <linux/clockchips.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/delay.h>
#include <linux/sched_clock.h>
#include <linux/timekeeping.h>
#include <linux/kstrtox.h>
#include <asm/lkl.h>

static unsigned long long boot_time;

/*
 * lkl.frozen_clock=SECONDS: the wall clock reads SECONDS forever (file
 * times, superblock and journal stamps) and the kernel's random numbers
 * come from one stream seeded with SECONDS, so the same input gives the
 * same image bytes. Monotonic time, timers and sleeps are unaffected.
 */
static struct timespec64 frozen_realtime;

/* Defined by deps/patches/0002 (timekeeping.c) and 0003 (random.c). */
extern const struct timespec64 *timekeeping_frozen_realtime;
extern bool random_deterministic;
extern u64 random_deterministic_seed;

static int __init frozen_clock_setup(char *arg)
{
	long long sec;

	if (!arg || kstrtoll(arg, 10, &sec) || sec < 0)
		return -EINVAL;
	frozen_realtime.tv_sec = sec;
	timekeeping_frozen_realtime = &frozen_realtime;
	/* Random inode generations, hash seeds... must repeat too. */
	random_deterministic_seed = sec;
	random_deterministic = true;
	return 0;
}
early_param("lkl.frozen_clock", frozen_clock_setup);
static void *host_timer;
static int timer_irq;

unsigned long long sched_clock(void)
{
	if (!boot_time)
		return 0;
	return lkl_ops->time() - boot_time;
}

void read_persistent_clock64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lkl_ops->realtime());
}

static u64 clock_read(struct clocksource *cs)
{
	return lkl_ops->time();
}

static struct clocksource clocksource = {
	.name	= "lkl",
	.rating	= 499,
	.read	= clock_read,
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
	.mask	= CLOCKSOURCE_MASK(64),
};

static int clockevent_next_event(unsigned long ns,
				 struct clock_event_device *evt)
{
	return lkl_ops->timer_set_oneshot(host_timer, ns);
}

static int clockevent_shutdown(struct clock_event_device *evt)
{
	/* A disarmed timer is one set far away: nothing to do until then. */
	return 0;
}

static struct clock_event_device clockevent = {
	.name			= "lkl",
	.features		= CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event		= clockevent_next_event,
	.set_state_shutdown	= clockevent_shutdown,
	.set_state_oneshot	= clockevent_shutdown,
	.rating			= 400,
};

static irqreturn_t timer_irq_handler(int irq, void *dev_id)
{
	struct clock_event_device *evt = dev_id;

	if (evt->event_handler)
		evt->event_handler(evt);
	return IRQ_HANDLED;
}

/* Host timer thread: raise the irq; whoever owns the CPU runs it. */
static void host_timer_fn(void *arg)
{
	lkl_trigger_irq(timer_irq);
}

void __init time_init(void)
{
	int ret;

	boot_time = lkl_ops->time();

	timer_irq = lkl_get_free_irq("timer");
	BUG_ON(timer_irq < 0);
	ret = request_irq(timer_irq, timer_irq_handler,
			  IRQF_TIMER | IRQF_NOBALANCING, "timer", &clockevent);
	BUG_ON(ret);

	host_timer = lkl_ops->timer_alloc(host_timer_fn, NULL);
	BUG_ON(!host_timer);

	ret = clocksource_register_khz(&clocksource, 1000000);
	BUG_ON(ret);

	clockevent.cpumask = cpumask_of(0);
	clockevents_config_and_register(&clockevent, NSEC_PER_SEC, 1,
					ULONG_MAX);
}

void lkl_time_halt(void)
{
	if (host_timer)
		lkl_ops->timer_free(host_timer);
	host_timer = NULL;
}

/* Delays poll the host clock; no loops to calibrate. */
void __ndelay(unsigned long nsecs)
{
	unsigned long long start = lkl_ops->time();

	while (lkl_ops->time() < start + nsecs)
		;
}

void __udelay(unsigned long usecs)
{
	__ndelay(usecs * NSEC_PER_USEC);
}

void __const_udelay(unsigned long xloops)
{
	__udelay(xloops / 0x10c7ul);
}

void __delay(unsigned long loops)
{
	__ndelay(loops);
}

void calibrate_delay(void)
{
}
