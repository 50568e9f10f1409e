/*
 * clock.c -- real and virtual time behind one interface.
 */
#include <errno.h>
#include <math.h>
#include <time.h>

#include "clock.h"

/* Virtual time is for single-threaded tests; the real clock needs no lock. */
static bool virt;
static double virt_mono, virt_wall_offset;

uint64_t clock_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t clock_wall_to_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t wall = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return (int64_t)clock_real_ns() - wall;
}

double clock_mono(void)
{
	return virt ? virt_mono : (double)clock_real_ns() / 1e9;
}

double clock_wall(void)
{
	if (virt)
		return virt_mono + virt_wall_offset;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_wall_at(double mono)
{
	return clock_wall() - (clock_mono() - mono);
}

void clock_sleep_until(double until, const volatile int *stop)
{
	if (virt) {
		if (until > virt_mono && !isinf(until))
			virt_mono = until;
		return;
	}
	for (;;) {
		if (stop != NULL && *stop)
			return;
		double left = until - clock_mono();
		if (left <= 0)
			return;
		if (left > 0.1)
			left = 0.1; /* look at *stop again soon */
		struct timespec ts = { (time_t)left, (long)((left - floor(left)) * 1e9) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (stop != NULL && *stop)
				return;
	}
}

void clock_use_virtual(double start, double wall_start)
{
	virt = true;
	virt_mono = start;
	virt_wall_offset = wall_start - start;
}

void clock_virtual_advance(double seconds)
{
	if (virt && seconds > 0)
		virt_mono += seconds;
}

void clock_use_real(void)
{
	virt = false;
}

bool clock_is_virtual(void)
{
	return virt;
}
