/*
 * test_gate.c -- unit tests for src/gate.c: thresholds and the verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "error.h"
#include "gate.h"

/* ---- threshold_parse -------------------------------------------------- */

static void test_threshold_ok(void **state)
{
	struct threshold t;
	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(threshold_parse("100%", &t), PW_OK);
	assert_true(t.percent);
	assert_float_equal(t.value, 100, 1e-9);
	assert_int_equal(threshold_parse("95.5%", &t), PW_OK);
	assert_true(t.percent);
	assert_float_equal(t.value, 95.5, 1e-9);
	assert_int_equal(threshold_parse("0%", &t), PW_OK);
	assert_true(t.percent);
	assert_float_equal(t.value, 0, 1e-9);
	assert_int_equal(threshold_parse("40", &t), PW_OK);
	assert_false(t.percent);
	assert_float_equal(t.value, 40, 1e-9);
	assert_int_equal(threshold_parse("1", &t), PW_OK);
	assert_false(t.percent);
	assert_float_equal(t.value, 1, 1e-9);
}

static void test_threshold_bad(void **state)
{
	static const char *const bad[] = { "101%", "100.1%", "-1",   "-5%", "abc", "4.5",  "",
		                           "%",    "50%%",   "50 %", "50x", "inf", "nan%", "10%5" };
	struct threshold t;
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t.percent = false;
		t.value = 12345;
		if (threshold_parse(bad[i], &t) >= 0)
			fail_msg("threshold_parse(\"%s\") accepted", bad[i]);
		/* t is untouched on error */
		assert_false(t.percent);
		assert_float_equal(t.value, 12345, 1e-9);
	}
	assert_int_equal(threshold_parse("101%", &t), PW_ERANGE);
	assert_int_equal(threshold_parse("abc", &t), PW_EINVAL);
}

/* ---- gate_decide ------------------------------------------------------ */

/* A summary as the tracker counts it: new, stale, nxdomain, nodata, then
 * failures spread over the five failing statuses. */
static void mk(size_t nnew, size_t nstale, size_t nnx, size_t nnodata, size_t nfail,
               struct summary *s)
{
	static const enum pw_status fails[] = { ST_SERVFAIL, ST_REFUSED, ST_TIMEOUT, ST_UNREACHABLE,
		                                ST_ERROR };
	memset(s, 0xA5, sizeof *s);
	memset(s->count, 0, sizeof s->count);
	s->total = nnew + nstale + nnx + nnodata + nfail;
	s->count[ST_NEW] = nnew;
	s->count[ST_STALE] = nstale;
	s->count[ST_NXDOMAIN] = nnx;
	s->count[ST_NODATA] = nnodata;
	for (size_t i = 0; i < nfail; i++)
		s->count[fails[i % 5]]++;
}

static struct threshold pct(double v)
{
	struct threshold t = { true, v };
	return t;
}

static struct threshold cnt(double v)
{
	struct threshold t = { false, v };
	return t;
}

static void decide(size_t nnew, size_t nstale, size_t nnx, size_t nnodata, size_t nfail, bool truth,
                   struct threshold t, size_t min_answers, struct summary *s)
{
	mk(nnew, nstale, nnx, nnodata, nfail, s);
	size_t n = s->total;
	gate_decide(s, truth, &t, min_answers);
	assert_non_null(s->verdict);
	assert_int_equal(s->total, n);
}

static void assert_verdict(const struct summary *s, int exit_code)
{
	assert_int_equal(s->exit_code, exit_code);
	switch (exit_code) {
	case EXIT_PROPAGATED:
		assert_true(s->propagated);
		assert_string_equal(s->verdict, "propagated");
		break;
	case EXIT_NOT_PROPAGATED:
		assert_false(s->propagated);
		assert_string_equal(s->verdict, "not propagated");
		assert_true(s->why[0] != '\0');
		break;
	default:
		assert_false(s->propagated);
		assert_string_equal(s->verdict, "undecidable");
		assert_true(s->why[0] != '\0');
	}
}

static void test_counts_and_share(void **state)
{
	struct summary s;
	(void)state;
	decide(6, 2, 1, 1, 5, true, pct(50), 1, &s);
	assert_int_equal(s.total, 15);
	assert_int_equal(s.usable, 10);
	assert_int_equal(s.count[ST_NEW], 6);
	assert_int_equal(s.count[ST_STALE], 2);
	assert_int_equal(s.count[ST_NXDOMAIN], 1);
	assert_int_equal(s.count[ST_NODATA], 1);
	assert_int_equal(s.count[ST_SERVFAIL], 1);
	assert_int_equal(s.count[ST_REFUSED], 1);
	assert_int_equal(s.count[ST_TIMEOUT], 1);
	assert_int_equal(s.count[ST_UNREACHABLE], 1);
	assert_int_equal(s.count[ST_ERROR], 1);
	assert_int_equal(s.count[ST_PENDING], 0);
	/* Failures do not dilute the share. */
	assert_float_equal(s.share, 60.0, 1e-9);
	assert_verdict(&s, EXIT_PROPAGATED);
}

static void test_all_new(void **state)
{
	struct summary s;
	(void)state;
	decide(10, 0, 0, 0, 3, true, pct(100), 1, &s);
	assert_float_equal(s.share, 100.0, 1e-9);
	assert_verdict(&s, EXIT_PROPAGATED);
	assert_string_equal(s.why, "");
}

static void test_hundred_percent_means_every_one(void **state)
{
	struct summary s;
	(void)state;
	/* 99 of 100 would round to "99%" and, with any rounding, pass for 100%. */
	decide(99, 1, 0, 0, 0, true, pct(100), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	assert_float_equal(s.share, 99.0, 1e-9);
	decide(999, 1, 0, 0, 0, true, pct(100), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	decide(100, 0, 0, 0, 0, true, pct(100), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	/* 99.9% of 1000 needs 999. */
	decide(998, 2, 0, 0, 0, true, pct(99.9), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	decide(999, 1, 0, 0, 0, true, pct(99.9), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
}

static void test_percent_rounding(void **state)
{
	struct summary s;
	(void)state;
	/* 95.5% of 200 is 191 exactly. */
	decide(191, 9, 0, 0, 0, true, pct(95.5), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	decide(190, 10, 0, 0, 0, true, pct(95.5), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	/* 50% of 3 needs 2 (1.5 rounds up). */
	decide(1, 2, 0, 0, 0, true, pct(50), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	decide(2, 1, 0, 0, 0, true, pct(50), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	/* Shares that are not exact in binary: 57% of 100, 70% of 10, 29% of 100. */
	decide(57, 43, 0, 0, 0, true, pct(57), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	decide(7, 3, 0, 0, 0, true, pct(70), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	decide(29, 71, 0, 0, 0, true, pct(29), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	decide(28, 72, 0, 0, 0, true, pct(29), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	/* 0% passes with nothing new. */
	decide(0, 5, 0, 0, 0, true, pct(0), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
}

static void test_count_threshold(void **state)
{
	struct summary s;
	(void)state;
	decide(40, 60, 0, 0, 0, true, cnt(40), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	decide(39, 61, 0, 0, 0, true, cnt(40), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	assert_non_null(strstr(s.why, "39"));
	/* A count above the usable answers cannot be met. */
	decide(5, 0, 0, 0, 0, true, cnt(6), 1, &s);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
}

static void test_negative_statuses_are_usable(void **state)
{
	struct summary s;
	(void)state;
	/* NXDOMAIN/NODATA answers count in the denominator. */
	decide(3, 0, 1, 0, 0, true, pct(100), 1, &s);
	assert_int_equal(s.usable, 4);
	assert_float_equal(s.share, 75.0, 1e-9);
	assert_verdict(&s, EXIT_NOT_PROPAGATED);
	decide(3, 0, 0, 1, 0, true, pct(75), 1, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
}

static void test_failures_do_not_block(void **state)
{
	struct summary s;
	(void)state;
	decide(4, 0, 0, 0, 50, true, pct(100), 1, &s);
	assert_int_equal(s.usable, 4);
	assert_verdict(&s, EXIT_PROPAGATED);
}

static void test_min_answers(void **state)
{
	struct summary s;
	(void)state;
	decide(3, 0, 0, 0, 10, true, pct(100), 5, &s);
	assert_verdict(&s, EXIT_UNDECIDABLE);
	assert_non_null(strstr(s.why, "3"));
	assert_non_null(strstr(s.why, "5"));
	decide(5, 0, 0, 0, 10, true, pct(100), 5, &s);
	assert_verdict(&s, EXIT_PROPAGATED);
	/* Too few answers is undecidable even when they are all stale. */
	decide(0, 2, 0, 0, 0, true, pct(100), 3, &s);
	assert_verdict(&s, EXIT_UNDECIDABLE);
}

static void test_no_usable_answers(void **state)
{
	struct summary s;
	(void)state;
	decide(0, 0, 0, 0, 7, true, pct(100), 1, &s);
	assert_int_equal(s.usable, 0);
	assert_float_equal(s.share, 0, 1e-9);
	assert_verdict(&s, EXIT_UNDECIDABLE);
	/* Even min-answers 0 cannot make zero answers a verdict. */
	decide(0, 0, 0, 0, 7, true, pct(0), 0, &s);
	assert_verdict(&s, EXIT_UNDECIDABLE);
	decide(0, 0, 0, 0, 0, true, pct(100), 0, &s);
	assert_verdict(&s, EXIT_UNDECIDABLE);
	assert_int_equal(s.total, 0);
}

static void test_no_ground_truth(void **state)
{
	struct summary s;
	(void)state;
	decide(10, 0, 0, 0, 0, false, pct(100), 1, &s);
	assert_verdict(&s, EXIT_UNDECIDABLE);
	assert_non_null(strstr(s.why, "ground truth"));
	/* Counts are still made. */
	assert_int_equal(s.usable, 10);
	assert_int_equal(s.count[ST_NEW], 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_ok),
		cmocka_unit_test(test_threshold_bad),
		cmocka_unit_test(test_counts_and_share),
		cmocka_unit_test(test_all_new),
		cmocka_unit_test(test_hundred_percent_means_every_one),
		cmocka_unit_test(test_percent_rounding),
		cmocka_unit_test(test_count_threshold),
		cmocka_unit_test(test_negative_statuses_are_usable),
		cmocka_unit_test(test_failures_do_not_block),
		cmocka_unit_test(test_min_answers),
		cmocka_unit_test(test_no_usable_answers),
		cmocka_unit_test(test_no_ground_truth),
	};
	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
