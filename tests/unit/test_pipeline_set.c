/*
 * test_pipeline_set.c -- several trackers stepped as one (mail's records):
 * every due row of every member in one call of the back-end, each answer
 * posted to its own tracker; check's --wait loop over the set, ending
 * when all have propagated or one cannot by the deadline. A scripted
 * world in virtual time (world.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check.h"
#include "world.h"

/* The world's back-end, counting its calls. */
struct counting {
	struct world *w;
	unsigned calls;
	size_t jobs[64]; /* jobs per call */
};

static int counting_ask(void *ctx, const struct engine_job *jobs, size_t n, struct answer *out,
                        engine_cb cb, void *cbctx, struct engine_stats *st)
{
	struct counting *c = ctx;
	if (c->calls < 64)
		c->jobs[c->calls] = n;
	c->calls++;
	return world_ask(c->w, jobs, n, out, cb, cbctx, st);
}

/* A pipeline over w whose truth is fixed to mx. */
static void member(struct world *w, struct pipeline *p, struct expected *e, const char *mx,
                   double interval)
{
	char err[128];
	const char *args[1] = { mx };
	assert_int_equal(
	        expected_from_args(e, "example.test", LDNS_RR_TYPE_MX, args, 1, err, sizeof err),
	        0);
	struct tracker_cfg cfg = world_cfg(w, interval, 1);
	cfg.user_expect = e;
	struct pipeline_backend be = world_backend(w);
	assert_int_equal(pipeline_init(p, &cfg, w->targets, &be, clock_mono()), PW_OK);
}

/* One round: both members' rows in one call, answers to their trackers. */
static void test_one_round(void **state)
{
	static const double flips[] = { 0, 0, 0 };
	struct world w;
	struct pipeline a, b;
	struct expected ea, eb;
	struct pipeline_set s;
	struct counting c = { &w, 0, { 0 } };
	double until;
	(void)state;
	clock_use_virtual(0, 1800000000);
	world_init(&w, 3, flips);
	member(&w, &a, &ea, NEW_MX, 10);
	member(&w, &b, &eb, OLD_MX, 10);
	struct pipeline_backend be = { &c, &w, counting_ask, world_truth, NULL, false };
	pipeline_set_init(&s, &be);
	assert_int_equal(pipeline_set_add(&s, &a), 0);
	assert_int_equal(pipeline_set_add(&s, &b), 0);
	assert_int_equal(pipeline_set_step(&s, 0, true, &until), STEP_ASK);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.jobs[0], 6);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tracker_status(&a.t, i), ST_NEW);
		assert_int_equal(tracker_status(&b.t, i), ST_STALE);
		assert_false(tracker_row(&a.t, i)->busy);
	}
	assert_int_equal(a.t.rounds, 1);
	assert_int_equal(b.t.rounds, 1);
	/* Nothing due now: idle until the interval (the truths are fixed). */
	assert_int_equal(pipeline_set_step(&s, 0, true, &until), STEP_IDLE);
	assert_int_equal(c.calls, 1);
	assert_float_equal(until, 10, 1e-9);
	pipeline_set_free(&s);
	pipeline_free(&a);
	pipeline_free(&b);
	expected_free(&ea);
	expected_free(&eb);
	world_free(&w);
}

static volatile int no_stop;

/* --wait over the set: caches expiring at 5 and 20 s are asked again just
 * after, in rounds shared by both records; done when both are new. */
static void test_wait_all(void **state)
{
	static const double flips[] = { 5, 20, 0 };
	struct world w;
	struct pipeline a, b;
	struct expected ea, eb;
	struct pipeline_set s;
	struct counting c = { &w, 0, { 0 } };
	(void)state;
	clock_use_virtual(0, 1800000000);
	world_init(&w, 3, flips);
	member(&w, &a, &ea, NEW_MX, 30);
	member(&w, &b, &eb, NEW_MX, 30);
	struct pipeline_backend be = { &c, &w, counting_ask, world_truth, NULL, false };
	pipeline_set_init(&s, &be);
	assert_int_equal(pipeline_set_add(&s, &a), 0);
	assert_int_equal(pipeline_set_add(&s, &b), 0);
	struct check_run run = { .wait = 60, .stop = &no_stop };
	check_loop_set(&s, &run);
	assert_true(tracker_summary(&a.t)->propagated);
	assert_true(tracker_summary(&b.t)->propagated);
	assert_string_equal(run.note, "");
	assert_float_equal(clock_mono(), 20.5, 1e-9);
	assert_int_equal(c.calls, 3); /* at 0, 5.5 and 20.5 */
	assert_int_equal(c.jobs[0], 6);
	assert_int_equal(c.jobs[1], 2);
	assert_int_equal(c.jobs[2], 2);
	pipeline_set_free(&s);
	pipeline_free(&a);
	pipeline_free(&b);
	expected_free(&ea);
	expected_free(&eb);
	world_free(&w);
}

/* One member whose cache outlives the deadline ends the wait at once,
 * and the note names the record. */
static void test_hopeless(void **state)
{
	static const double flips[] = { 120, 0 };
	struct world w;
	struct pipeline a, b;
	struct expected ea, eb;
	struct pipeline_set s;
	(void)state;
	clock_use_virtual(0, 1800000000);
	world_init(&w, 2, flips);
	member(&w, &a, &ea, NEW_MX, 10);
	member(&w, &b, &eb, NEW_MX, 10);
	a.t.cfg.threshold = (struct threshold){ false, 1 }; /* one new answer passes a */
	struct pipeline_backend be = world_backend(&w);
	pipeline_set_init(&s, &be);
	assert_int_equal(pipeline_set_add(&s, &a), 0);
	assert_int_equal(pipeline_set_add(&s, &b), 0);
	struct check_run run = { .wait = 30, .stop = &no_stop };
	check_loop_set(&s, &run);
	assert_false(tracker_summary(&b.t)->propagated);
	assert_float_equal(clock_mono(), 0, 1e-9);
	assert_true(tracker_summary(&a.t)->propagated);
	if (strstr(run.note, "example.test. MX: gave up early") == NULL ||
	    strstr(run.note, "in 2m 00s") == NULL)
		fail_msg("note: %s", run.note);
	pipeline_set_free(&s);
	pipeline_free(&a);
	pipeline_free(&b);
	expected_free(&ea);
	expected_free(&eb);
	world_free(&w);
}

/* Without --wait: one round, then done. */
static void test_no_wait(void **state)
{
	static const double flips[] = { 5, 0 };
	struct world w;
	struct pipeline a, b;
	struct expected ea, eb;
	struct pipeline_set s;
	struct counting c = { &w, 0, { 0 } };
	(void)state;
	clock_use_virtual(0, 1800000000);
	world_init(&w, 2, flips);
	member(&w, &a, &ea, NEW_MX, 10);
	member(&w, &b, &eb, NEW_MX, 10);
	struct pipeline_backend be = { &c, &w, counting_ask, world_truth, NULL, false };
	pipeline_set_init(&s, &be);
	assert_int_equal(pipeline_set_add(&s, &a), 0);
	assert_int_equal(pipeline_set_add(&s, &b), 0);
	struct check_run run = { .wait = 0, .stop = &no_stop };
	check_loop_set(&s, &run);
	assert_int_equal(c.calls, 1);
	assert_false(tracker_summary(&a.t)->propagated);
	assert_int_equal(tracker_summary(&a.t)->count[ST_NEW], 1);
	assert_true(tracker_fleet_eta(&a.t, clock_mono()) > 4);
	pipeline_set_free(&s);
	pipeline_free(&a);
	pipeline_free(&b);
	expected_free(&ea);
	expected_free(&eb);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_round),
		cmocka_unit_test(test_wait_all),
		cmocka_unit_test(test_hopeless),
		cmocka_unit_test(test_no_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
