/*
 * test_query.c -- unit tests for src/query.c: building the query, checking replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <ldns/ldns.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "query.h"

/* ---- helpers ---------------------------------------------------------- */

static ldns_pkt *parse_wire(const uint8_t *wire, size_t len)
{
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
	assert_non_null(pkt);
	return pkt;
}

static void init_ok(struct query *q, const char *name, int type, bool rd, bool dnssec)
{
	int rc = query_init(q, name, type, rd, dnssec);
	if (rc != PW_OK)
		fail_msg("query_init(%s) = %d", name, rc);
	assert_non_null(q->wire);
	assert_true(q->wirelen >= 12);
}

static void set_id(uint8_t *buf, uint16_t id)
{
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
}

/* A minimal reply to q: its header with QR set, the question, nothing else. */
static size_t make_reply(const struct query *q, uint16_t id, uint8_t *buf, size_t cap)
{
	size_t len = 12 + q->qwirelen;
	assert_true(len <= cap);
	memcpy(buf, q->wire, 12);
	set_id(buf, id);
	buf[2] |= 0x80;         /* QR */
	buf[3] |= 0x80;         /* RA */
	buf[4] = 0, buf[5] = 1; /* QDCOUNT */
	buf[6] = buf[7] = 0;    /* ANCOUNT */
	buf[8] = buf[9] = 0;    /* NSCOUNT */
	buf[10] = buf[11] = 0;  /* ARCOUNT */
	memcpy(buf + 12, q->qwire, q->qwirelen);
	return len;
}

/* ---- query_init ------------------------------------------------------- */

static void test_init_wire(void **state)
{
	struct query q;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	assert_int_equal(q.type, LDNS_RR_TYPE_MX);
	assert_true(q.o.rd);
	assert_false(q.o.dnssec);
	assert_string_equal(q.name, "example.com.");

	ldns_pkt *pkt = parse_wire(q.wire, q.wirelen);
	assert_false(ldns_pkt_qr(pkt));
	assert_true(ldns_pkt_rd(pkt));
	assert_int_equal(ldns_pkt_get_opcode(pkt), LDNS_PACKET_QUERY);
	assert_int_equal(ldns_pkt_qdcount(pkt), 1);
	assert_int_equal(ldns_pkt_ancount(pkt), 0);
	assert_int_equal(ldns_pkt_nscount(pkt), 0);
	assert_true(ldns_pkt_edns(pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(pkt), 1232);
	assert_false(ldns_pkt_edns_do(pkt));

	ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	assert_non_null(qrr);
	assert_int_equal(ldns_rr_get_type(qrr), LDNS_RR_TYPE_MX);
	assert_int_equal(ldns_rr_get_class(qrr), LDNS_RR_CLASS_IN);
	char *owner = ldns_rdf2str(ldns_rr_owner(qrr));
	assert_non_null(owner);
	assert_string_equal(owner, "example.com.");
	free(owner);
	ldns_pkt_free(pkt);

	/* The question section on its own matches the one inside the message. */
	assert_int_equal(q.qwirelen, 13 + 4); /* \7example\3com\0 + type + class */
	assert_memory_equal(q.wire + 12, q.qwire, q.qwirelen);
	assert_int_equal(q.qwire[q.qwirelen - 4], 0);
	assert_int_equal(q.qwire[q.qwirelen - 3], LDNS_RR_TYPE_MX);
	assert_int_equal(q.qwire[q.qwirelen - 1], LDNS_RR_CLASS_IN);
	query_free(&q);
	assert_null(q.wire);
	assert_null(q.name);
}

static void test_init_dnssec_no_rd(void **state)
{
	struct query q;
	(void)state;
	init_ok(&q, "Example.ORG.", LDNS_RR_TYPE_AAAA, false, true);
	assert_true(q.o.dnssec);
	assert_false(q.o.rd);
	assert_int_equal(strcasecmp(q.name, "example.org."), 0);

	ldns_pkt *pkt = parse_wire(q.wire, q.wirelen);
	assert_false(ldns_pkt_rd(pkt));
	assert_false(ldns_pkt_cd(pkt));
	assert_true(ldns_pkt_edns(pkt));
	assert_true(ldns_pkt_edns_do(pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(pkt), 1232);
	ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	assert_int_equal(ldns_rr_get_type(qrr), LDNS_RR_TYPE_AAAA);
	ldns_rdf *want = ldns_dname_new_frm_str("example.org.");
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(qrr), want), 0);
	ldns_rdf_deep_free(want);
	ldns_pkt_free(pkt);
	query_free(&q);
}

static void test_init_types(void **state)
{
	struct query q;
	static const int types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_SOA, 65, 4321 };
	(void)state;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		init_ok(&q, "a.b.example", types[i], true, false);
		ldns_pkt *pkt = parse_wire(q.wire, q.wirelen);
		ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		assert_int_equal((int)ldns_rr_get_type(qrr), types[i]);
		assert_int_equal(q.qwire[q.qwirelen - 4] << 8 | q.qwire[q.qwirelen - 3], types[i]);
		ldns_pkt_free(pkt);
		query_free(&q);
	}
}

static void test_init_root_and_long(void **state)
{
	struct query q;
	char label63[64], name[300];
	(void)state;
	init_ok(&q, ".", LDNS_RR_TYPE_NS, true, false);
	assert_string_equal(q.name, ".");
	assert_int_equal(q.qwirelen, 5);
	query_free(&q);

	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(name, sizeof name, "%s.%s.%s.example", label63, label63, label63);
	init_ok(&q, name, LDNS_RR_TYPE_A, true, false);
	assert_int_equal(q.qwirelen, 3 * 64 + 9 + 4);
	query_free(&q);
}

static void test_init_bad_name(void **state)
{
	struct query q;
	char label64[65], name[400];
	(void)state;
	assert_int_equal(query_init(&q, "", LDNS_RR_TYPE_A, true, false), PW_ENAME);
	assert_null(q.wire);
	assert_null(q.name);
	assert_int_equal(query_init(&q, "a..b", LDNS_RR_TYPE_A, true, false), PW_ENAME);
	assert_null(q.wire);
	assert_int_equal(query_init(&q, ".example", LDNS_RR_TYPE_A, true, false), PW_ENAME);
	memset(label64, 'a', 64);
	label64[64] = '\0';
	snprintf(name, sizeof name, "%s.example", label64);
	assert_int_equal(query_init(&q, name, LDNS_RR_TYPE_A, true, false), PW_ENAME);
	/* More than 255 octets on the wire. */
	memset(name, 0, sizeof name);
	for (int i = 0; i < 5; i++)
		strcat(name, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij.");
	strcat(name, "example");
	assert_int_equal(query_init(&q, name, LDNS_RR_TYPE_A, true, false), PW_ENAME);
	assert_null(q.wire);
}

static void test_dname(void **state)
{
	(void)state;
	ldns_rdf *a = query_dname("example.com");
	ldns_rdf *b = query_dname("EXAMPLE.com.");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ldns_dname_compare(a, b), 0);
	assert_int_equal(ldns_rdf_size(a), 13);
	char *s = ldns_rdf2str(a);
	assert_string_equal(s, "example.com.");
	free(s);
	ldns_rdf_deep_free(a);
	ldns_rdf_deep_free(b);
	ldns_rdf *root = query_dname(".");
	assert_non_null(root);
	assert_int_equal(ldns_rdf_size(root), 1);
	ldns_rdf_deep_free(root);
	assert_null(query_dname(""));
	assert_null(query_dname(NULL));
	assert_null(query_dname("a..b"));
}

/* ---- query_prepare ---------------------------------------------------- */

static void test_prepare_id(void **state)
{
	struct query q;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	uint8_t before[512], w[512];
	assert_true(q.wirelen <= sizeof before);
	memcpy(before, q.wire, q.wirelen);
	memcpy(w, q.wire, q.wirelen);
	query_prepare(&q, w, 0xBEEF, 0);
	assert_int_equal(w[0], 0xBE);
	assert_int_equal(w[1], 0xEF);
	/* Nothing else changes, and the template is left alone. */
	assert_memory_equal(w + 2, before + 2, q.wirelen - 2);
	assert_memory_equal(q.wire, before, q.wirelen);
	ldns_pkt *pkt = parse_wire(w, q.wirelen);
	assert_int_equal(ldns_pkt_id(pkt), 0xBEEF);
	ldns_pkt_free(pkt);
	query_prepare(&q, w, 1, 0);
	pkt = parse_wire(w, q.wirelen);
	assert_int_equal(ldns_pkt_id(pkt), 1);
	ldns_pkt_free(pkt);
	query_free(&q);
}

/* 0x20: a seed spells the name in mixed case, letters only, the same way
 * every time; the reply must echo that spelling exactly. */
static void test_prepare_0x20(void **state)
{
	struct query q;
	uint8_t w[512], buf[512];
	ldns_pkt *pkt;
	(void)state;
	init_ok(&q, "www.Example.com", LDNS_RR_TYPE_A, true, false);
	assert_int_equal(q.nletters, 13);
	assert_memory_equal(q.qwire, "\3www\7example\3com", 17); /* the template is lower case */
	uint32_t seed = 0x9e3779b9u;
	memcpy(w, q.wire, q.wirelen);
	query_prepare(&q, w, 4242, seed);
	size_t upper = 0;
	for (size_t i = 0; i < 17; i++) {
		assert_int_equal(tolower(w[12 + i]), q.qwire[i]); /* same name */
		upper += w[12 + i] >= 'A' && w[12 + i] <= 'Z';
	}
	assert_in_range(upper, 1, 12);                     /* mixed, for this seed */
	assert_memory_equal(w + 12 + 17, q.qwire + 17, 4); /* type and class untouched */
	uint8_t again[512];
	memcpy(again, q.wire, q.wirelen);
	query_prepare(&q, again, 4242, seed);
	assert_memory_equal(again, w, q.wirelen);

	/* A reply echoing the spelling is believed. */
	size_t len = make_reply(&q, 4242, buf, sizeof buf);
	memcpy(buf + 12, w + 12, 17);
	assert_int_equal(query_check_reply(&q, 4242, seed, buf, len, &pkt), REPLY_OK);
	ldns_pkt_free(pkt);
	/* The same name folded to lower case is not: a case mismatch. */
	len = make_reply(&q, 4242, buf, sizeof buf);
	assert_int_equal(query_check_reply(&q, 4242, seed, buf, len, &pkt), REPLY_BAD_CASE);
	assert_null(pkt);
	/* Nor is another spelling (a forger's guess). */
	memcpy(buf + 12, w + 12, 17);
	assert_int_equal(query_check_reply(&q, 4242, seed ^ 1u, buf, len, &pkt), REPLY_BAD_CASE);
	/* A different name is still a different question, not a case slip. */
	buf[13] = 'x';
	assert_int_equal(query_check_reply(&q, 4242, seed, buf, len, &pkt), REPLY_BAD_QUESTION);
	/* With seed 0 (the fallback) any case is accepted back. */
	len = make_reply(&q, 4242, buf, sizeof buf);
	memcpy(buf + 12, w + 12, 17);
	assert_int_equal(query_check_reply(&q, 4242, 0, buf, len, &pkt), REPLY_OK);
	ldns_pkt_free(pkt);
	query_free(&q);

	/* Seeds differ from call to call and are never 0. */
	uint32_t a = query_random_seed(), b = query_random_seed();
	assert_true(a != 0 && b != 0);
	assert_true(a != b || query_random_seed() != a);
}

/* ---- query_check_reply ------------------------------------------------ */

static void test_reply_ok(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt; /* must be overwritten */
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	size_t len = make_reply(&q, 0x1234, buf, sizeof buf);
	assert_int_equal(query_check_reply(&q, 0x1234, 0, buf, len, &pkt), REPLY_OK);
	assert_non_null(pkt);
	assert_true(ldns_pkt_qr(pkt));
	assert_int_equal(ldns_pkt_id(pkt), 0x1234);
	ldns_pkt_free(pkt);
	query_free(&q);
}

static void test_reply_ok_from_ldns(void **state)
{
	struct query q;
	ldns_pkt *reply, *pkt = NULL;
	ldns_rr *rr = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	reply = ldns_pkt_query_new(ldns_dname_new_frm_str("example.com."), LDNS_RR_TYPE_MX,
	                           LDNS_RR_CLASS_IN, LDNS_RD);
	assert_non_null(reply);
	ldns_pkt_set_id(reply, 4242);
	ldns_pkt_set_qr(reply, true);
	ldns_pkt_set_ra(reply, true);
	assert_int_equal(ldns_rr_new_frm_str(&rr, "example.com. 300 IN MX 10 mail.example.com.", 0,
	                                     NULL, NULL),
	                 LDNS_STATUS_OK);
	assert_true(ldns_pkt_push_rr(reply, LDNS_SECTION_ANSWER, rr));
	assert_int_equal(ldns_pkt2wire(&wire, reply, &wlen), LDNS_STATUS_OK);
	assert_int_equal(query_check_reply(&q, 4242, 0, wire, wlen, &pkt), REPLY_OK);
	assert_non_null(pkt);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(pkt)), 1);
	ldns_pkt_free(pkt);
	/* The same reply to a different try is refused. */
	assert_int_equal(query_check_reply(&q, 4243, 0, wire, wlen, &pkt), REPLY_BAD_ID);
	assert_null(pkt);
	free(wire);
	ldns_pkt_free(reply);
	query_free(&q);
}

static void test_reply_short(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	make_reply(&q, 7, buf, sizeof buf);
	assert_int_equal(query_check_reply(&q, 7, 0, buf, 11, &pkt), REPLY_SHORT);
	assert_null(pkt);
	assert_int_equal(query_check_reply(&q, 7, 0, buf, 0, &pkt), REPLY_SHORT);
	assert_null(pkt);
	/* A bare header (or a cut question) is not our question. */
	assert_int_equal(query_check_reply(&q, 7, 0, buf, 12, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);
	assert_int_equal(query_check_reply(&q, 7, 0, buf, 12 + q.qwirelen - 1, &pkt),
	                 REPLY_BAD_QUESTION);
	assert_null(pkt);
	query_free(&q);
}

/* unbound's access-control refuse answers with a bare header: an error
 * rcode and no sections. It is believed as that error, and only then. */
static void test_reply_bare_error(void **state)
{
	struct query q;
	uint8_t hdr[12] = {
		0x00, 0x07, 0x81, 0x85, 0, 0, 0, 0, 0, 0, 0, 0
	}; /* QR RD, RA, REFUSED */
	ldns_pkt *pkt = NULL;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	assert_int_equal(query_check_reply(&q, 7, 0, hdr, sizeof hdr, &pkt), REPLY_OK);
	assert_non_null(pkt);
	assert_int_equal(ldns_pkt_get_rcode(pkt), LDNS_RCODE_REFUSED);
	ldns_pkt_free(pkt);
	pkt = NULL;
	hdr[3] = 0x80; /* NOERROR with no question: not believed */
	assert_int_equal(query_check_reply(&q, 7, 0, hdr, sizeof hdr, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);
	hdr[3] = 0x85;
	hdr[7] = 1; /* REFUSED but claims an answer record it does not carry */
	assert_int_equal(query_check_reply(&q, 7, 0, hdr, sizeof hdr, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);
	query_free(&q);
}

static void test_reply_bad_id(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	size_t len = make_reply(&q, 0x1234, buf, sizeof buf);
	assert_int_equal(query_check_reply(&q, 0x1235, 0, buf, len, &pkt), REPLY_BAD_ID);
	assert_null(pkt);
	assert_int_equal(query_check_reply(&q, 0x3412, 0, buf, len, &pkt), REPLY_BAD_ID);
	assert_int_equal(query_check_reply(&q, 0, 0, buf, len, &pkt), REPLY_BAD_ID);
	query_free(&q);
}

static void test_reply_not_qr(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	size_t len = make_reply(&q, 99, buf, sizeof buf);
	buf[2] &= 0x7f;
	assert_int_equal(query_check_reply(&q, 99, 0, buf, len, &pkt), REPLY_NOT_QR);
	assert_null(pkt);
	/* Our own query looped back is not a reply either. */
	set_id(q.wire, 99);
	assert_int_equal(query_check_reply(&q, 99, 0, q.wire, q.wirelen, &pkt), REPLY_NOT_QR);
	assert_null(pkt);
	query_free(&q);
}

static void test_reply_other_question(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);

	/* Different qname, same length. */
	size_t len = make_reply(&q, 5, buf, sizeof buf);
	buf[12 + 1] = 'f'; /* "fxample" */
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);

	/* Different qname structure: \7example\3com vs \7example\3org. */
	len = make_reply(&q, 5, buf, sizeof buf);
	memcpy(buf + 12 + 9, "org", 3);
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);

	/* Different qtype. */
	len = make_reply(&q, 5, buf, sizeof buf);
	buf[len - 3] = LDNS_RR_TYPE_A;
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);

	/* Different qclass. */
	len = make_reply(&q, 5, buf, sizeof buf);
	buf[len - 1] = LDNS_RR_CLASS_CH;
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);

	/* No question at all. */
	len = make_reply(&q, 5, buf, sizeof buf);
	buf[5] = 0;
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);

	/* Two questions. */
	len = make_reply(&q, 5, buf, sizeof buf);
	buf[5] = 2;
	assert_int_equal(query_check_reply(&q, 5, 0, buf, len, &pkt), REPLY_BAD_QUESTION);
	assert_null(pkt);
	query_free(&q);
}

static void test_reply_0x20_case(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);
	size_t len = make_reply(&q, 77, buf, sizeof buf);
	/* \7ExAmPlE\3CoM */
	memcpy(buf + 12 + 1, "ExAmPlE", 7);
	memcpy(buf + 12 + 9, "CoM", 3);
	assert_int_equal(query_check_reply(&q, 77, 0, buf, len, &pkt), REPLY_OK);
	assert_non_null(pkt);
	ldns_pkt_free(pkt);
	query_free(&q);

	/* And the other way round: a mixed-case query, lower-case reply. */
	init_ok(&q, "WWW.Example.COM", LDNS_RR_TYPE_A, true, false);
	len = make_reply(&q, 78, buf, sizeof buf);
	for (size_t i = 12; i < len - 4; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (uint8_t)(buf[i] + 32);
	assert_memory_equal(buf + 12, "\3www\7example\3com", 17);
	assert_int_equal(query_check_reply(&q, 78, 0, buf, len, &pkt), REPLY_OK);
	assert_non_null(pkt);
	ldns_pkt_free(pkt);
	query_free(&q);
}

static void test_reply_malformed(void **state)
{
	struct query q;
	uint8_t buf[512];
	ldns_pkt *pkt = (ldns_pkt *)&pkt;
	(void)state;
	init_ok(&q, "example.com", LDNS_RR_TYPE_MX, true, false);

	/* Header promises an answer, then garbage follows the question. */
	size_t len = make_reply(&q, 300, buf, sizeof buf);
	buf[7] = 1; /* ANCOUNT 1 */
	memcpy(buf + len, "\xc0\xff\x01", 3);
	len += 3;
	assert_int_equal(query_check_reply(&q, 300, 0, buf, len, &pkt), REPLY_MALFORMED);
	assert_null(pkt);

	/* Header promises an answer that is not there. */
	len = make_reply(&q, 300, buf, sizeof buf);
	buf[7] = 1;
	assert_int_equal(query_check_reply(&q, 300, 0, buf, len, &pkt), REPLY_MALFORMED);
	assert_null(pkt);

	/* An RR whose RDLENGTH runs past the end. */
	len = make_reply(&q, 300, buf, sizeof buf);
	buf[7] = 1;
	static const uint8_t rr[] = { 0xc0, 0x0c, 0, 15, 0, 1, 0, 0, 1, 44, 0, 200, 0, 10 };
	memcpy(buf + len, rr, sizeof rr);
	len += sizeof rr;
	assert_int_equal(query_check_reply(&q, 300, 0, buf, len, &pkt), REPLY_MALFORMED);
	assert_null(pkt);

	/* Two TSIG records in the additional section (ldns would leak the
	 * first); one is parsed as before. */
	static const uint8_t tsig[] = { 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0 };
	len = make_reply(&q, 300, buf, sizeof buf);
	buf[11] = 1; /* ARCOUNT 1 */
	memcpy(buf + len, tsig, sizeof tsig);
	assert_int_equal(query_check_reply(&q, 300, 0, buf, len + sizeof tsig, &pkt), REPLY_OK);
	assert_non_null(pkt);
	ldns_pkt_free(pkt);
	buf[11] = 2;
	memcpy(buf + len + sizeof tsig, tsig, sizeof tsig);
	assert_int_equal(query_check_reply(&q, 300, 0, buf, len + 2 * sizeof tsig, &pkt),
	                 REPLY_MALFORMED);
	assert_null(pkt);
	/* A TSIG-typed record in the answer is no TSIG to ldns: not refused. */
	buf[7] = 1;
	buf[11] = 1;
	assert_int_not_equal(query_check_reply(&q, 300, 0, buf, len + 2 * sizeof tsig, &pkt),
	                     REPLY_MALFORMED);
	ldns_pkt_free(pkt);

	/* Pure garbage after a header that looks right is never accepted. */
	(void)make_reply(&q, 300, buf, sizeof buf);
	memset(buf + 12, 0xee, 40);
	assert_int_not_equal(query_check_reply(&q, 300, 0, buf, 52, &pkt), REPLY_OK);
	assert_null(pkt);
	query_free(&q);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(reply_verdict_name(REPLY_OK), "ok");
	assert_string_equal(reply_verdict_name(REPLY_BAD_ID), "ID mismatch");
	for (int v = 0; v < REPLY_VERDICT_COUNT; v++) {
		assert_non_null(reply_verdict_name((enum reply_verdict)v));
		assert_string_not_equal(reply_verdict_name((enum reply_verdict)v), "?");
	}
	assert_string_equal(reply_verdict_name(REPLY_VERDICT_COUNT), "?");
}

/* ---- query_parse_type ------------------------------------------------- */

static void test_parse_type(void **state)
{
	int t = -1;
	(void)state;
	assert_int_equal(query_parse_type("MX", &t), PW_OK);
	assert_int_equal(t, LDNS_RR_TYPE_MX);
	assert_int_equal(query_parse_type("mx", &t), PW_OK);
	assert_int_equal(t, 15);
	assert_int_equal(query_parse_type("TXT", &t), PW_OK);
	assert_int_equal(t, 16);
	assert_int_equal(query_parse_type("AAAA", &t), PW_OK);
	assert_int_equal(t, 28);
	assert_int_equal(query_parse_type("A", &t), PW_OK);
	assert_int_equal(t, 1);
	assert_int_equal(query_parse_type("CNAME", &t), PW_OK);
	assert_int_equal(t, 5);
	assert_int_equal(query_parse_type("TYPE65", &t), PW_OK);
	assert_int_equal(t, 65);
	assert_int_equal(query_parse_type("type257", &t), PW_OK);
	assert_int_equal(t, 257);
	assert_int_equal(query_parse_type("TYPE65535", &t), PW_OK);
	assert_int_equal(t, 65535);

	t = 4711;
	assert_int_equal(query_parse_type("bogus", &t), PW_ETYPE);
	assert_int_equal(t, 4711); /* untouched on error */
	assert_int_equal(query_parse_type("", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("TYPE0", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("TYPE", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("MXX", &t), PW_ETYPE);
	assert_int_equal(t, 4711);

	/* Meta types ask for no records: not a question to propagate. */
	static const char *const meta[] = { "AXFR",    "IXFR",    "OPT",   "TSIG",
		                            "TKEY",    "MAILA",   "MAILB", "TYPE41",
		                            "TYPE128", "TYPE252", "axfr" };
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
		assert_int_equal(query_parse_type(meta[i], &t), PW_EMETATYPE);
	assert_int_equal(t, 4711);
	assert_int_equal(query_parse_type("ANY", &t), PW_OK);
	assert_int_equal(t, 255);
	assert_int_equal(query_parse_type("TYPE127", &t), PW_OK);
}

/*
 * BUG (src/query.c, query_parse_type): ldns_get_rr_type_by_name() parses
 * "TYPEnnn" with atoi(), so values outside 1..65535 and trailing junk pass:
 * "TYPE65536" gives 65536 (0 once truncated to 16 bits on the wire),
 * "TYPE-1" gives -1, "TYPE15junk" gives 15. All should be PW_ETYPE.
 */
static void test_parse_type_out_of_range(void **state)
{
	int t = 4711;
	(void)state;
	assert_int_equal(query_parse_type("TYPE65536", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("TYPE-1", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("TYPE99999999", &t), PW_ETYPE);
	assert_int_equal(query_parse_type("TYPE15junk", &t), PW_ETYPE);
	assert_int_equal(t, 4711);
}

/* ---- query_random_id -------------------------------------------------- */

static int count_distinct(const uint16_t *v, size_t n)
{
	static uint8_t seen[65536];
	int distinct = 0;
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < n; i++)
		if (!seen[v[i]]++)
			distinct++;
	return distinct;
}

static void *ids_thread(void *arg)
{
	uint16_t *v = arg;
	for (int i = 0; i < 64; i++)
		v[i] = query_random_id();
	return NULL;
}

static void test_random_id(void **state)
{
	enum { N = 4000 };
	static uint16_t v[N];
	unsigned long high = 0;
	(void)state;
	for (size_t i = 0; i < N; i++) {
		v[i] = query_random_id();
		high += v[i] >> 15;
	}
	/* 4000 draws from 65536 values: ~3880 distinct expected; a constant,
	 * a short cycle or a stuck byte would fall far below. */
	assert_true(count_distinct(v, N) > 3600);
	/* The top bit is set about half the time. */
	assert_in_range(high, N / 2 - 300, N / 2 + 300);
	/* Consecutive values differ (almost always). */
	int same = 0;
	for (size_t i = 1; i < N; i++)
		same += v[i] == v[i - 1];
	assert_true(same < 5);

	/* Another thread gets its own, different stream. */
	uint16_t w[64];
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, ids_thread, w), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	uint16_t mine[64];
	for (int i = 0; i < 64; i++)
		mine[i] = query_random_id();
	assert_memory_not_equal(mine, w, sizeof w);
	assert_true(count_distinct(w, 64) > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_wire),
		cmocka_unit_test(test_init_dnssec_no_rd),
		cmocka_unit_test(test_init_types),
		cmocka_unit_test(test_init_root_and_long),
		cmocka_unit_test(test_init_bad_name),
		cmocka_unit_test(test_dname),
		cmocka_unit_test(test_prepare_id),
		cmocka_unit_test(test_prepare_0x20),
		cmocka_unit_test(test_reply_ok),
		cmocka_unit_test(test_reply_ok_from_ldns),
		cmocka_unit_test(test_reply_short),
		cmocka_unit_test(test_reply_bare_error),
		cmocka_unit_test(test_reply_bad_id),
		cmocka_unit_test(test_reply_not_qr),
		cmocka_unit_test(test_reply_other_question),
		cmocka_unit_test(test_reply_0x20_case),
		cmocka_unit_test(test_reply_malformed),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_parse_type),
		cmocka_unit_test(test_parse_type_out_of_range),
		cmocka_unit_test(test_random_id),
	};
	return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
