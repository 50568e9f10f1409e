/*
 * clock.h -- the one source of time: monotonic seconds for scheduling and
 * ETAs, wall time for what people read.
 *
 * Everything that schedules (the tracker, the check loop, the monitor)
 * reads time here, never from clock_gettime() directly, so tests can swap
 * in a virtual clock: time then stands still until a sleep moves it, and a
 * scheduler that would wait minutes is tested in microseconds. The query
 * engine's own socket deadlines stay on the real clock (clock_real_ns())
 * because the kernel's sockets do.
 */
#ifndef PW_CLOCK_H
#define PW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Monotonic seconds (arbitrary origin). */
double clock_mono(void);
/* Unix time in seconds. */
double clock_wall(void);
/* The wall time at monotonic instant `mono`, through the current offset
 * between the two clocks (so a displayed time of day never jumps back). */
double clock_wall_at(double mono);

/* Sleep until clock_mono() >= until, or until *stop becomes non-zero
 * (checked at least every 100 ms; NULL: never). Returns at once when
 * `until` has passed. Under a virtual clock it moves time to `until`. */
void clock_sleep_until(double until, const volatile int *stop);

/* CLOCK_MONOTONIC in nanoseconds, never virtual: the engine's deadlines. */
uint64_t clock_real_ns(void);
/* What to add to a CLOCK_REALTIME time in ns (such as the kernel's receive
 * timestamp of a datagram) for the clock_real_ns() time it was; valid
 * until the wall clock is stepped. */
int64_t clock_wall_to_mono_ns(void);

/* Tests: run on a virtual clock that starts at mono `start` (wall time is
 * `wall_start` then) and only moves through clock_sleep_until() or
 * clock_virtual_advance(). clock_use_real() switches back. */
void clock_use_virtual(double start, double wall_start);
void clock_virtual_advance(double seconds);
void clock_use_real(void);
bool clock_is_virtual(void);

#endif
