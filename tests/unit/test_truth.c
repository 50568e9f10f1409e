/*
 * test_truth.c -- unit tests for truth.c: the authoritative servers asked
 * directly (RD=0, AA required), the newest serial winning when they
 * disagree, and each server's state. The servers are threads of the test
 * on loopback (udpserver.h); discovery through resolvers is covered by the
 * integration tests, whose responder can sit on port 53.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "answer.h"
#include "compare.h"
#include "engine.h"
#include "error.h"
#include "query.h"
#include "reslist.h"
#include "truth.h"
#include "udpserver.h"

/* What one fake authoritative server serves. */
struct zone {
	const char *mx;  /* the MX rdata */
	unsigned serial; /* its SOA serial */
	bool aa;         /* sets AA */
};

static enum srv_mode serve(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                           size_t len, uint8_t *raw, size_t *rawlen)
{
	const struct zone *z = s->ctx;
	char rr[256];
	(void)w, (void)len, (void)raw, (void)rawlen;
	assert_false(ldns_pkt_rd(q)); /* truth asks without recursion */
	ldns_pkt_set_aa(r, z->aa);
	ldns_pkt_set_ra(r, false);
	ldns_rr_type t = ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(q), 0));
	if (t == LDNS_RR_TYPE_MX) {
		snprintf(rr, sizeof rr, "example.test. 60 IN MX %s", z->mx);
		srv_add(r, LDNS_SECTION_ANSWER, rr);
	} else if (t == LDNS_RR_TYPE_SOA) {
		snprintf(
		        rr, sizeof rr,
		        "example.test. 3600 IN SOA ns1.example.test. h.example.test. %u 3600 600 86400 300",
		        z->serial);
		srv_add(r, LDNS_SECTION_ANSWER, rr);
	}
	return SRV_REPLY;
}

static void resolve(const struct zone *zones, size_t n, struct expected *e)
{
	struct srv srv[4];
	struct auth_server as[4];
	struct engine *eng;
	struct query q;
	struct engine_opts o = { 1, 1, 0, 0, true };
	char addr[64];

	assert_int_equal(engine_new(&eng, &o), 0);
	assert_int_equal(query_init(&q, "example.test", LDNS_RR_TYPE_MX, true, false), 0);
	memset(as, 0, sizeof as);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(srv_start(&srv[i], serve, (void *)&zones[i]), 0);
		assert_int_equal(
		        reslist_parse_addr(srv_addr(&srv[i], addr, sizeof addr), 53, &as[i].addr),
		        0);
		as[i].name = (char *)"--auth";
	}
	struct truth_opts to = { NULL, 0, as, n, 0 };
	assert_int_equal(truth_resolve(eng, &q, &to, e), PW_OK);
	for (size_t i = 0; i < n; i++)
		srv_stop(&srv[i]);
	query_free(&q);
	engine_free(eng);
}

static void test_agreeing_servers(void **state)
{
	static const struct zone z[2] = { { "10 mx-new.example.test.", 7, true },
		                          { "10 mx-new.example.test.", 7, true } };
	struct expected e;
	(void)state;
	resolve(z, 2, &e);
	assert_int_equal(e.source, EXP_AUTH);
	assert_int_equal(e.nrecords, 1);
	assert_string_equal(e.records[0], "10 mx-new.example.test.");
	assert_int_equal(e.auth_ttl, 60);
	assert_false(e.disagree);
	assert_string_equal(e.zone, "example.test.");
	for (size_t i = 0; i < 2; i++) {
		assert_true(e.auth[i].usable);
		assert_string_equal(e.auth[i].state, "ok");
		assert_int_equal(e.auth[i].soa.soa_serial, 7);
	}
	uint32_t serial;
	assert_true(expected_serial(&e, &serial));
	assert_int_equal(serial, 7);
	expected_free(&e);
}

/* The newest serial wins (RFC 1982: 1 is newer than 4294967295). */
static void test_newest_serial_wins(void **state)
{
	static const struct zone z[2] = { { "10 mx-old.example.test.", 4294967295u, true },
		                          { "10 mx-new.example.test.", 1, true } };
	struct expected e;
	(void)state;
	resolve(z, 2, &e);
	assert_int_equal(e.source, EXP_AUTH);
	assert_string_equal(e.records[0], "10 mx-new.example.test.");
	assert_true(e.disagree);
	assert_string_equal(e.auth[0].state, "disagrees");
	assert_string_equal(e.auth[1].state, "ok");
	assert_non_null(strstr(e.problem, "newest serial (1 from 127.0.0.1)"));
	expected_free(&e);
}

/* A server without AA is no ground truth, and says why. */
static void test_not_authoritative(void **state)
{
	static const struct zone z[1] = { { "10 mx-new.example.test.", 7, false } };
	struct expected e;
	(void)state;
	resolve(z, 1, &e);
	assert_int_equal(e.source, EXP_NONE);
	assert_false(e.auth[0].usable);
	assert_string_equal(e.auth[0].state, "not-authoritative");
	assert_non_null(strstr(e.problem, "no authoritative server"));
	expected_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agreeing_servers),
		cmocka_unit_test(test_newest_serial_wins),
		cmocka_unit_test(test_not_authoritative),
	};
	return cmocka_run_group_tests_name("truth", tests, NULL, NULL);
}
