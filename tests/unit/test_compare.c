/*
 * test_compare.c -- unit tests for src/compare.c: new vs stale, variants, --expect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "compare.h"
#include "error.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"

/* ---- helpers ---------------------------------------------------------- */

/* An answer as answer_from_pkt() would leave it: records are given in
 * canonical sorted form already. */
static void mk_answer(struct answer *a, int rcode, const char *const *recs, size_t n)
{
	answer_init(a);
	a->rcode = rcode;
	assert_int_equal(records_copy((char *const *)recs, n, &a->records, &a->nrecords), PW_OK);
	a->key = records_join(a->records, n);
	assert_non_null(a->key);
	a->outcome = OUT_REPLY;
	a->ttl = n ? 300 : -1;
}

/* An answer whose raw outcome gives status st. */
static void mk_failed(struct answer *a, enum pw_status st)
{
	answer_init(a);
	switch (st) {
	case ST_SERVFAIL: a->outcome = OUT_REPLY, a->rcode = LDNS_RCODE_SERVFAIL; break;
	case ST_REFUSED: a->outcome = OUT_REPLY, a->rcode = LDNS_RCODE_REFUSED; break;
	case ST_TIMEOUT: a->outcome = OUT_TIMEOUT; break;
	case ST_UNREACHABLE: a->outcome = OUT_UNREACHABLE; break;
	case ST_PENDING: a->outcome = OUT_NONE; break;
	default: a->outcome = OUT_ERROR; break;
	}
	a->key = a->outcome == OUT_REPLY ? strdup("") : NULL;
}

/* Variants are the tracker's: run answers a[0..n) through one, as if n
 * resolvers had given them, with e as the ground truth. */
struct fleet {
	struct reslist list;
	struct query q;
	struct tracker t;
};

static void fleet_run(struct fleet *f, const struct answer *a, size_t n, const struct expected *e)
{
	memset(f, 0, sizeof *f);
	f->list.v = calloc(n ? n : 1, sizeof *f->list.v);
	assert_non_null(f->list.v);
	f->list.n = n;
	for (size_t i = 0; i < n; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "127.0.0.%zu", i + 1);
		assert_int_equal(reslist_parse_addr(addr, 53, &f->list.v[i]), PW_OK);
		f->list.v[i].operator_name = strdup("t");
		f->list.v[i].label = strdup("");
	}
	assert_int_equal(query_init(&f->q, "example.com", LDNS_RR_TYPE_MX, true, false), PW_OK);
	struct tracker_cfg cfg = { .q = &f->q,
		                   .list = &f->list,
		                   .threshold = { true, 100 },
		                   .min_answers = 1,
		                   .interval = 10,
		                   .min_gap = 1,
		                   .user_expect = e->source != EXP_NONE ? e : NULL };
	assert_int_equal(tracker_init(&f->t, &cfg, 1.0), PW_OK);
	for (size_t i = 0; i < n; i++) {
		struct answer c;
		assert_int_equal(answer_copy(&c, &a[i]), PW_OK);
		tracker_post(&f->t, i, &c, 1.0);
	}
	assert_int_equal(tracker_evaluate(&f->t), PW_OK);
}

static void fleet_free(struct fleet *f)
{
	tracker_free(&f->t);
	query_free(&f->q);
	reslist_free(&f->list);
}

/* A reply packet turned into an answer. */
static void pkt_answer(struct answer *a, const char *qname, ldns_rr_type qtype, int rcode,
                       const char *const *rrs)
{
	ldns_pkt *pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN,
	                                   LDNS_RD);
	assert_non_null(pkt);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
	for (size_t i = 0; rrs && rrs[i]; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL), LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr));
	}
	answer_init(a);
	assert_int_equal(answer_from_pkt(a, pkt, NULL), PW_OK);
	ldns_pkt_free(pkt);
}

static void expect_ok(struct expected *e, const char *name, int type, const char *const *args,
                      size_t n)
{
	char err[256] = "";
	int rc = expected_from_args(e, name, type, args, n, err, sizeof err);
	if (rc != PW_OK)
		fail_msg("expected_from_args: %d (%s)", rc, err);
	assert_int_equal(e->source, EXP_USER);
	assert_non_null(e->key);
}

/* Ground truth from authoritative servers with a negative answer. */
static void mk_auth_negative(struct expected *e, int rcode)
{
	memset(e, 0, sizeof *e);
	e->source = EXP_AUTH;
	e->rcode = rcode;
	e->auth_ttl = 300;
	e->key = strdup("");
	assert_non_null(e->key);
}

static enum pw_status classify(const struct answer *a, const struct expected *e)
{
	return compare_status(a, e);
}

/* ---- compare_status --------------------------------------------------- */

static void test_classify_records(void **state)
{
	static const char *const args[] = { "20 mx2.example.com.", "10 mx1.example.com." };
	static const char *const same[] = { "10 mx1.example.com.", "20 mx2.example.com." };
	static const char *const old[] = { "10 oldmx.example.com." };
	static const char *const subset[] = { "10 mx1.example.com." };
	struct expected e;
	struct answer a;
	(void)state;
	expect_ok(&e, "example.com", LDNS_RR_TYPE_MX, args, 2);

	mk_answer(&a, LDNS_RCODE_NOERROR, same, 2);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);

	mk_answer(&a, LDNS_RCODE_NOERROR, old, 1);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);

	mk_answer(&a, LDNS_RCODE_NOERROR, subset, 1);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);

	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NXDOMAIN);
	answer_free(&a);

	mk_answer(&a, LDNS_RCODE_NOERROR, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NODATA);
	answer_free(&a);

	/* The right records under a wrong rcode are not the new answer. */
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, same, 2);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);

	/* Failures are left alone. */
	static const enum pw_status failed[] = { ST_SERVFAIL,    ST_REFUSED, ST_TIMEOUT,
		                                 ST_UNREACHABLE, ST_ERROR,   ST_PENDING };
	for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++) {
		mk_failed(&a, failed[i]);
		assert_int_equal(classify(&a, &e), failed[i]);
		answer_free(&a);
	}
	expected_free(&e);
	assert_null(e.key);
}

static void test_classify_reclassifies(void **state)
{
	static const char *const v1[] = { "10 a.example." };
	static const char *const v2[] = { "10 b.example." };
	struct expected e1, e2;
	struct answer a;
	(void)state;
	expect_ok(&e1, "example.com", LDNS_RR_TYPE_MX, v1, 1);
	expect_ok(&e2, "example.com", LDNS_RR_TYPE_MX, v2, 1);
	mk_answer(&a, LDNS_RCODE_NOERROR, v1, 1);
	assert_int_equal(classify(&a, &e1), ST_NEW);
	/* A later, different expectation turns it back into stale. */
	assert_int_equal(classify(&a, &e2), ST_STALE);
	assert_int_equal(classify(&a, &e1), ST_NEW);
	answer_free(&a);

	/* A negative answer once new under "none" goes back to its rcode. */
	static const char *const none[] = { "none" };
	struct expected en;
	expect_ok(&en, "example.com", LDNS_RR_TYPE_MX, none, 1);
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &en), ST_NEW);
	assert_int_equal(classify(&a, &e1), ST_NXDOMAIN);
	answer_free(&a);
	mk_answer(&a, LDNS_RCODE_NOERROR, NULL, 0);
	assert_int_equal(classify(&a, &en), ST_NEW);
	assert_int_equal(classify(&a, &e1), ST_NODATA);
	answer_free(&a);
	expected_free(&e1);
	expected_free(&e2);
	expected_free(&en);
}

static void test_classify_no_truth(void **state)
{
	static const char *const recs[] = { "10 a.example." };
	struct expected e;
	struct answer a;
	(void)state;
	memset(&e, 0, sizeof e);
	e.source = EXP_NONE;
	e.rcode = LDNS_RCODE_NOERROR;
	e.key = (char *)"10 a.example.";
	mk_answer(&a, LDNS_RCODE_NOERROR, recs, 1);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NXDOMAIN);
	answer_free(&a);
}

static void test_classify_expect_none(void **state)
{
	static const char *const none[] = { "none" };
	static const char *const recs[] = { "10 mx.example.com." };
	struct expected e;
	struct answer a;
	(void)state;
	expect_ok(&e, "gone.example.com", LDNS_RR_TYPE_MX, none, 1);
	assert_int_equal(e.rcode, -1);
	assert_int_equal(e.nrecords, 0);

	/* Both kinds of negative answer are the new state. */
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	mk_answer(&a, LDNS_RCODE_NOERROR, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	/* Records still served are stale. */
	mk_answer(&a, LDNS_RCODE_NOERROR, recs, 1);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);
	/* SERVFAIL is not a deletion. */
	mk_failed(&a, ST_SERVFAIL);
	assert_int_equal(classify(&a, &e), ST_SERVFAIL);
	answer_free(&a);
	expected_free(&e);
}

static void test_classify_auth_nxdomain(void **state)
{
	static const char *const recs[] = { "192.0.2.1" };
	struct expected e;
	struct answer a;
	(void)state;
	mk_auth_negative(&e, LDNS_RCODE_NXDOMAIN);
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	/* The zone says the name is gone; a resolver saying "no data" is behind. */
	mk_answer(&a, LDNS_RCODE_NOERROR, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NODATA);
	answer_free(&a);
	mk_answer(&a, LDNS_RCODE_NOERROR, recs, 1);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);
	expected_free(&e);

	/* And the other way round. */
	mk_auth_negative(&e, LDNS_RCODE_NOERROR);
	mk_answer(&a, LDNS_RCODE_NOERROR, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	mk_answer(&a, LDNS_RCODE_NXDOMAIN, NULL, 0);
	assert_int_equal(classify(&a, &e), ST_NXDOMAIN);
	answer_free(&a);
	expected_free(&e);
}

/* Real replies: order, name case and TTL never make a difference. */
static void test_classify_order_case_ttl(void **state)
{
	static const char *const args[] = { "10 MX1.example.COM", "20 mx2.Example.com." };
	static const char *const r1[] = {
		"EXAMPLE.com. 17 IN MX 20 MX2.EXAMPLE.COM.",
		"example.COM. 86400 IN MX 10 mx1.example.com.",
		NULL,
	};
	static const char *const r2[] = {
		"example.com. 1 IN MX 10 Mx1.Example.Com.",
		"example.com. 1 IN MX 20 mx2.example.com.",
		"example.com. 2 IN MX 20 MX2.example.com.",
		NULL,
	};
	static const char *const r3[] = {
		"example.com. 300 IN MX 10 mx1.example.com.",
		"example.com. 300 IN MX 30 mx2.example.com.",
		NULL,
	};
	struct expected e;
	struct answer a;
	(void)state;
	expect_ok(&e, "Example.Com", LDNS_RR_TYPE_MX, args, 2);
	pkt_answer(&a, "example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, r1);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	pkt_answer(&a, "EXAMPLE.COM.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, r2);
	assert_int_equal(classify(&a, &e), ST_NEW);
	answer_free(&a);
	/* A different preference is a different answer. */
	pkt_answer(&a, "example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, r3);
	assert_int_equal(classify(&a, &e), ST_STALE);
	answer_free(&a);
	expected_free(&e);
}

/*
 * BUG (src/answer.c records_from_rrlist / src/compare.c compare_classify):
 * with --dnssec (DO bit) a signed zone's reply carries RRSIG records in the
 * answer section. They become part of the answer's records and key
 * ("example.com. RRSIG MX 13 2 300 ..."), so the answer never equals the
 * --expect records and is always classified stale: propagation can never
 * be reported for a signed zone with --dnssec --expect.
 */
static void test_classify_dnssec_rrsig_ignored(void **state)
{
	static const char *const args[] = { "10 mx.example.com." };
	static const char *const rrs[] = {
		"example.com. 300 IN MX 10 mx.example.com.",
		"example.com. 300 IN RRSIG MX 13 2 300 20261201000000 20261101000000 12345 "
		"example.com. dGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmV0ZXN0c2lnbmF0dXJldGVzdHNpZw==",
		NULL,
	};
	struct expected e;
	struct answer a;
	(void)state;
	expect_ok(&e, "example.com", LDNS_RR_TYPE_MX, args, 1);
	pkt_answer(&a, "example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, rrs);
	enum pw_status st = classify(&a, &e);
	if (st != ST_NEW)
		print_message("signed answer classified %s; key \"%s\" vs expected \"%s\"\n",
		              status_name(st), a.key, e.key);
	answer_free(&a);
	expected_free(&e);
	assert_int_equal(st, ST_NEW);
}

/* ---- variants (tracker_evaluate) -------------------------------------- */

static void test_variants_grouping(void **state)
{
	static const char *const newrec[] = { "10 new.example." };
	static const char *const oldrec[] = { "10 old.example." };
	struct expected e;
	struct answer a[14];
	const struct variant *v = NULL;
	struct fleet fl;
	size_t nv = 99, k = 0;
	(void)state;
	expect_ok(&e, "example.com", LDNS_RR_TYPE_MX, newrec, 1);
	/* 3 new, 5 old, 2 NXDOMAIN, 2 NODATA, 1 SERVFAIL, 1 TIMEOUT, interleaved. */
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, oldrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, newrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NXDOMAIN, NULL, 0);
	mk_failed(&a[k++], ST_SERVFAIL);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, oldrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, NULL, 0);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, newrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, oldrec, 1);
	mk_failed(&a[k++], ST_TIMEOUT);
	mk_answer(&a[k++], LDNS_RCODE_NXDOMAIN, NULL, 0);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, oldrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, newrec, 1);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, NULL, 0);
	mk_answer(&a[k++], LDNS_RCODE_NOERROR, oldrec, 1);
	assert_int_equal(k, 14);
	fleet_run(&fl, a, k, &e);
	v = tracker_variants(&fl.t, &nv);
	assert_non_null(v);
	assert_int_equal(nv, 4);

	/* Most common first; equal counts: NODATA (rcode 0) before NXDOMAIN (3). */
	assert_int_equal(v[0].count, 5);
	assert_false(v[0].is_new);
	assert_string_equal(v[0].key, "10 old.example.");
	assert_int_equal(v[0].nrecords, 1);
	assert_string_equal(v[0].records[0], "10 old.example.");

	assert_int_equal(v[1].count, 3);
	assert_true(v[1].is_new);
	assert_string_equal(v[1].key, "10 new.example.");
	assert_int_equal(v[1].rcode, LDNS_RCODE_NOERROR);

	assert_int_equal(v[2].count, 2);
	assert_int_equal(v[2].rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(v[2].nrecords, 0);
	assert_false(v[2].is_new);

	assert_int_equal(v[3].count, 2);
	assert_int_equal(v[3].rcode, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(v[3].nrecords, 0);

	size_t total = 0;
	for (size_t i = 0; i < nv; i++)
		total += v[i].count;
	assert_int_equal(total, 12);

	/* Every usable answer points at its variant, the others at none. */
	for (size_t i = 0; i < k; i++) {
		if (!status_usable(tracker_status(&fl.t, i))) {
			assert_int_equal(tracker_variant(&fl.t, i), -1);
			continue;
		}
		assert_in_range(tracker_variant(&fl.t, i), 0, (int)nv - 1);
		const struct variant *w = &v[tracker_variant(&fl.t, i)];
		assert_int_equal(w->rcode, a[i].rcode);
		assert_string_equal(w->key, a[i].key);
		assert_int_equal(w->is_new, tracker_status(&fl.t, i) == ST_NEW);
	}
	assert_int_equal(tracker_variant(&fl.t, 1), 1);
	assert_int_equal(tracker_variant(&fl.t, 0), 0);
	assert_int_equal(tracker_variant(&fl.t, 2), 3);
	assert_int_equal(tracker_variant(&fl.t, 5), 2);

	fleet_free(&fl);
	for (size_t i = 0; i < k; i++)
		answer_free(&a[i]);
	expected_free(&e);
}

static void test_variants_ties(void **state)
{
	static const char *const newrec[] = { "20 z.example." };
	static const char *const b[] = { "10 b.example." };
	static const char *const c[] = { "10 c.example." };
	struct expected e;
	struct answer a[6];
	const struct variant *v = NULL;
	struct fleet fl;
	size_t nv = 0;
	(void)state;
	expect_ok(&e, "example.com", LDNS_RR_TYPE_MX, newrec, 1);
	/* Two each: c, b, new -- in that order of appearance. */
	mk_answer(&a[0], LDNS_RCODE_NOERROR, c, 1);
	mk_answer(&a[1], LDNS_RCODE_NOERROR, b, 1);
	mk_answer(&a[2], LDNS_RCODE_NOERROR, c, 1);
	mk_answer(&a[3], LDNS_RCODE_NOERROR, newrec, 1);
	mk_answer(&a[4], LDNS_RCODE_NOERROR, b, 1);
	mk_answer(&a[5], LDNS_RCODE_NOERROR, newrec, 1);
	fleet_run(&fl, a, 6, &e);
	v = tracker_variants(&fl.t, &nv);
	assert_int_equal(nv, 3);
	/* New first on a tie, then by key. */
	assert_true(v[0].is_new);
	assert_string_equal(v[0].key, "20 z.example.");
	assert_string_equal(v[1].key, "10 b.example.");
	assert_string_equal(v[2].key, "10 c.example.");
	for (size_t i = 0; i < nv; i++)
		assert_int_equal(v[i].count, 2);
	assert_int_equal(tracker_variant(&fl.t, 0), 2);
	assert_int_equal(tracker_variant(&fl.t, 1), 1);
	assert_int_equal(tracker_variant(&fl.t, 3), 0);
	fleet_free(&fl);
	for (size_t i = 0; i < 6; i++)
		answer_free(&a[i]);
	expected_free(&e);
}

static void test_variants_none_usable(void **state)
{
	struct expected e;
	struct answer a[2];
	struct fleet fl;
	size_t nv = 99;
	(void)state;
	memset(&e, 0, sizeof e);
	mk_failed(&a[0], ST_TIMEOUT);
	mk_failed(&a[1], ST_REFUSED);
	fleet_run(&fl, a, 2, &e);
	(void)tracker_variants(&fl.t, &nv);
	assert_int_equal(nv, 0);
	assert_int_equal(tracker_variant(&fl.t, 0), -1);
	assert_int_equal(tracker_variant(&fl.t, 1), -1);
	fleet_free(&fl);
	answer_free(&a[0]);
	answer_free(&a[1]);

	nv = 99;
	fleet_run(&fl, NULL, 0, &e);
	(void)tracker_variants(&fl.t, &nv);
	assert_int_equal(nv, 0);
	fleet_free(&fl);
}

/* Without ground truth statuses stay stale/nxdomain/nodata; variants still form. */
static void test_variants_without_truth(void **state)
{
	static const char *const x[] = { "192.0.2.1" };
	static const char *const y[] = { "192.0.2.2" };
	struct expected e;
	struct answer a[3];
	const struct variant *v = NULL;
	struct fleet fl;
	size_t nv = 0;
	(void)state;
	memset(&e, 0, sizeof e);
	mk_answer(&a[0], LDNS_RCODE_NOERROR, x, 1);
	mk_answer(&a[1], LDNS_RCODE_NOERROR, y, 1);
	mk_answer(&a[2], LDNS_RCODE_NOERROR, y, 1);
	fleet_run(&fl, a, 3, &e);
	v = tracker_variants(&fl.t, &nv);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].key, "192.0.2.2");
	assert_int_equal(v[0].count, 2);
	assert_false(v[0].is_new);
	assert_false(v[1].is_new);
	assert_int_equal(tracker_variant(&fl.t, 0), 1);
	fleet_free(&fl);
	for (size_t i = 0; i < 3; i++)
		answer_free(&a[i]);
}

/* ---- expected_from_args ----------------------------------------------- */

static void test_expect_mx(void **state)
{
	static const char *const args[] = { "20 MX2.Example.com.", "10 mx1.example.com",
		                            "10 MX1.example.com." };
	struct expected e;
	(void)state;
	expect_ok(&e, "example.com", LDNS_RR_TYPE_MX, args, 3);
	assert_int_equal(e.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(e.auth_ttl, -1);
	/* Canonical, absolute, sorted, de-duplicated, bare rdata. */
	assert_int_equal(e.nrecords, 2);
	assert_string_equal(e.records[0], "10 mx1.example.com.");
	assert_string_equal(e.records[1], "20 mx2.example.com.");
	assert_string_equal(e.key, "10 mx1.example.com.\n20 mx2.example.com.");
	assert_null(e.zone);
	assert_int_equal(e.nauth, 0);
	expected_free(&e);
	assert_null(e.records);
	assert_null(e.key);
	assert_int_equal(e.nrecords, 0);
}

static void test_expect_name_forms(void **state)
{
	static const char *const args[] = { "10 mail.example.com" };
	struct expected e;
	(void)state;
	/* With or without the trailing dot, in any case: the same bare rdata. */
	expect_ok(&e, "Example.COM.", LDNS_RR_TYPE_MX, args, 1);
	assert_string_equal(e.key, "10 mail.example.com.");
	expected_free(&e);
	expect_ok(&e, "sub.example.com", LDNS_RR_TYPE_MX, args, 1);
	assert_string_equal(e.key, "10 mail.example.com.");
	expected_free(&e);
}

static void test_expect_other_types(void **state)
{
	static const char *const a4[] = { "192.0.2.10", "192.0.2.9" };
	static const char *const a6[] = { "2001:DB8:0::1" };
	static const char *const txt[] = { "\"v=spf1 -all\"" };
	static const char *const cname[] = { "Target.Example.NET" };
	struct expected e;
	(void)state;
	expect_ok(&e, "www.example.com", LDNS_RR_TYPE_A, a4, 2);
	assert_string_equal(e.key, "192.0.2.10\n192.0.2.9");
	expected_free(&e);
	expect_ok(&e, "www.example.com", LDNS_RR_TYPE_AAAA, a6, 1);
	assert_string_equal(e.key, "2001:db8::1");
	expected_free(&e);
	expect_ok(&e, "example.com", LDNS_RR_TYPE_TXT, txt, 1);
	assert_string_equal(e.key, "\"v=spf1 -all\"");
	expected_free(&e);
	expect_ok(&e, "www.example.com", LDNS_RR_TYPE_CNAME, cname, 1);
	assert_string_equal(e.key, "target.example.net.");
	expected_free(&e);
}

static void test_expect_none(void **state)
{
	static const char *const none[] = { "none" };
	struct expected e;
	(void)state;
	expect_ok(&e, "gone.example.com", LDNS_RR_TYPE_MX, none, 1);
	assert_int_equal(e.rcode, -1);
	assert_int_equal(e.nrecords, 0);
	assert_string_equal(e.key, "");
	expected_free(&e);
}

static void expect_fail(const char *name, int type, const char *const *args, size_t n, int code,
                        const char *needle)
{
	struct expected e;
	char err[256] = "";
	int rc = expected_from_args(&e, name, type, args, n, err, sizeof err);
	if (rc != code)
		fail_msg("expected_from_args rc %d, expected %d (err: %s)", rc, code, err);
	assert_null(e.records);
	assert_null(e.key);
	assert_int_equal(e.nrecords, 0);
	if (needle != NULL && strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	expected_free(&e); /* harmless after a failure */
}

static void test_expect_errors(void **state)
{
	static const char *const mixed1[] = { "10 mx.example.com.", "none" };
	static const char *const mixed2[] = { "none", "10 mx.example.com." };
	static const char *const twonone[] = { "none", "none" };
	static const char *const nopref[] = { "mail.example.com" };
	static const char *const badip[] = { "999.1.1.1" };
	static const char *const junk[] = { "10 mx.example.com.", "10 mx.example.com. extra" };
	static const char *const empty[] = { "" };
	static const char *const ok[] = { "10 mx.example.com." };
	(void)state;
	expect_fail("example.com", LDNS_RR_TYPE_MX, mixed1, 2, PW_EINVAL, "none");
	expect_fail("example.com", LDNS_RR_TYPE_MX, mixed2, 2, PW_EINVAL, "none");
	expect_fail("example.com", LDNS_RR_TYPE_MX, twonone, 2, PW_EINVAL, "none");
	expect_fail("example.com", LDNS_RR_TYPE_MX, nopref, 1, PW_ERDATA, "'mail.example.com'");
	expect_fail("example.com", LDNS_RR_TYPE_A, badip, 1, PW_ERDATA, "'999.1.1.1'");
	expect_fail("example.com", LDNS_RR_TYPE_MX, junk, 2, PW_ERDATA, "extra");
	expect_fail("example.com", LDNS_RR_TYPE_MX, empty, 1, PW_ERDATA, "--expect");
	expect_fail("a..b", LDNS_RR_TYPE_MX, ok, 1, PW_ENAME, "a..b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_records),
		cmocka_unit_test(test_classify_reclassifies),
		cmocka_unit_test(test_classify_no_truth),
		cmocka_unit_test(test_classify_expect_none),
		cmocka_unit_test(test_classify_auth_nxdomain),
		cmocka_unit_test(test_classify_order_case_ttl),
		cmocka_unit_test(test_classify_dnssec_rrsig_ignored),
		cmocka_unit_test(test_variants_grouping),
		cmocka_unit_test(test_variants_ties),
		cmocka_unit_test(test_variants_none_usable),
		cmocka_unit_test(test_variants_without_truth),
		cmocka_unit_test(test_expect_mx),
		cmocka_unit_test(test_expect_name_forms),
		cmocka_unit_test(test_expect_other_types),
		cmocka_unit_test(test_expect_none),
		cmocka_unit_test(test_expect_errors),
	};
	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
