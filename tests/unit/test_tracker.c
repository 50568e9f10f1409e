/*
 * test_tracker.c -- unit tests for the tracker: statuses derived once,
 * ETAs, scheduling, the truth policy and copies. Virtual time throughout
 * (clock.h): nothing sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "world.h"

#define EPS 1e-9

/* A tracker over w, with the truth (NEW_MX) installed at `at`. */
static void tracker_with_truth(struct tracker *t, struct world *w, double at)
{
	struct tracker_cfg cfg = world_cfg(w, 10, 1);
	assert_int_equal(tracker_init(t, &cfg, 0), PW_OK);
	if (at >= 0) {
		struct expected e;
		struct truth_opts o = { 0 };
		assert_int_equal(world_truth(w, &w->q, &o, &e), 0);
		tracker_truth_install(t, &e, at);
	}
}

static void post_at(struct tracker *t, struct world *w, size_t i, double now)
{
	struct answer a;
	tracker_asked(t, i, now);
	world_answer(w, i, now, &a);
	tracker_post(t, i, &a, now);
}

static void post_timeout(struct tracker *t, size_t i, double now)
{
	struct answer a;
	tracker_asked(t, i, now);
	answer_init(&a);
	a.outcome = OUT_TIMEOUT;
	tracker_post(t, i, &a, now);
}

/* Issue 8's reproducer: stale at t=100, timed out at t=110. Its cache
 * still holds the old answer until t=400: ETA 290 for the row and the
 * fleet alike (views print these; test_out.c checks they do). */
static void test_eta_of_a_timeout_after_stale(void **state)
{
	static const double flips[] = { 400, 0 };
	struct world w;
	struct tracker t;
	(void)state;
	world_init(&w, 2, flips);
	tracker_with_truth(&t, &w, 0);
	post_at(&t, &w, 0, 100);
	post_at(&t, &w, 1, 100);
	assert_int_equal(tracker_status(&t, 0), ST_STALE);
	assert_int_equal(tracker_status(&t, 1), ST_NEW);
	assert_float_equal(tracker_eta(&t, 0, 100), 300, EPS);
	post_timeout(&t, 0, 110);
	assert_int_equal(tracker_status(&t, 0), ST_TIMEOUT);
	assert_float_equal(tracker_eta(&t, 0, 110), 290, EPS);
	assert_float_equal(tracker_eta(&t, 1, 110), -1, EPS); /* new: nothing to wait for */
	assert_int_equal(tracker_evaluate(&t), PW_OK);
	assert_float_equal(tracker_fleet_eta(&t, 110), 290, EPS);
	assert_float_equal(tracker_fleet_eta(&t, 500), 0, EPS); /* overdue */
	assert_int_equal(tracker_summary(&t)->count[ST_TIMEOUT], 1);
	assert_int_equal(tracker_summary(&t)->usable, 1);
	tracker_free(&t);
	world_free(&w);
}

/* Without ground truth nothing is old or new, so there is no ETA. */
static void test_no_eta_without_truth(void **state)
{
	static const double flips[] = { 400 };
	struct world w;
	struct tracker t;
	(void)state;
	world_init(&w, 1, flips);
	tracker_with_truth(&t, &w, -1);
	post_at(&t, &w, 0, 100);
	assert_int_equal(tracker_status(&t, 0), ST_STALE);
	assert_float_equal(tracker_eta(&t, 0, 100), -1, EPS);
	assert_int_equal(tracker_evaluate(&t), PW_OK);
	assert_float_equal(tracker_fleet_eta(&t, 100), -1, EPS);
	assert_int_equal(tracker_summary(&t)->exit_code, EXIT_UNDECIDABLE);
	tracker_free(&t);
	world_free(&w);
}

/* The first step asks everyone; the truth follows once they answered. */
static void test_first_steps(void **state)
{
	static const double flips[] = { 30, 0, 0 };
	struct world w;
	struct tracker t;
	size_t due[WORLD_MAX], n;
	double until;
	(void)state;
	world_init(&w, 3, flips);
	tracker_with_truth(&t, &w, -1);
	assert_int_equal(tracker_next(&t, 0, true, due, &n, &until), STEP_ASK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++)
		post_at(&t, &w, i, 0);
	/* All three answered: the truth is ready even before the round ends. */
	assert_true(tracker_truth_ready(&t, 0, NULL));
	tracker_round_done(&t, 0, 0, 0);
	assert_int_equal(tracker_next(&t, 0, true, due, &n, &until), STEP_TRUTH);
	/* The monitor's scheduler does not take truth steps. */
	assert_int_equal(tracker_next(&t, 0, false, due, &n, &until), STEP_IDLE);
	struct expected e;
	struct truth_opts o = { 0 };
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 0.1);
	assert_int_equal(tracker_status(&t, 0), ST_STALE);
	assert_int_equal(tracker_status(&t, 1), ST_NEW);
	/* Row 0's TTL runs out at 30: asked again just after, not at +10 s. */
	assert_int_equal(tracker_next(&t, 0.2, true, due, &n, &until), STEP_IDLE);
	assert_float_equal(until, 10, EPS); /* rows 1, 2 at the interval */
	assert_float_equal(tracker_row(&t, 0)->next_due, 10, EPS);
	tracker_free(&t);
	world_free(&w);
}

/* The first look at the truth waits for a few answers, or a grace time
 * after the first one, not for the slowest resolver. */
static void test_truth_ready_grace(void **state)
{
	static const double flips[] = { 0, 0, 0 };
	struct world w;
	struct tracker t;
	double when;
	(void)state;
	world_init(&w, 3, flips);
	tracker_with_truth(&t, &w, -1);
	assert_false(tracker_truth_ready(&t, 0, &when));
	assert_true(isinf(when)); /* only an answer can make it ready */
	post_at(&t, &w, 0, 1.0);
	assert_false(tracker_truth_ready(&t, 1.1, &when));
	assert_float_equal(when, 1.0 + TRACK_TRUTH_GRACE, EPS);
	assert_true(tracker_truth_ready(&t, 1.0 + TRACK_TRUTH_GRACE, &when));
	tracker_free(&t);
	world_free(&w);
}

/* A resolver is never asked twice within --min-interval; a cache whose
 * TTL keeps saying 0 is re-asked at that pace. */
static void test_min_gap(void **state)
{
	static const double flips[] = { 1000 };
	struct world w;
	struct tracker t;
	(void)state;
	world_init(&w, 1, flips);
	w.res[0].old_ttl_cap = 0; /* says TTL 0 every time */
	struct tracker_cfg cfg = world_cfg(&w, 10, 2);
	assert_int_equal(tracker_init(&t, &cfg, 0), PW_OK);
	struct expected e;
	struct truth_opts o = { 0 };
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 0);
	post_at(&t, &w, 0, 5);
	assert_float_equal(tracker_row(&t, 0)->next_due, 7, EPS);
	tracker_kick(&t, 5.5); /* "query now" respects the gap too */
	assert_float_equal(tracker_row(&t, 0)->next_due, 7, EPS);
	tracker_kick(&t, 8);
	assert_float_equal(tracker_row(&t, 0)->next_due, 8, EPS);
	tracker_free(&t);
	world_free(&w);
}

/* A new truth re-derives every row and re-asks everyone. */
static void test_truth_change(void **state)
{
	static const double flips[] = { 0, 0 };
	struct world w;
	struct tracker t;
	(void)state;
	world_init(&w, 2, flips);
	tracker_with_truth(&t, &w, 0);
	post_at(&t, &w, 0, 1);
	post_at(&t, &w, 1, 1);
	assert_int_equal(tracker_status(&t, 0), ST_NEW);
	assert_float_equal(tracker_eta(&t, 0, 1), -1, EPS);
	/* The zone moves on again: what was new is old now. */
	w.truth_mx = "10 mx-newer.example.test.";
	struct expected e;
	struct truth_opts o = { 0 };
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 2);
	assert_int_equal(t.truth_changes, 1);
	assert_int_equal(tracker_status(&t, 0), ST_STALE);
	assert_int_equal(tracker_status(&t, 1), ST_STALE);
	assert_float_equal(tracker_eta(&t, 0, 2), 59, EPS);       /* cached at 1 with TTL 60 */
	assert_float_equal(tracker_row(&t, 0)->next_due, 2, EPS); /* kicked, past the gap */
	assert_true(tracker_row(&t, 0)->changed_at == 2);
	const struct track_change *c = tracker_change(tracker_row(&t, 0), 0);
	assert_non_null(c);
	assert_int_equal(c->from, ST_NEW);
	assert_int_equal(c->to, ST_STALE);
	tracker_free(&t);
	world_free(&w);
}

/* A failed look keeps the last good truth, says so, and the next look
 * discovers the servers again; good looks reuse the servers found. */
static void test_truth_policy(void **state)
{
	static const double flips[] = { 0 };
	struct world w;
	struct tracker t;
	struct expected e;
	struct truth_opts o = { 0 };
	size_t n;
	(void)state;
	world_init(&w, 1, flips);
	tracker_with_truth(&t, &w, -1);
	assert_null(tracker_truth_servers(&t, &n)); /* first look: discovery */
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 1);
	assert_float_equal(t.truth_due, 11, EPS);
	assert_non_null(tracker_truth_servers(&t, &n));
	assert_int_equal(n, 1);
	w.truth_fails = true;
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 11);
	assert_int_equal(tracker_truth(&t)->source, EXP_AUTH); /* kept */
	assert_non_null(strstr(t.note, "still using the answer seen at"));
	assert_null(tracker_truth_servers(&t, &n)); /* discover again */
	w.truth_fails = false;
	/* Every twelfth look discovers anyway (NS sets change, rarely). */
	for (int k = 0; k < 12; k++) {
		world_truth(&w, &w.q, &o, &e);
		tracker_truth_install(&t, &e, 20 + k);
	}
	assert_int_equal(t.truth_fetches, 14);
	while (t.truth_fetches < 23) {
		assert_non_null(tracker_truth_servers(&t, &n));
		world_truth(&w, &w.q, &o, &e);
		tracker_truth_install(&t, &e, 40 + t.truth_fetches);
	}
	assert_non_null(tracker_truth_servers(&t, &n));
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 70);
	assert_null(tracker_truth_servers(&t, &n)); /* the 25th look discovers */
	assert_int_equal(t.truth_changes, 0);
	tracker_free(&t);
	world_free(&w);
}

/* --expect is fixed: never due, never refreshed. */
static void test_user_expect(void **state)
{
	static const double flips[] = { 0 };
	static const char *const args[] = { NEW_MX };
	struct world w;
	struct tracker t;
	struct expected e;
	char err[128];
	size_t due[1], n;
	double until;
	(void)state;
	world_init(&w, 1, flips);
	assert_int_equal(
	        expected_from_args(&e, "example.test", LDNS_RR_TYPE_MX, args, 1, err, sizeof err),
	        PW_OK);
	struct tracker_cfg cfg = world_cfg(&w, 10, 1);
	cfg.user_expect = &e;
	assert_int_equal(tracker_init(&t, &cfg, 0), PW_OK);
	assert_false(tracker_truth_due(&t, 1e9));
	post_at(&t, &w, 0, 0);
	tracker_round_done(&t, 0, 0, 0);
	assert_int_equal(tracker_status(&t, 0), ST_NEW);
	assert_int_equal(tracker_next(&t, 1, true, due, &n, &until), STEP_IDLE);
	assert_float_equal(until, 10, EPS);
	tracker_free(&t);
	expected_free(&e);
	world_free(&w);
}

/* A copy takes only the rows that changed, and reads the same. */
static void test_copy(void **state)
{
	static const double flips[] = { 50, 0, 0 };
	struct world w;
	struct tracker t, c;
	(void)state;
	world_init(&w, 3, flips);
	tracker_with_truth(&t, &w, 0);
	memset(&c, 0, sizeof c);
	for (size_t i = 0; i < 3; i++)
		post_at(&t, &w, i, 1);
	assert_int_equal(tracker_copy(&c, &t), 1);
	assert_int_equal(tracker_copy(&c, &t), 0); /* nothing new */
	assert_int_equal(tracker_evaluate(&c), PW_OK);
	assert_int_equal(tracker_evaluate(&t), PW_OK);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tracker_status(&c, i), tracker_status(&t, i));
		assert_float_equal(tracker_eta(&c, i, 2), tracker_eta(&t, i, 2), EPS);
		assert_string_equal(tracker_answer(&c, i)->key, tracker_answer(&t, i)->key);
	}
	assert_int_equal(tracker_summary(&c)->exit_code, tracker_summary(&t)->exit_code);
	assert_float_equal(tracker_fleet_eta(&c, 2), 48, EPS); /* TTL 49 at 1 */
	/* One row changes: the copy gets that row, and keeps the others' memory. */
	const char *kept = tracker_answer(&c, 1)->key;
	post_at(&t, &w, 0, 60);
	assert_int_equal(tracker_copy(&c, &t), 1);
	assert_ptr_equal(tracker_answer(&c, 1)->key, kept);
	assert_int_equal(tracker_evaluate(&c), PW_OK);
	assert_int_equal(tracker_status(&c, 0), ST_NEW);
	assert_true(tracker_summary(&c)->propagated);
	tracker_free(&c);
	tracker_free(&t);
	world_free(&w);
}

/* History and timeline are rings: memory stays bounded however long. */
static void test_rings_bounded(void **state)
{
	static const double flips[] = { 0 };
	struct world w;
	struct tracker t;
	(void)state;
	world_init(&w, 1, flips);
	tracker_with_truth(&t, &w, 0);
	const struct track_row *r = tracker_row(&t, 0);
	for (int k = 0; k < 5000; k++) {
		if (k % 2)
			post_at(&t, &w, 0, k);
		else
			post_timeout(&t, 0, k);
		/* The ring grows while it fills, newest first, every change kept. */
		if (k < TRACK_HISTORY) {
			for (int b = 0; b <= k; b++)
				assert_float_equal(tracker_change(r, (size_t)b)->at, k - b, EPS);
			assert_null(tracker_change(r, (size_t)k + 1));
		}
	}
	assert_int_equal(r->nchanges, 5000);
	assert_non_null(tracker_change(r, TRACK_HISTORY - 1));
	assert_null(tracker_change(r, TRACK_HISTORY));
	assert_float_equal(tracker_change(r, 0)->at, 4999, EPS);
	assert_int_equal(tracker_timeline_len(&t), TRACK_TIMELINE);
	assert_float_equal(tracker_timeline(&t, TRACK_TIMELINE - 1)->at, 4999, EPS);
	assert_true(tracker_timeline(&t, 0)->at < tracker_timeline(&t, 1)->at);
	tracker_free(&t);
	world_free(&w);
}

/* Hopeless: with --wait, an expiry past the deadline gives up at once. */
static void test_hopeless(void **state)
{
	static const double flips[] = { 100, 0 };
	struct world w;
	struct tracker t;
	char note[256];
	(void)state;
	world_init(&w, 2, flips);
	tracker_with_truth(&t, &w, 0);
	post_at(&t, &w, 0, 0);
	post_at(&t, &w, 1, 0);
	tracker_evaluate(&t);
	assert_true(tracker_hopeless(&t, 0, 30, note, sizeof note));
	assert_non_null(strstr(note, "gave up early: 1 cache still holds"));
	assert_false(tracker_hopeless(&t, 0, 200, note, sizeof note));
	tracker_free(&t);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eta_of_a_timeout_after_stale),
		cmocka_unit_test(test_no_eta_without_truth),
		cmocka_unit_test(test_first_steps),
		cmocka_unit_test(test_truth_ready_grace),
		cmocka_unit_test(test_min_gap),
		cmocka_unit_test(test_truth_change),
		cmocka_unit_test(test_truth_policy),
		cmocka_unit_test(test_user_expect),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_rings_bounded),
		cmocka_unit_test(test_hopeless),
	};
	clock_use_virtual(0, 1800000000);
	return cmocka_run_group_tests_name("tracker", tests, NULL, NULL);
}
