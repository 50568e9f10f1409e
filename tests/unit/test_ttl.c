/*
 * test_ttl.c -- unit tests for src/ttl.c: TTL tracking, ETAs, anomalies, scheduling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ldns/ldns.h>
#include <string.h>

#include "answer.h"
#include "ttl.h"

#define EPS 1e-9

static char OLD_KEY[] = "10 old.example.";
static char NEW_KEY[] = "10 new.example.";
static char EMPTY_KEY[] = "";

/* An answer with records (key) and a TTL, as answer_from_pkt leaves it. */
static struct answer rec(char *key, long ttl)
{
	struct answer a;
	answer_init(&a);
	a.outcome = OUT_REPLY;
	a.rcode = LDNS_RCODE_NOERROR;
	a.key = key;
	a.nrecords = 1;
	a.ttl = ttl;
	return a;
}

/* A negative answer with its negative TTL. */
static struct answer neg(int rcode, long neg_ttl)
{
	struct answer a;
	answer_init(&a);
	a.outcome = OUT_REPLY;
	a.rcode = rcode;
	a.key = EMPTY_KEY;
	a.neg_ttl = neg_ttl;
	return a;
}

static void observe(struct ttl_track *t, struct answer a, bool is_new, long auth_ttl, double now)
{
	ttl_observe(t, &a, is_new, auth_ttl, now);
}

static void assert_anomalies(const struct ttl_track *t, unsigned want)
{
	if (t->anomalies != want) {
		char got[128], exp[128];
		fail_msg("anomalies {%s}, expected {%s}",
		         ttl_anomaly_str(t->anomalies, got, sizeof got),
		         ttl_anomaly_str(want, exp, sizeof exp));
	}
}

/* ---- init / free ------------------------------------------------------ */

static void test_init(void **state)
{
	struct ttl_track t;
	(void)state;
	memset(&t, 0x5a, sizeof t);
	ttl_track_init(&t);
	assert_false(t.seen);
	assert_int_equal(t.ttl, -1);
	assert_null(t.key);
	assert_false(t.is_new);
	assert_float_equal(t.flipped_at, -1, EPS);
	assert_float_equal(t.predicted, -1, EPS);
	assert_int_equal(t.anomalies, 0);
	assert_float_equal(ttl_eta(&t, 0), -1, EPS);
	assert_float_equal(ttl_eta(&t, 100), -1, EPS);
	ttl_track_free(&t);
	ttl_track_free(&t); /* idempotent */
	assert_null(t.key);
}

/* ---- observe and ETA -------------------------------------------------- */

static void test_eta_counts_down(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	assert_true(t.seen);
	assert_int_equal(t.ttl, 30);
	assert_float_equal(t.at, 0, EPS);
	assert_float_equal(t.expires, 30, EPS); /* TTL 30: gone within (29, 31) s */
	assert_non_null(t.key);
	assert_ptr_not_equal(t.key, OLD_KEY); /* a copy: the answer may go away */
	assert_string_equal(t.key, OLD_KEY);
	assert_float_equal(ttl_eta(&t, 0), 30, EPS);
	assert_float_equal(ttl_eta(&t, 20), 10, EPS);
	assert_float_equal(ttl_eta(&t, 29), 1, EPS);
	assert_float_equal(ttl_eta(&t, 30), 0, EPS);
	assert_float_equal(ttl_eta(&t, 45), 0, EPS); /* overdue */
	assert_float_equal(t.predicted, 30, EPS);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
}

static void test_normal_countdown_no_anomaly(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 300), false, 300, 0);
	observe(&t, rec(OLD_KEY, 295), false, 300, 5);
	observe(&t, rec(OLD_KEY, 250), false, 300, 50.4); /* whole-second rounding */
	observe(&t, rec(OLD_KEY, 101), false, 300, 200);
	assert_anomalies(&t, 0);
	assert_int_equal(t.ttl, 101);
	assert_float_equal(t.expires, 301, EPS);
	assert_float_equal(ttl_eta(&t, 250), 51, EPS);
	assert_int_equal(t.ttl_min_seen, 101);
	assert_int_equal(t.ttl_max_seen, 300);
	ttl_track_free(&t);
}

static void test_flip_to_new(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	assert_false(t.is_new);
	assert_float_equal(t.flipped_at, -1, EPS);
	/* After expiry the resolver fetches the new answer with the zone's TTL. */
	observe(&t, rec(NEW_KEY, 300), true, 300, 31);
	assert_true(t.is_new);
	assert_float_equal(t.flipped_at, 31, EPS);
	assert_float_equal(t.predicted, 30, EPS);     /* kept to compare */
	assert_float_equal(ttl_eta(&t, 31), -1, EPS); /* already new */
	assert_string_equal(t.key, NEW_KEY);
	assert_int_equal(t.ttl_min_seen, 300);
	assert_int_equal(t.ttl_max_seen, 300);
	assert_anomalies(&t, 0);
	/* Seen new again later: the first flip time stays. */
	observe(&t, rec(NEW_KEY, 250), true, 300, 81);
	assert_float_equal(t.flipped_at, 31, EPS);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
}

static void test_first_seen_new(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 120), true, 300, 7);
	assert_true(t.is_new);
	assert_float_equal(t.flipped_at, 7, EPS);
	assert_float_equal(t.predicted, -1, EPS);
	assert_float_equal(ttl_eta(&t, 7), -1, EPS);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
}

static void test_negative_answers_use_neg_ttl(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	/* Expected records, resolver still caches NXDOMAIN for 300 s. */
	observe(&t, neg(LDNS_RCODE_NXDOMAIN, 300), false, 60, 0);
	assert_int_equal(t.ttl, 300);
	assert_int_equal(t.rcode, LDNS_RCODE_NXDOMAIN);
	assert_float_equal(ttl_eta(&t, 100), 200, EPS);
	/* NODATA is a different answer from NXDOMAIN, even with the same (empty) key. */
	observe(&t, neg(LDNS_RCODE_NOERROR, 50), false, 60, 10);
	assert_int_equal(t.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(t.ttl, 50);
	assert_float_equal(ttl_eta(&t, 10), 50, EPS);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);

	/* A negative answer without an SOA has no TTL: no ETA. */
	ttl_track_init(&t);
	observe(&t, neg(LDNS_RCODE_NXDOMAIN, -1), false, 60, 0);
	assert_true(t.seen);
	assert_float_equal(ttl_eta(&t, 0), -1, EPS);
	ttl_track_free(&t);
}

static void test_unusable_answers_ignored(void **state)
{
	struct ttl_track t;
	struct answer a;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	/* timeout, servfail, refused, unreachable, error, pending */
	static const struct {
		enum pw_outcome oc;
		int rcode;
	} failed[] = { { OUT_TIMEOUT, -1 },
		       { OUT_REPLY, LDNS_RCODE_SERVFAIL },
		       { OUT_REPLY, LDNS_RCODE_REFUSED },
		       { OUT_UNREACHABLE, -1 },
		       { OUT_ERROR, -1 },
		       { OUT_NONE, -1 } };
	for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++) {
		answer_init(&a);
		a.outcome = failed[i].oc;
		a.rcode = failed[i].rcode;
		ttl_observe(&t, &a, false, 300, 10);
	}
	assert_float_equal(t.at, 0, EPS);
	assert_int_equal(t.ttl, 30);
	assert_string_equal(t.key, OLD_KEY);
	assert_float_equal(ttl_eta(&t, 10), 20, EPS);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
}

/* ---- anomalies -------------------------------------------------------- */

static void test_no_countdown(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	observe(&t, rec(OLD_KEY, 30), false, 300, 5);
	assert_anomalies(&t, ANOM_NO_COUNTDOWN);
	/* Spread of TTLs seen for the one answer. */
	assert_int_equal(t.ttl_min_seen, 30);
	assert_int_equal(t.ttl_max_seen, 30);
	ttl_track_free(&t);

	/* A TTL going up before expiry (a pool of caches) is the same finding. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 100), false, 300, 0);
	observe(&t, rec(OLD_KEY, 250), false, 300, 10);
	assert_anomalies(&t, ANOM_NO_COUNTDOWN);
	assert_int_equal(t.ttl_min_seen, 100);
	assert_int_equal(t.ttl_max_seen, 250);
	ttl_track_free(&t);

	/* Applies to the new answer too. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 300), true, 300, 0);
	observe(&t, rec(NEW_KEY, 300), true, 300, 6);
	assert_anomalies(&t, ANOM_NO_COUNTDOWN);
	ttl_track_free(&t);
}

static void test_no_countdown_needs_time(void **state)
{
	struct ttl_track t;
	(void)state;
	/* Two asks within a second cannot tell a countdown from rounding. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0.8);
	assert_anomalies(&t, 0);
	/* One second of whole-second rounding is not an anomaly either. */
	observe(&t, rec(OLD_KEY, 28), false, 300, 2.5);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
}

static void test_serve_stale(void **state)
{
	struct ttl_track t;
	(void)state;
	/* Stuck at 0 five seconds after it should have gone. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	observe(&t, rec(OLD_KEY, 0), false, 300, 35);
	assert_anomalies(&t, ANOM_SERVE_STALE);
	ttl_track_free(&t);

	/* RFC 8767 style: a small made-up TTL on an expired answer. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 300), false, 3600, 0);
	observe(&t, rec(OLD_KEY, 30), false, 3600, 305);
	assert_anomalies(&t, ANOM_SERVE_STALE);
	/* The ETA follows the TTL it reports now. */
	assert_float_equal(ttl_eta(&t, 305), 30, EPS);
	ttl_track_free(&t);

	/* Serve-stale is about the old answer only. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 30), true, 30, 0);
	observe(&t, rec(NEW_KEY, 0), true, 30, 35);
	assert_int_equal(t.anomalies & ANOM_SERVE_STALE, 0);
	ttl_track_free(&t);
}

static void test_ttl_reset(void **state)
{
	struct ttl_track t;
	(void)state;
	/* Expired, back with its full TTL, and still old on the next look:
	 * refetched from a lagging upstream. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	observe(&t, rec(OLD_KEY, 30), false, 300, 31);
	assert_anomalies(&t, 0); /* one look cannot tell refetch from serve-stale */
	assert_float_equal(ttl_eta(&t, 31), 30, EPS);
	observe(&t, rec(OLD_KEY, 25), false, 300, 36);
	assert_anomalies(&t, ANOM_TTL_RESET);
	ttl_track_free(&t);

	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 300), false, 300, 0);
	observe(&t, rec(OLD_KEY, 200), false, 300, 100);
	assert_anomalies(&t, 0);
	observe(&t, rec(OLD_KEY, 298), false, 300, 302);
	observe(&t, rec(OLD_KEY, 290), false, 300, 310);
	assert_anomalies(&t, ANOM_TTL_RESET);
	ttl_track_free(&t);
}

/* unbound's serve-expired answers with a TTL equal to the record's (30):
 * the new answer that follows shows it was served stale, not refetched. */
static void test_serve_stale_full_ttl(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 30, 0);
	observe(&t, rec(OLD_KEY, 30), false, 30, 30.5);
	assert_anomalies(&t, 0);
	observe(&t, rec(NEW_KEY, 29), true, 30, 35);
	assert_anomalies(&t, ANOM_SERVE_STALE);
	ttl_track_free(&t);
}

static void test_ttl_above_auth(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 3600), true, 300, 0);
	assert_anomalies(&t, ANOM_TTL_ABOVE_AUTH);
	ttl_track_free(&t);

	/* Exactly the zone's TTL is fine, and unknown auth TTL says nothing. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 300), true, 300, 0);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 3600), true, -1, 0);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);

	/* The old answer's TTL is not compared with the new answer's zone TTL. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 3600), false, 300, 0);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);

	/* Negative answers: the negative TTL against the zone's negative TTL. */
	ttl_track_init(&t);
	observe(&t, neg(LDNS_RCODE_NXDOMAIN, 86400), true, 300, 0);
	assert_anomalies(&t, ANOM_TTL_ABOVE_AUTH);
	ttl_track_free(&t);
}

static void test_ttl_capped(void **state)
{
	struct ttl_track t;
	(void)state;
	/* The new answer, refetched after expiry, again with 60 s of a 3600 s TTL. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 60), true, 3600, 0);
	assert_anomalies(&t, 0); /* could be a countdown: not yet known */
	observe(&t, rec(NEW_KEY, 60), true, 3600, 61);
	assert_anomalies(&t, ANOM_TTL_CAPPED);
	ttl_track_free(&t);

	/* A refetch with the zone's TTL (or close to it) is normal. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 20), true, 3600, 0);
	observe(&t, rec(NEW_KEY, 3600), true, 3600, 21);
	observe(&t, rec(NEW_KEY, 3500), true, 3600, 121);
	assert_anomalies(&t, 0);
	ttl_track_free(&t);

	/* Another client refetched it 5 s after expiry: the TTL we see is 5 s
	 * short of the zone's, and that is no cap. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 20), true, 30, 0);
	observe(&t, rec(NEW_KEY, 25), true, 30, 26);
	assert_anomalies(&t, 0);
	/* A cap of 10 s shows even so. */
	observe(&t, rec(NEW_KEY, 10), true, 30, 52);
	assert_anomalies(&t, ANOM_TTL_CAPPED);
	ttl_track_free(&t);
}

static void test_anomalies_sticky(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	observe(&t, rec(OLD_KEY, 30), false, 300, 5); /* no countdown */
	observe(&t, rec(NEW_KEY, 300), true, 300, 40);
	observe(&t, rec(NEW_KEY, 290), true, 300, 50);
	assert_anomalies(&t, ANOM_NO_COUNTDOWN);
	ttl_track_free(&t);
}

/* ---- next due --------------------------------------------------------- */

static void test_next_due(void **state)
{
	struct ttl_track t;
	(void)state;
	ttl_track_init(&t);
	/* Nothing known: interval after the last ask. */
	assert_float_equal(ttl_next_due(&t, 100, 10, 2), 110, EPS);

	/* Old answer expiring within the interval: just after it expires. */
	observe(&t, rec(OLD_KEY, 30), false, 300, 0);
	assert_float_equal(ttl_next_due(&t, 0, 60, 2), 30 + TTL_REQUERY_SLACK, EPS);
	/* Expiry after the interval: the interval comes first. */
	assert_float_equal(ttl_next_due(&t, 0, 10, 2), 10, EPS);
	/* Overdue: never sooner than min_gap after the last ask. */
	assert_float_equal(ttl_next_due(&t, 40, 60, 2), 42, EPS);
	ttl_track_free(&t);

	/* Expiry closer than min_gap. */
	ttl_track_init(&t);
	observe(&t, rec(OLD_KEY, 1), false, 300, 0);
	assert_float_equal(ttl_next_due(&t, 0, 10, 2), 2, EPS);
	ttl_track_free(&t);

	/* New answer: the interval, whatever its TTL. */
	ttl_track_init(&t);
	observe(&t, rec(NEW_KEY, 5), true, 300, 0);
	assert_float_equal(ttl_next_due(&t, 0, 60, 2), 60, EPS);
	/* min_gap beats a short interval. */
	assert_float_equal(ttl_next_due(&t, 0, 1, 5), 5, EPS);
	ttl_track_free(&t);
}

/* ---- names ------------------------------------------------------------ */

static void test_anomaly_names(void **state)
{
	char buf[256], one[64];
	(void)state;
	assert_int_equal(ANOM_TTL_ABOVE_AUTH, 1u << 0);
	assert_int_equal(ANOM_TTL_CAPPED, 1u << 1);
	assert_int_equal(ANOM_NO_COUNTDOWN, 1u << 2);
	assert_int_equal(ANOM_SERVE_STALE, 1u << 3);
	assert_int_equal(ANOM_TTL_RESET, 1u << 4);
	for (int b = 0; b < ANOM_COUNT; b++) {
		const char *n = ttl_anomaly_name(b);
		assert_non_null(n);
		assert_true(n[0] != '\0');
		assert_string_not_equal(n, "?");
		assert_null(strchr(n, ','));
		for (int c = 0; c < b; c++)
			assert_string_not_equal(n, ttl_anomaly_name(c));
		assert_string_equal(ttl_anomaly_str(1u << b, one, sizeof one), n);
	}
	assert_string_equal(ttl_anomaly_name(ANOM_COUNT), "?");
	assert_string_equal(ttl_anomaly_name(-1), "?");
	assert_string_equal(ttl_anomaly_name(3), "serve-stale");

	assert_ptr_equal(ttl_anomaly_str(0, buf, sizeof buf), buf);
	assert_string_equal(buf, "");
	snprintf(one, sizeof one, "%s,%s", ttl_anomaly_name(0), ttl_anomaly_name(3));
	assert_string_equal(
	        ttl_anomaly_str(ANOM_TTL_ABOVE_AUTH | ANOM_SERVE_STALE, buf, sizeof buf), one);
	/* All five, comma-separated in bit order. */
	ttl_anomaly_str(0x1f, buf, sizeof buf);
	char *p = buf;
	for (int b = 0; b < ANOM_COUNT; b++) {
		size_t l = strlen(ttl_anomaly_name(b));
		assert_memory_equal(p, ttl_anomaly_name(b), l);
		p += l;
		if (b < ANOM_COUNT - 1) {
			assert_int_equal(*p, ',');
			p++;
		}
	}
	assert_int_equal(*p, '\0');
	/* A small buffer stays terminated. */
	char small[12];
	memset(small, 'X', sizeof small);
	ttl_anomaly_str(0x1f, small, sizeof small);
	assert_non_null(memchr(small, '\0', sizeof small));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_eta_counts_down),
		cmocka_unit_test(test_normal_countdown_no_anomaly),
		cmocka_unit_test(test_flip_to_new),
		cmocka_unit_test(test_first_seen_new),
		cmocka_unit_test(test_negative_answers_use_neg_ttl),
		cmocka_unit_test(test_unusable_answers_ignored),
		cmocka_unit_test(test_no_countdown),
		cmocka_unit_test(test_no_countdown_needs_time),
		cmocka_unit_test(test_serve_stale),
		cmocka_unit_test(test_ttl_reset),
		cmocka_unit_test(test_serve_stale_full_ttl),
		cmocka_unit_test(test_ttl_above_auth),
		cmocka_unit_test(test_ttl_capped),
		cmocka_unit_test(test_anomalies_sticky),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_anomaly_names),
	};
	return cmocka_run_group_tests_name("ttl", tests, NULL, NULL);
}
