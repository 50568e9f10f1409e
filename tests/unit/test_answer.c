/*
 * test_answer.c -- unit tests for src/answer.c: replies reduced to answers.
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
#include "rdtext.h"

/* What the answer says without ground truth: the status the engine's
 * raw outcome gives (compare.c is the one place that derives it). */
static const struct expected no_truth = { .source = EXP_NONE, .rcode = -1, .auth_ttl = -1 };
#define STATUS(a) compare_status(&(a), &no_truth)

/* ---- helpers ---------------------------------------------------------- */

static ldns_rr *rr_new(const char *s)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, s, 0, NULL, NULL);
	if (st != LDNS_STATUS_OK)
		fail_msg("bad test RR \"%s\": %s", s, ldns_get_errorstr_by_id(st));
	return rr;
}

/* A reply to qname/qtype with rcode and the given answer/authority RRs
 * (NULL-terminated lists, either may be NULL). */
static ldns_pkt *make_pkt(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode,
                          const char *const *answer, const char *const *authority)
{
	ldns_pkt *pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN,
	                                   LDNS_RD);
	assert_non_null(pkt);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
	for (size_t i = 0; answer && answer[i]; i++)
		assert_true(ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr_new(answer[i])));
	for (size_t i = 0; authority && authority[i]; i++)
		assert_true(ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rr_new(authority[i])));
	return pkt;
}

/* answer_from_pkt on a fresh answer, which the caller frees. */
static void from_pkt(struct answer *a, ldns_pkt *pkt)
{
	answer_init(a);
	assert_int_equal(answer_from_pkt(a, pkt, NULL), PW_OK);
	assert_non_null(a->key);
	ldns_pkt_free(pkt);
}

static void assert_records(const struct answer *a, const char *const *want, size_t n)
{
	if (a->nrecords != n) {
		for (size_t i = 0; i < a->nrecords; i++)
			print_message("  got record: %s\n", a->records[i]);
		fail_msg("%zu records, expected %zu", a->nrecords, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a->records[i], want[i]);
}

/* ---- init / free ------------------------------------------------------ */

static void test_init_free(void **state)
{
	struct answer a;
	(void)state;
	memset(&a, 0x5a, sizeof a);
	answer_init(&a);
	assert_int_equal(a.outcome, OUT_NONE);
	assert_int_equal(STATUS(a), ST_PENDING);
	assert_int_equal(a.rcode, -1);
	assert_int_equal(a.ttl, -1);
	assert_int_equal(a.neg_ttl, -1);
	assert_int_equal(a.edns.ecs_scope, -1);
	assert_null(a.records);
	assert_null(a.key);
	assert_null(a.soa_owner);
	assert_int_equal(a.nrecords, 0);
	assert_int_equal(a.flags, 0);
	assert_false(a.has_soa);
	answer_free(&a); /* freeing an empty answer is fine */
	answer_free(&a); /* and idempotent */
	assert_null(a.key);
}

/* ---- records ---------------------------------------------------------- */

static void test_canonical_sorted_dedup(void **state)
{
	struct answer a;
	static const char *const ans[] = {
		"Example.COM. 300 IN MX 20 MX2.Example.COM.",
		"example.com. 100 IN MX 10 mx1.example.com.",
		"EXAMPLE.com. 200 IN MX 10 MX1.EXAMPLE.com.", /* the same record again */
		NULL,
	};
	static const char *const want[] = { "10 mx1.example.com.", "20 mx2.example.com." };
	(void)state;
	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, ans, NULL));
	assert_int_equal(a.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(STATUS(a), ST_STALE); /* against a truth, compare.c decides new */
	assert_records(&a, want, 2);
	assert_string_equal(a.key, "10 mx1.example.com.\n20 mx2.example.com.");
	assert_int_equal(a.ttl, 100);
	assert_int_equal(a.neg_ttl, -1);
	assert_false(a.has_soa);
	assert_null(a.soa_owner);
	answer_free(&a);
	assert_null(a.records);
	assert_null(a.key);
	assert_int_equal(a.nrecords, 0);
}

static void test_order_case_ttl_do_not_matter(void **state)
{
	struct answer a, b;
	static const char *const one[] = {
		"www.example.com. 60 IN A 192.0.2.9",
		"www.example.com. 60 IN A 192.0.2.10",
		NULL,
	};
	static const char *const two[] = {
		"WWW.EXAMPLE.COM. 3 IN A 192.0.2.10",
		"www.Example.com. 86400 IN A 192.0.2.9",
		NULL,
	};
	static const char *const want[] = { "192.0.2.10", "192.0.2.9" };
	(void)state;
	from_pkt(&a, make_pkt("www.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, one, NULL));
	from_pkt(&b, make_pkt("WwW.eXaMpLe.CoM.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, two, NULL));
	assert_records(&a, want, 2);
	assert_records(&b, want, 2);
	assert_string_equal(a.key, b.key);
	assert_int_equal(a.ttl, 60);
	assert_int_equal(b.ttl, 3);
	answer_free(&a);
	answer_free(&b);
}

static void test_txt_case_kept(void **state)
{
	struct answer a;
	static const char *const ans[] = {
		"example.com. 60 IN TXT \"Hello World\"",
		"example.com. 60 IN TXT \"hello world\"",
		NULL,
	};
	static const char *const want[] = { "\"Hello World\"", "\"hello world\"" };
	(void)state;
	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, ans, NULL));
	/* TXT data is case-sensitive: two different records. */
	assert_records(&a, want, 2);
	answer_free(&a);
}

static void test_cname_chain(void **state)
{
	struct answer a;
	static const char *const ans[] = {
		"www.example.com. 300 IN CNAME Edge.Example.NET.",
		"edge.example.net. 20 IN A 192.0.2.1",
		NULL,
	};
	static const char *const want[] = {
		"edge.example.net. A 192.0.2.1",
		"www.example.com. CNAME edge.example.net.",
	};
	(void)state;
	from_pkt(&a, make_pkt("www.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, ans, NULL));
	assert_int_equal(STATUS(a), ST_STALE);
	assert_records(&a, want, 2);
	assert_int_equal(a.ttl, 20);
	assert_string_equal(
	        a.key, "edge.example.net. A 192.0.2.1\nwww.example.com. CNAME edge.example.net.");
	answer_free(&a);

	/* Asking for the CNAME itself gives its bare rdata. */
	static const char *const c[] = { "www.example.com. 300 IN CNAME edge.example.net.", NULL };
	static const char *const wantc[] = { "edge.example.net." };
	from_pkt(&a, make_pkt("www.example.com.", LDNS_RR_TYPE_CNAME, LDNS_RCODE_NOERROR, c, NULL));
	assert_records(&a, wantc, 1);
	answer_free(&a);
}

static void test_answer_soa_ignored_when_records(void **state)
{
	struct answer a;
	static const char *const ans[] = { "example.com. 300 IN MX 10 mx.example.com.", NULL };
	static const char *const auth[] = {
		"example.com. 3600 IN SOA ns1.example.com. h.example.com. 7 7200 3600 1209600 300",
		NULL,
	};
	(void)state;
	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, ans, auth));
	assert_int_equal(a.nrecords, 1);
	assert_int_equal(a.neg_ttl, -1); /* not a negative answer */
	answer_free(&a);
}

/* ---- negative answers ------------------------------------------------- */

static void test_nxdomain_soa(void **state)
{
	struct answer a;
	static const char *const auth[] = {
		"Example.COM. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 "
		"3600 1209600 300",
		NULL,
	};
	(void)state;
	from_pkt(&a,
	         make_pkt("gone.example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NXDOMAIN, NULL, auth));
	assert_int_equal(STATUS(a), ST_NXDOMAIN);
	assert_int_equal(a.rcode, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(a.nrecords, 0);
	assert_string_equal(a.key, "");
	assert_int_equal(a.ttl, -1);
	assert_int_equal(a.neg_ttl, 300); /* min(3600, 300) */
	assert_true(a.has_soa);
	assert_int_equal(a.soa_serial, 2024010101u);
	assert_non_null(a.soa_owner);
	assert_string_equal(a.soa_owner, "example.com.");
	answer_free(&a);
	assert_null(a.soa_owner);
}

static void test_nodata_soa_ttl_below_minimum(void **state)
{
	struct answer a;
	static const char *const auth[] = {
		"sub.example.com. 60 IN SOA ns1.example.com. h.example.com. 4000000000 7200 3600 "
		"1209600 900",
		NULL,
	};
	(void)state;
	from_pkt(&a, make_pkt("www.sub.example.com.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, NULL,
	                      auth));
	assert_int_equal(STATUS(a), ST_NODATA);
	assert_int_equal(a.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(a.nrecords, 0);
	assert_int_equal(a.neg_ttl, 60); /* min(60, 900) */
	assert_true(a.has_soa);
	assert_int_equal(a.soa_serial, 4000000000u);
	assert_string_equal(a.soa_owner, "sub.example.com.");
	answer_free(&a);
}

static void test_negative_without_soa(void **state)
{
	struct answer a;
	static const char *const auth[] = { "example.com. 3600 IN NS ns1.example.com.", NULL };
	(void)state;
	from_pkt(&a, make_pkt("x.example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, auth));
	assert_int_equal(STATUS(a), ST_NODATA);
	assert_int_equal(a.neg_ttl, -1);
	assert_false(a.has_soa);
	assert_null(a.soa_owner);
	answer_free(&a);

	from_pkt(&a, make_pkt("x.example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NXDOMAIN, NULL, NULL));
	assert_int_equal(STATUS(a), ST_NXDOMAIN);
	assert_int_equal(a.neg_ttl, -1);
	assert_false(a.has_soa);
	answer_free(&a);
}

static void test_soa_question(void **state)
{
	struct answer a;
	static const char *const ans[] = {
		"example.com. 3600 IN SOA NS1.example.com. h.example.com. 2026112301 7200 3600 "
		"1209600 300",
		NULL,
	};
	static const char *const want[] = {
		"ns1.example.com. h.example.com. 2026112301 7200 3600 1209600 300",
	};
	(void)state;
	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, ans, NULL));
	assert_int_equal(STATUS(a), ST_STALE);
	assert_records(&a, want, 1);
	assert_true(a.has_soa);
	assert_int_equal(a.soa_serial, 2026112301u);
	assert_string_equal(a.soa_owner, "example.com.");
	assert_int_equal(a.neg_ttl, -1); /* a positive answer */
	assert_int_equal(a.ttl, 3600);
	answer_free(&a);
}

/* ---- rcodes and flags ------------------------------------------------- */

static void test_rcodes(void **state)
{
	struct answer a;
	(void)state;
	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_SERVFAIL, NULL, NULL));
	assert_int_equal(STATUS(a), ST_SERVFAIL);
	assert_int_equal(a.rcode, LDNS_RCODE_SERVFAIL);
	assert_false(status_usable(STATUS(a)));
	answer_free(&a);

	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_REFUSED, NULL, NULL));
	assert_int_equal(STATUS(a), ST_REFUSED);
	assert_int_equal(a.rcode, LDNS_RCODE_REFUSED);
	answer_free(&a);

	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOTIMPL, NULL, NULL));
	assert_int_equal(STATUS(a), ST_ERROR);
	assert_int_equal(a.rcode, LDNS_RCODE_NOTIMPL);
	assert_non_null(strstr(a.detail, "NOTIMP"));
	answer_free(&a);

	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_FORMERR, NULL, NULL));
	assert_int_equal(STATUS(a), ST_ERROR);
	assert_non_null(strstr(a.detail, "FORMERR"));
	answer_free(&a);

	from_pkt(&a, make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_YXDOMAIN, NULL, NULL));
	assert_int_equal(STATUS(a), ST_ERROR);
	assert_true(a.detail != NULL && a.detail[0] != '\0');
	answer_free(&a);
}

static void test_flags(void **state)
{
	struct answer a;
	ldns_pkt *pkt;
	(void)state;
	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_ra(pkt, false);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, 0);
	answer_free(&a);

	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_aa(pkt, true);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, PW_F_AA);
	answer_free(&a);

	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_tc(pkt, true);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, PW_F_TC);
	answer_free(&a);

	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_ad(pkt, true);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, PW_F_AD);
	answer_free(&a);

	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_ra(pkt, true);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, PW_F_RA);
	answer_free(&a);

	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL);
	ldns_pkt_set_aa(pkt, true);
	ldns_pkt_set_tc(pkt, true);
	ldns_pkt_set_ad(pkt, true);
	ldns_pkt_set_ra(pkt, true);
	from_pkt(&a, pkt);
	assert_int_equal(a.flags, PW_F_AA | PW_F_TC | PW_F_AD | PW_F_RA);
	answer_free(&a);
}

/* A reply that went through the wire, as the engine sees it. */
static void test_from_wire(void **state)
{
	struct answer a;
	static const char *const ans[] = { "example.com. 42 IN MX 5 MX.example.com.", NULL };
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_pkt *pkt, *back = NULL;
	(void)state;
	pkt = make_pkt("example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, ans, NULL);
	assert_int_equal(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	assert_int_equal(ldns_wire2pkt(&back, wire, len), LDNS_STATUS_OK);
	free(wire);
	from_pkt(&a, back);
	assert_int_equal(a.nrecords, 1);
	assert_string_equal(a.records[0], "5 mx.example.com.");
	assert_int_equal(a.ttl, 42);
	answer_free(&a);
}

/* ---- the memo of printed records (rdtext.c) ---------------------------- */

/* Records that print alike must share a text and records that differ must
 * not: case in names folds (canonical form), case in TXT does not, and an
 * owner shown (a CNAME chain) is part of the text. Every answer with the
 * memo equals the same answer printed afresh, and the memo is used. */
static void test_memo_same_text(void **state)
{
	(void)state;
	static const struct {
		const char *qname;
		ldns_rr_type type;
		const char *rr[3];
	} cases[] = {
		{ "example.test.",
		  LDNS_RR_TYPE_MX,
		  { "example.test. 300 IN MX 10 mx1.example.test." } },
		{ "ExAmple.TEST.",
		  LDNS_RR_TYPE_MX,
		  { "ExAmple.TEST. 300 IN MX 10 MX1.example.TEST." } },
		{ "example.test.",
		  LDNS_RR_TYPE_MX,
		  { "example.test. 60 IN MX 20 mx1.example.test." } },
		{ "example.test.", LDNS_RR_TYPE_TXT, { "example.test. 60 IN TXT \"Hello\"" } },
		{ "example.test.", LDNS_RR_TYPE_TXT, { "example.test. 60 IN TXT \"hello\"" } },
		{ "www.example.test.",
		  LDNS_RR_TYPE_MX,
		  { "www.example.test. 60 IN CNAME example.test.",
		    "example.test. 300 IN MX 10 mx1.example.test." } },
		{ "other.test.",
		  LDNS_RR_TYPE_MX,
		  { "www.example.test. 60 IN CNAME example.test.",
		    "example.test. 300 IN MX 10 mx1.example.test." } },
	};
	struct rdtext *memo = rdtext_new();
	assert_non_null(memo);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct answer fresh, memoed;
			from_pkt(&fresh, make_pkt(cases[i].qname, cases[i].type, LDNS_RCODE_NOERROR,
			                          cases[i].rr, NULL));
			ldns_pkt *pkt = make_pkt(cases[i].qname, cases[i].type, LDNS_RCODE_NOERROR,
			                         cases[i].rr, NULL);
			answer_init(&memoed);
			assert_int_equal(answer_from_pkt(&memoed, pkt, memo), PW_OK);
			ldns_pkt_free(pkt);
			assert_records(&memoed, (const char *const *)fresh.records, fresh.nrecords);
			answer_free(&fresh);
			answer_free(&memoed);
		}
	size_t lookups, hits;
	rdtext_counts(memo, &lookups, &hits);
	/* The second round is all hits, and so is case 1 (case 0 spelled otherwise). */
	assert_true(hits >= lookups / 2 + 1);
	rdtext_free(memo);
}

/* ---- records_from_rrlist / records_join ------------------------------- */

static void test_records_from_rrlist(void **state)
{
	ldns_rr_list *l = ldns_rr_list_new();
	char **v = NULL;
	size_t n = 99;
	long ttl = 0;
	(void)state;
	/* Empty list. */
	assert_int_equal(records_from_rrlist(l, NULL, LDNS_RR_TYPE_MX, NULL, &v, &n, &ttl), PW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ttl, -1);
	free(v);
	/* NULL list. */
	n = 99;
	assert_int_equal(records_from_rrlist(NULL, NULL, LDNS_RR_TYPE_MX, NULL, &v, &n, &ttl),
	                 PW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ttl, -1);
	free(v);

	ldns_rr_list_push_rr(l, rr_new("a.example. 30 IN MX 10 B.example."));
	ldns_rr_list_push_rr(l, rr_new("other.example. 10 IN MX 20 c.example."));
	/* No qname: every record of qtype is bare rdata. */
	assert_int_equal(records_from_rrlist(l, NULL, LDNS_RR_TYPE_MX, NULL, &v, &n, &ttl), PW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "10 b.example.");
	assert_string_equal(v[1], "20 c.example.");
	assert_int_equal(ttl, 10);
	records_free(v, n);
	/* With a qname: a record of another owner carries owner and type. */
	ldns_rdf *qn = ldns_dname_new_frm_str("A.Example.");
	assert_int_equal(records_from_rrlist(l, qn, LDNS_RR_TYPE_MX, NULL, &v, &n, &ttl), PW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "10 b.example.");
	assert_string_equal(v[1], "other.example. MX 20 c.example.");
	records_free(v, n);
	ldns_rdf_deep_free(qn);
	ldns_rr_list_deep_free(l);
}

static void test_records_join(void **state)
{
	char *recs[] = { "a", "bb", "ccc" };
	char *s;
	(void)state;
	s = records_join(recs, 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	s = records_join(recs, 1);
	assert_string_equal(s, "a");
	free(s);
	s = records_join(recs, 3);
	assert_string_equal(s, "a\nbb\nccc");
	free(s);
}

/* ---- statuses --------------------------------------------------------- */

static void test_status_names(void **state)
{
	static const char *const names[ST_COUNT] = {
		"pending",  "new",     "stale",   "nxdomain",    "nodata",
		"servfail", "refused", "timeout", "unreachable", "error",
	};
	(void)state;
	for (int i = 0; i < ST_COUNT; i++) {
		assert_string_equal(status_name((enum pw_status)i), names[i]);
		assert_int_equal(status_parse(names[i]), i);
	}
	assert_string_equal(status_name(ST_COUNT), "?");
	assert_int_equal(status_parse("NXDOMAIN"), ST_NXDOMAIN);
	assert_int_equal(status_parse("Stale"), ST_STALE);
	assert_int_equal(status_parse("bogus"), -1);
	assert_int_equal(status_parse(""), -1);
	assert_int_equal(status_parse("new "), -1);
}

static void test_status_usable(void **state)
{
	(void)state;
	assert_true(status_usable(ST_NEW));
	assert_true(status_usable(ST_STALE));
	assert_true(status_usable(ST_NXDOMAIN));
	assert_true(status_usable(ST_NODATA));
	assert_false(status_usable(ST_PENDING));
	assert_false(status_usable(ST_SERVFAIL));
	assert_false(status_usable(ST_REFUSED));
	assert_false(status_usable(ST_TIMEOUT));
	assert_false(status_usable(ST_UNREACHABLE));
	assert_false(status_usable(ST_ERROR));
}

/* Regression (hardening defect 1): an HTTPS answer whose "mandatory" key
 * list holds 16 keys made ldns's SvcParam printer abort the process. Any
 * SVCB/HTTPS rdata now prints in RFC 3597 generic form instead. */
static void test_https_mandatory_keys_no_abort(void **state)
{
	(void)state;
	static const uint8_t head[] = {
		0x12, 0x34, 0x81, 0x80, 0,    1,    0,    1,   0,    0,    0,  0,  4, 'h',
		't',  't',  'p',  4,    't',  'e',  's',  't', 0,    0,    65, 0,  1, /* question */
		0xc0, 0x0c, 0,    65,   0,    1,    0,    0,   0x0e, 0x10, 0,  39, /* RR, rdlength 39 */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20, /* prio 1, ".", key 0, len 32 */
	};
	uint8_t wire[sizeof head + 32];
	memcpy(wire, head, sizeof head);
	memset(wire + sizeof head, 0, 32);
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, wire, sizeof wire), LDNS_STATUS_OK);

	struct answer a;
	from_pkt(&a, pkt);
	assert_int_equal(a.nrecords, 1);
	assert_int_equal(a.ttl, 3600);
	assert_string_equal(a.records[0], "\\# 39 00010000000020"
	                                  "00000000000000000000000000000000"
	                                  "00000000000000000000000000000000");
	answer_free(&a);

	/* The same rdata from --expect text compares equal: both sides print
	 * generic form. */
	ldns_rr *rr = NULL;
	assert_int_equal(
	        ldns_rr_new_frm_str(&rr, "http.test. 60 IN HTTPS 1 . alpn=h2", 0, NULL, NULL),
	        LDNS_STATUS_OK);
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr_list_push_rr(l, rr);
	char **recs;
	size_t n;
	long ttl;
	assert_int_equal(records_from_rrlist(l, ldns_rr_owner(rr), 65, NULL, &recs, &n, &ttl),
	                 PW_OK);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0], "\\# 10 00010000010003026832");
	records_free(recs, n);
	ldns_rr_list_deep_free(l);
}

/* rcode_name() says what ldns_pkt_rcode2str() says, for every 12-bit
 * rcode but 16 (BADVERS, which ldns does not name); "-" for none. */
static void test_rcode_names(void **state)
{
	char buf[32];
	(void)state;
	for (int rc = 0; rc < 4096; rc++) {
		if (rc == 16)
			continue;
		char *s = ldns_pkt_rcode2str((ldns_pkt_rcode)rc);
		assert_non_null(s);
		assert_string_equal(rcode_name(rc, buf, sizeof buf), s);
		free(s);
	}
	assert_string_equal(rcode_name(16, buf, sizeof buf), "BADVERS");
	assert_string_equal(rcode_name(-1, buf, sizeof buf), "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_rcode_names),
		cmocka_unit_test(test_canonical_sorted_dedup),
		cmocka_unit_test(test_order_case_ttl_do_not_matter),
		cmocka_unit_test(test_txt_case_kept),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_answer_soa_ignored_when_records),
		cmocka_unit_test(test_nxdomain_soa),
		cmocka_unit_test(test_nodata_soa_ttl_below_minimum),
		cmocka_unit_test(test_negative_without_soa),
		cmocka_unit_test(test_soa_question),
		cmocka_unit_test(test_rcodes),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_from_wire),
		cmocka_unit_test(test_memo_same_text),
		cmocka_unit_test(test_records_from_rrlist),
		cmocka_unit_test(test_records_join),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_status_usable),
		cmocka_unit_test(test_https_mandatory_keys_no_abort),
	};
	return cmocka_run_group_tests_name("answer", tests, NULL, NULL);
}
