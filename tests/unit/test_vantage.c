/*
 * test_vantage.c -- unit tests for src/vantage.c, the back-end: rows made
 * from the first measurement, that measurement as the first round, later
 * rounds matched to rows by probe identity (Globalping: whole rounds, a
 * probe missing; Atlas: only the rows due, a probe whose resolver
 * changed), failures as rows' errors; and the options that guard it:
 * --api-url's loopback check, --via's exclusions (params.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compare.h"
#include "error.h"
#include "gate.h"
#include "http.h"
#include "params.h"
#include "pipeline.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"
#include "vantage_int.h"

#define OLD_MX "10 mx-old.example.test."
#define NEW_MX "10 mx-new.example.test."

/* ---- a scripted network -------------------------------------------------- */

struct probe_script {
	const char *key, *id, *cc, *city, *resolver;
};

static const struct probe_script P[] = {
	{ "kA", "a", "DE", "Frankfurt", "192.0.2.53" },
	{ "kB", "b", "JP", "Tokyo", "203.0.113.53" },
	{ "kC", "c", "AU", "Sydney", "203.0.113.253" },
	{ "kD", "d", "BR", "Sao Paulo", "198.51.100.9" },
};

static struct {
	unsigned calls; /* measurements asked for */
	size_t nrows;   /* rows the latest one asked again (0: the first) */
	int fail;       /* make the next one fail with this code */
	bool moved;     /* probe c asks another resolver from now on */
} fake;

static void result(struct vantage_result *r, size_t i, const char *mx, long ttl, double at)
{
	memset(&r->probe, 0, sizeof r->probe);
	r->probe.net = VIA_GLOBALPING;
	snprintf(r->probe.key, sizeof r->probe.key, "%s", P[i].key);
	snprintf(r->probe.id, sizeof r->probe.id, "%s", P[i].id);
	snprintf(r->probe.country, sizeof r->probe.country, "%s", P[i].cc);
	snprintf(r->probe.city, sizeof r->probe.city, "%s", P[i].city);
	snprintf(r->probe.resolver, sizeof r->probe.resolver, "%s", P[i].resolver);
	r->probe.asn = 64496 + (long)i;
	if (fake.moved && i == 2) {
		snprintf(r->probe.resolver, sizeof r->probe.resolver, "203.0.113.99");
		snprintf(r->probe.key, sizeof r->probe.key, "kC-moved");
	}
	answer_init(&r->ans);
	r->ans.outcome = OUT_REPLY;
	r->ans.rcode = LDNS_RCODE_NOERROR;
	assert_int_equal(records_copy((char *const *)&mx, 1, &r->ans.records, &r->ans.nrecords), 0);
	r->ans.key = strdup(mx);
	r->ans.ttl = ttl;
	r->ans.at = at;
	r->ans.transport = TR_UDP;
}

/* First: a new, b and c old (TTL 5 and 10). Then everyone new, in
 * another order, b missing and a stranger (d) there instead. */
static int fake_measure(struct vantage *v, const size_t *rows, size_t nrows,
                        struct vantage_result **out, size_t *n)
{
	double now = clock_mono();
	fake.calls++;
	fake.nrows = rows ? nrows : 0;
	snprintf(v->last_id, sizeof v->last_id, "m%u", fake.calls);
	if (fake.fail) {
		int rc = fake.fail;
		fake.fail = 0;
		return vantage_fail(v, rc, "Scripted: rate limited, try later");
	}
	*out = calloc(4, sizeof **out);
	if (rows == NULL) {
		result(&(*out)[0], 0, NEW_MX, 60, now);
		result(&(*out)[1], 1, OLD_MX, 5, now);
		result(&(*out)[2], 2, OLD_MX, 10, now);
		*n = 3;
	} else {
		result(&(*out)[0], 2, NEW_MX, 60, now);
		result(&(*out)[1], 3, NEW_MX, 60, now);
		result(&(*out)[2], 0, NEW_MX, 58, now);
		*n = 3;
	}
	return PW_OK;
}

static void fake_describe(struct vantage *v, struct vantage_result *res, size_t n)
{
	(void)v, (void)res, (void)n;
}

static struct vantage_ops fake_ops;

struct env {
	struct vantage *v;
	struct reslist list;
	struct query q;
	struct expected expect;
	struct pipeline p;
	const struct resolver *targets[8];
};

static void env_open(struct env *e, bool whole_rounds)
{
	char err[256];
	const char *args[] = { NEW_MX };
	struct vantage_cfg cfg = { .net = VIA_GLOBALPING,
		                   .api_url = "http://127.0.0.1:9",
		                   .probes = 3,
		                   .timeout = 2,
		                   .loopback_only = true };

	memset(e, 0, sizeof *e);
	memset(&fake, 0, sizeof fake);
	unsetenv("GLOBALPING_TOKEN");
	clock_use_virtual(100, 1800000100);
	fake_ops = vantage_globalping_ops;
	fake_ops.measure = fake_measure;
	fake_ops.describe = fake_describe;
	fake_ops.whole_rounds = whole_rounds;
	assert_int_equal(query_init(&e->q, "example.test", LDNS_RR_TYPE_MX, true, false), PW_OK);
	assert_int_equal(vantage_open(&e->v, &cfg, &e->q, NULL, err, sizeof err), PW_OK);
	e->v->ops = &fake_ops;
	assert_int_equal(vantage_discover(e->v, &e->list, err, sizeof err), PW_OK);
	assert_int_equal(expected_from_args(&e->expect, "example.test", LDNS_RR_TYPE_MX, args, 1,
	                                    err, sizeof err),
	                 PW_OK);
	for (size_t i = 0; i < e->list.n; i++)
		e->targets[i] = &e->list.v[i];
	struct tracker_cfg tc = { .q = &e->q,
		                  .list = &e->list,
		                  .threshold = { true, 100 },
		                  .min_answers = 1,
		                  .interval = 60,
		                  .min_gap = 1,
		                  .user_expect = &e->expect };
	struct pipeline_backend be = vantage_backend(e->v, NULL);
	assert_int_equal(pipeline_init(&e->p, &tc, e->targets, &be, 100), PW_OK);
	e->p.whole_rounds = vantage_whole_rounds(e->v);
}

static void env_close(struct env *e)
{
	pipeline_free(&e->p);
	reslist_free(&e->list);
	vantage_free(e->v);
	expected_free(&e->expect);
	query_free(&e->q);
	clock_use_real();
}

static enum track_step step(struct env *e, double now)
{
	double until;
	return pipeline_step(&e->p, now, true, &until);
}

static const struct answer *ans(struct env *e, size_t i)
{
	return tracker_answer(&e->p.t, i);
}

/* ---- the back-end ----------------------------------------------------------- */

static void rows_from_first(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, true);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(e.list.n, 3);
	const struct resolver *r = &e.list.v[1];
	assert_non_null(r->probe);
	assert_string_equal(r->host, "203.0.113.53");
	assert_int_equal(r->port, 53);
	assert_string_equal(r->country, "JP");
	assert_string_equal(r->label, "Tokyo (b)");
	assert_string_equal(r->operator_name, "AS64497");
	assert_string_equal(r->probe->city, "Tokyo");
	/* The first round is that measurement: no second one. */
	assert_int_equal(step(&e, 100), STEP_ASK);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(tracker_status(&e.p.t, 0), ST_NEW);
	assert_int_equal(tracker_status(&e.p.t, 1), ST_STALE);
	assert_int_equal(tracker_status(&e.p.t, 2), ST_STALE);
	assert_int_equal(ans(&e, 1)->ttl, 5);
	env_close(&e);
}

static void whole_rounds_match_by_identity(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, true);
	step(&e, 100);
	/* b's cache expires first (5 s): with whole rounds, all are asked. */
	assert_int_equal(step(&e, 105.6), STEP_ASK);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(fake.nrows, 3);
	/* a and c matched by key although the order changed; b is missing;
	 * d is no row's and is left out. */
	assert_int_equal(tracker_status(&e.p.t, 0), ST_NEW);
	assert_int_equal(ans(&e, 0)->ttl, 58);
	assert_int_equal(tracker_status(&e.p.t, 2), ST_NEW);
	assert_int_equal(ans(&e, 2)->ttl, 60);
	assert_int_equal(tracker_status(&e.p.t, 1), ST_ERROR);
	assert_string_equal(ans(&e, 1)->detail,
	                    "Globalping: no result from this probe in measurement m2");
	/* b's cache held the old answer: its ETA stands (an error does not empty it). */
	tracker_evaluate(&e.p.t);
	assert_true(tracker_eta(&e.p.t, 1, 105.6) >= 0);
	env_close(&e);
}

static void subset_rounds_and_moved_resolver(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, false);
	step(&e, 100);
	fake.moved = true;
	/* Only b is due: only b is asked; its result is missing. */
	assert_int_equal(step(&e, 105.6), STEP_ASK);
	assert_int_equal(fake.nrows, 1);
	assert_int_equal(tracker_status(&e.p.t, 1), ST_ERROR);
	assert_int_equal(tracker_status(&e.p.t, 2), ST_STALE);
	/* c is due at 110.5 (and b again, its old answer still cached): c's
	 * probe asks another resolver now; an Atlas row is its probe, so it
	 * is matched by id and says so. */
	e.v->cfg.net = VIA_ATLAS;
	assert_int_equal(step(&e, 110.6), STEP_ASK);
	assert_int_equal(fake.nrows, 2);
	assert_int_equal(tracker_status(&e.p.t, 2), ST_NEW);
	assert_string_equal(ans(&e, 2)->detail, "asked through 203.0.113.99 now");
	env_close(&e);
}

static void failed_round_is_rows_errors(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, true);
	step(&e, 100);
	fake.fail = PW_ERATELIMIT;
	assert_int_equal(step(&e, 105.6), STEP_ASK);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tracker_status(&e.p.t, i), ST_ERROR);
		assert_string_equal(ans(&e, i)->detail, "Scripted: rate limited, try later");
	}
	/* After a cancel nothing is asked. */
	e.p.be.cancel(e.p.be.ctx, e.p.be.truth_ctx);
	unsigned calls = fake.calls;
	assert_int_equal(step(&e, 200), STEP_ASK);
	assert_int_equal(fake.calls, calls);
	assert_string_equal(ans(&e, 0)->detail, "cancelled");
	env_close(&e);
}

static void report_and_limits(void **state)
{
	(void)state;
	struct env e;
	struct vantage_report r;
	char buf[160];
	env_open(&e, true);
	e.v->lim = (struct http_limits){ -1, 250, 244, 3599, -1, 6 };
	e.v->measurements = 1;
	vantage_report(e.v, &r);
	assert_int_equal(r.net, VIA_GLOBALPING);
	assert_string_equal(r.first_id, "m1");
	assert_int_equal(r.probes, 3);
	assert_int_equal(r.lim.rl_remaining, 244);
	assert_string_equal(vantage_limits_text(&r.lim, buf, sizeof buf),
	                    "244 of 250 tests left, reset in 59m 59s");
	struct http_limits none = { -1, -1, -1, -1, -1, -1 };
	assert_string_equal(vantage_limits_text(&none, buf, sizeof buf), "");
	env_close(&e);
}

/* ---- guards ------------------------------------------------------------------- */

static void url_guard(void **state)
{
	(void)state;
	char err[256];
	/* 0x7f000001 is 127.0.0.1, as curl reads it (and would connect). */
	static const char *const ok[] = { "http://127.0.0.1:8080", "http://127.9.8.7/prefix/",
		                          "https://[::1]:443/api", "http://127.0.0.1",
		                          "http://0x7f000001/" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_int_equal(http_check_url(ok[i], true, err, sizeof err), PW_OK);
	static const char *const outside[] = { "http://192.0.2.1/", "http://localhost:1/",
		                               "http://[2001:db8::1]/", "https://api.globalping.io",
		                               "http://[::ffff:10.0.0.1]/" };
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		assert_int_equal(http_check_url(outside[i], true, err, sizeof err), PW_ELOOPBACK);
		assert_non_null(strstr(err, "PROPWATCH_LOOPBACK_ONLY"));
	}
	/* Without the guard a real API is fine. */
	assert_int_equal(http_check_url("https://api.globalping.io", false, err, sizeof err),
	                 PW_OK);
	static const char *const bad[] = { "ftp://127.0.0.1/",
		                           "127.0.0.1:80",
		                           "http://",
		                           "http://u:p@127.0.0.1/",
		                           "http://127.0.0.1/?key=x",
		                           "http://127.0.0.1/#x",
		                           "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(http_check_url(bad[i], true, err, sizeof err), PW_EINVAL);
	/* The credential-in-URL message says what to use instead, not the URL. */
	assert_int_equal(http_check_url("http://u:sekrit@127.0.0.1/", true, err, sizeof err),
	                 PW_EINVAL);
	assert_null(strstr(err, "sekrit"));
}

#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(p, mode, ...) \
	params_parse(ARGC("check", __VA_ARGS__), (char *[]){ "check", __VA_ARGS__ }, mode, p)

static void via_options(void **state)
{
	(void)state;
	struct pw_params p;
	/* Errors go to stderr: keep them out of the test's output. */
	FILE *keep = stderr;
	stderr = fopen("/dev/null", "w");

	assert_int_equal(PARSE(&p, MODE_CHECK, "--via", "globalping", "example.test"), 0);
	assert_int_equal(p.via, VIA_GLOBALPING);
	assert_int_equal(p.probes, 10);
	assert_true(p.interval == 60); /* every round is a measurement */
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "--via=atlas", "--interval", "5s", "--from",
	                       "country:DE", "--probes", "7", "--resolver", "2001:db8::53",
	                       "--key-file", "/k", "-6", "--dnssec", "example.test"),
	                 0);
	assert_int_equal(p.via, VIA_ATLAS);
	assert_true(p.interval == 5);
	assert_int_equal(p.probes, 7);
	assert_string_equal(p.from, "country:DE");
	assert_string_equal(p.via_resolver, "2001:db8::53");
	assert_string_equal(p.cred_file, "/k");
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_WATCH, "--via", "globalping", "example.test"), 0);
	params_free(&p);
	char *const bad[][6] = {
		{ "--via", "globalping", "-r", "/x", "example.test", NULL },
		{ "--via", "dnschecker", "example.test", NULL },
		{ "--from", "DE", "example.test", NULL },
		{ "--api-url", "http://127.0.0.1:1", "example.test", NULL },
		{ "--via", "atlas", "--token-file", "/t", "example.test", NULL },
		{ "--via", "globalping", "--key-file", "/k", "example.test", NULL },
		{ "--via", "globalping", "-4", "example.test", NULL },
		{ "--via", "globalping", "--dnssec", "example.test", NULL },
		{ "--via", "globalping", "example.test", "CAA", NULL },
		{ "--via", "atlas", "--limit", "3", "example.test", NULL },
		{ "--via", "atlas", "--probes", "501", "example.test", NULL },
		{ "--via", "atlas", "--resolver", "ns.example", "example.test", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[8] = { "check" };
		int argc = 1;
		for (int k = 0; bad[i][k] != NULL; k++)
			argv[argc++] = bad[i][k];
		assert_int_equal(params_parse(argc, argv, MODE_CHECK, &p), EXIT_USAGE);
		params_free(&p);
	}
	/* --via is no mode of compare's. */
	assert_int_equal(PARSE(&p, MODE_COMPARE, "--via", "globalping", "example.test"),
	                 EXIT_USAGE);
	params_free(&p);
	fclose(stderr);
	stderr = keep;
}

static void exit_statuses(void **state)
{
	(void)state;
	assert_int_equal(vantage_exit_status(PW_EAUTH), EXIT_USAGE);
	assert_int_equal(vantage_exit_status(PW_EREQUEST), EXIT_USAGE);
	assert_int_equal(vantage_exit_status(PW_ELOOPBACK), EXIT_USAGE);
	assert_int_equal(vantage_exit_status(PW_ENOPROBES), EXIT_UNDECIDABLE);
	assert_int_equal(vantage_exit_status(PW_ECREDITS), EXIT_UNDECIDABLE);
	assert_int_equal(vantage_exit_status(PW_ERATELIMIT), EXIT_UNDECIDABLE);
	assert_int_equal(vantage_exit_status(PW_EPENDING), EXIT_UNDECIDABLE);
	assert_int_equal(vantage_exit_status(PW_EHTTP), EXIT_UNDECIDABLE);
	assert_true(vantage_deadline(VIA_GLOBALPING, 2) == 30);
	assert_true(vantage_deadline(VIA_ATLAS, 2) == 300);
	assert_true(vantage_deadline(VIA_GLOBALPING, 0.01) == 2);
	assert_int_equal(vantage_net_parse("GlobalPing"), VIA_GLOBALPING);
	assert_int_equal(vantage_net_parse("atlas"), VIA_ATLAS);
	assert_int_equal(vantage_net_parse("x"), VIA_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_from_first),
		cmocka_unit_test(whole_rounds_match_by_identity),
		cmocka_unit_test(subset_rounds_and_moved_resolver),
		cmocka_unit_test(failed_round_is_rows_errors),
		cmocka_unit_test(report_and_limits),
		cmocka_unit_test(url_guard),
		cmocka_unit_test(via_options),
		cmocka_unit_test(exit_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
