/*
 * test_check_loop.c -- the --wait loop of `check`, in virtual time: the
 * re-ask just after a TTL runs out, giving up early, the gap between
 * queries, the deadline, a signal. A scripted world answers at once; the
 * virtual clock moves only when the loop sleeps, so minutes of waiting
 * take microseconds and the times asked can be checked exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check.h"
#include "world.h"

static volatile int no_stop;

/* Run check's loop over w with --wait `wait` from virtual time 0. */
static void run(struct world *w, struct pipeline *p, double wait, double interval, double min_gap,
                struct check_run *c)
{
	clock_use_virtual(0, 1800000000);
	struct tracker_cfg cfg = world_cfg(w, interval, min_gap);
	struct pipeline_backend be = world_backend(w);
	assert_int_equal(pipeline_init(p, &cfg, w->targets, &be, 0), PW_OK);
	*c = (struct check_run){ .wait = wait, .stop = &no_stop };
	check_loop(p, c);
}

/* Two caches expire at 5 s and 20 s: the gate passes once the second has
 * flipped, and each was asked again just after its TTL ran out (+0.5 s),
 * not at the 30 s interval; the one already new waits for the interval. */
static void test_wait_requery_at_ttl(void **state)
{
	static const double flips[] = { 5, 20, 0 };
	struct world w;
	struct pipeline p;
	struct check_run c;
	(void)state;
	world_init(&w, 3, flips);
	run(&w, &p, 60, 30, 1, &c);
	assert_true(tracker_summary(&p.t)->propagated);
	assert_string_equal(c.note, "");
	assert_int_equal(w.nasks[0], 2);
	assert_float_equal(w.asks[0][0], 0, 1e-9);
	assert_float_equal(w.asks[0][1], 5.5, 1e-9);
	assert_int_equal(w.nasks[1], 2);
	assert_float_equal(w.asks[1][1], 20.5, 1e-9);
	/* Done the moment the last one flipped: well before the deadline. */
	assert_float_equal(clock_mono(), 20.5, 1e-9);
	assert_int_equal(w.nasks[2], 1); /* new: next due at 30 */
	assert_int_equal(w.truth_looks, 1);
	pipeline_free(&p);
	world_free(&w);

	/* With a 10 s interval shorter than the TTL, a stale cache is asked at
	 * the interval too (a flush would show), then just after its TTL. */
	world_init(&w, 3, flips);
	run(&w, &p, 60, 10, 1, &c);
	assert_true(tracker_summary(&p.t)->propagated);
	assert_int_equal(w.nasks[1], 3);
	assert_float_equal(w.asks[1][1], 10, 1e-9);
	assert_float_equal(w.asks[1][2], 20, 1e-9);
	assert_int_equal(w.nasks[2], 3);
	assert_true(w.truth_looks >= 2); /* the truth too, every interval */
	pipeline_free(&p);
	world_free(&w);
}

/* A cache that holds the old answer past the deadline: give up at once,
 * exit 1, and say until when. */
static void test_wait_gives_up_early(void **state)
{
	static const double flips[] = { 120, 0 };
	struct world w;
	struct pipeline p;
	struct check_run c;
	(void)state;
	world_init(&w, 2, flips);
	run(&w, &p, 30, 10, 1, &c);
	assert_false(tracker_summary(&p.t)->propagated);
	assert_int_equal(tracker_summary(&p.t)->exit_code, EXIT_NOT_PROPAGATED);
	assert_non_null(strstr(c.note, "gave up early: 1 cache still holds the old answer"));
	assert_float_equal(clock_mono(), 0, 1e-9); /* without waiting at all */
	assert_int_equal(w.nasks[0], 1);
	pipeline_free(&p);
	world_free(&w);
}

/* A cache that says TTL 0 but keeps the old answer: asked again no more
 * often than --min-interval, and the wait runs out at the deadline. */
static void test_wait_min_gap_and_deadline(void **state)
{
	static const double flips[] = { 1000 };
	struct world w;
	struct pipeline p;
	struct check_run c;
	(void)state;
	world_init(&w, 1, flips);
	w.res[0].old_ttl_cap = 0;
	run(&w, &p, 10, 10, 2, &c);
	assert_false(tracker_summary(&p.t)->propagated);
	assert_string_equal(c.note, "--wait ran out before the change propagated");
	assert_float_equal(clock_mono(), 10, 1e-9);
	assert_int_equal(w.nasks[0], 6); /* at 0, 2, 4, 6, 8, 10 */
	for (size_t k = 1; k < w.nasks[0]; k++)
		assert_float_equal(w.asks[0][k] - w.asks[0][k - 1], 2, 1e-9);
	pipeline_free(&p);
	world_free(&w);
}

/* Without --wait: one round, one look at the truth, a verdict. */
static void test_one_sweep(void **state)
{
	static const double flips[] = { 50, 0 };
	struct world w;
	struct pipeline p;
	struct check_run c;
	(void)state;
	world_init(&w, 2, flips);
	run(&w, &p, 0, 10, 1, &c);
	assert_int_equal(w.nasks[0], 1);
	assert_int_equal(w.nasks[1], 1);
	assert_int_equal(w.truth_looks, 1);
	assert_int_equal(tracker_summary(&p.t)->exit_code, EXIT_NOT_PROPAGATED);
	assert_float_equal(tracker_fleet_eta(&p.t, clock_mono()), 50, 1e-9);
	pipeline_free(&p);
	world_free(&w);
}

/* A timeout is not usable: a cache that stopped answering does not hold
 * the gate, and with a lost truth the verdict is undecidable. */
static void test_silent_and_no_truth(void **state)
{
	static const double flips[] = { 0, 0 };
	struct world w;
	struct pipeline p;
	struct check_run c;
	(void)state;
	world_init(&w, 2, flips);
	w.res[1].silent_from = 0;
	run(&w, &p, 0, 10, 1, &c);
	assert_true(tracker_summary(&p.t)->propagated);
	assert_int_equal(tracker_status(&p.t, 1), ST_TIMEOUT);
	pipeline_free(&p);

	w.truth_fails = true;
	run(&w, &p, 0, 10, 1, &c);
	assert_int_equal(tracker_summary(&p.t)->exit_code, EXIT_UNDECIDABLE);
	assert_non_null(strstr(tracker_summary(&p.t)->why, "no authoritative server answered"));
	pipeline_free(&p);
	world_free(&w);
}

/* A signal ends the wait at once. */
static void test_stop(void **state)
{
	static const double flips[] = { 25 };
	static volatile int stop = 1;
	struct world w;
	struct pipeline p;
	(void)state;
	world_init(&w, 1, flips);
	clock_use_virtual(0, 1800000000);
	struct tracker_cfg cfg = world_cfg(&w, 10, 1);
	struct pipeline_backend be = world_backend(&w);
	assert_int_equal(pipeline_init(&p, &cfg, w.targets, &be, 0), PW_OK);
	struct check_run c = { .wait = 60, .stop = &stop };
	check_loop(&p, &c);
	assert_int_equal(w.nasks[0], 0);
	assert_float_equal(clock_mono(), 0, 1e-9);
	pipeline_free(&p);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_requery_at_ttl),
		cmocka_unit_test(test_wait_gives_up_early),
		cmocka_unit_test(test_wait_min_gap_and_deadline),
		cmocka_unit_test(test_one_sweep),
		cmocka_unit_test(test_silent_and_no_truth),
		cmocka_unit_test(test_stop),
	};
	return cmocka_run_group_tests_name("check_loop", tests, NULL, NULL);
}
