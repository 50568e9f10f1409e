/*
 * test_monitor.c -- unit tests for the monitor: the pipeline run by its
 * scheduler and truth threads, read through copies. Real threads and the
 * real clock, but a scripted world that answers at once; every check
 * waits for its condition with a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <poll.h>
#include <time.h>

#include "monitor.h"
#include "world.h"

#define DEADLINE 5.0

struct fixture {
	struct world w;
	struct pipeline p;
	struct monitor *m;
	struct tracker copy;
	struct mon_live live;
};

/* Copy the model until cond holds, or the deadline passes. */
static bool until(struct fixture *f, bool (*cond)(const struct fixture *))
{
	double end = clock_mono() + DEADLINE;
	while (clock_mono() < end) {
		assert_true(monitor_snapshot(f->m, &f->copy, &f->live) >= 0);
		if (cond(f))
			return true;
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

static bool classified(const struct fixture *f)
{
	return tracker_truth(&f->copy)->source == EXP_AUTH &&
	       tracker_status(&f->copy, 0) == ST_STALE && tracker_status(&f->copy, 1) == ST_NEW;
}

static bool idle(const struct fixture *f)
{
	return tracker_busy(&f->copy) == 0;
}

static unsigned asked_floor; /* asked_more: more than this */

static bool asked_more(const struct fixture *f)
{
	return tracker_row(&f->copy, 1)->asked > asked_floor && tracker_busy(&f->copy) == 0;
}

static void start(struct fixture *f, double interval)
{
	double now = clock_mono();
	double flips[2] = { now + 3600, 0 };
	clock_use_real();
	world_init(&f->w, 2, flips);
	struct tracker_cfg cfg = world_cfg(&f->w, interval, 0.1);
	struct pipeline_backend be = world_backend(&f->w);
	assert_int_equal(pipeline_init(&f->p, &cfg, f->w.targets, &be, now), PW_OK);
	memset(&f->copy, 0, sizeof f->copy);
	assert_int_equal(monitor_start(&f->m, &f->p), 0);
}

static void stop(struct fixture *f)
{
	monitor_stop(f->m);
	tracker_free(&f->copy);
	pipeline_free(&f->p);
	world_free(&f->w);
}

/* Answers and the truth arrive by themselves; the copy reads them. */
static void test_runs_by_itself(void **state)
{
	struct fixture f;
	(void)state;
	start(&f, 60);
	assert_true(until(&f, classified));
	assert_int_equal(tracker_summary(&f.copy)->exit_code, EXIT_NOT_PROPAGATED);
	assert_true(tracker_fleet_eta(&f.copy, clock_mono()) > 3500);
	pthread_mutex_lock(&f.w.lock);
	assert_true(f.w.truth_looks >= 1);
	pthread_mutex_unlock(&f.w.lock);
	/* The monitor's eventfd says so too. */
	struct pollfd pfd = { monitor_fd(f.m), POLLIN, 0 };
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	monitor_ack(f.m);
	stop(&f);
}

/* Paused: nothing is asked; "query now" asks once and stays paused. */
static void test_pause_and_kick(void **state)
{
	struct fixture f;
	(void)state;
	start(&f, 0.2);
	assert_true(until(&f, classified));
	monitor_pause(f.m, true); /* no round starts after this returns */
	assert_true(until(&f, idle));
	assert_true(f.live.paused);
	assert_true(isinf(f.live.next_query));
	size_t before = world_nasks(&f.w, 1);
	struct timespec ts = { 0, 400000000 }; /* two intervals: would have asked twice */
	nanosleep(&ts, NULL);
	assert_int_equal(world_nasks(&f.w, 1), before);
	asked_floor = tracker_row(&f.copy, 1)->asked;
	monitor_query_now(f.m);
	assert_true(until(&f, asked_more));
	size_t after = world_nasks(&f.w, 1);
	assert_true(after > before);
	nanosleep(&ts, NULL);
	assert_int_equal(world_nasks(&f.w, 1), after); /* paused again after the one round */
	monitor_pause(f.m, false);
	stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_by_itself),
		cmocka_unit_test(test_pause_and_kick),
	};
	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
