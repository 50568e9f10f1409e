/*
 * test_vantage_json.c -- unit tests for the measurement networks' JSON
 * (vantage_gp_json.c, vantage_atlas_json.c, vantage_json.c): the fixture
 * bodies of tests/fixtures decoded into probes and answers, the requests
 * built, and the abuf path, which must give what a local reply gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "error.h"
#include "query.h"
#include "vantage_int.h"
#include "vantage_json.h"

#define FIXTURES "tests/fixtures/"
#define NOW      1800000000.0 /* {{now}}: the wall time the fixtures speak of */

static struct query q_mx;

/* ---- helpers ------------------------------------------------------------ */

static char *replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p;
	while ((p = strstr(s, from)) != NULL) {
		size_t off = (size_t)(p - s), n = strlen(s);
		char *ns = malloc(n - fl + tl + 1);
		assert_non_null(ns);
		memcpy(ns, s, off);
		memcpy(ns + off, to, tl);
		memcpy(ns + off + tl, p + fl, n - off - fl + 1);
		free(s);
		s = ns;
	}
	return s;
}

/* A fixture body as tests/lib/httpfixture.py serves it: "{{x}}" alone
 * takes x's JSON value, {{x}} elsewhere its text. vars: name, JSON value. */
static char *fixture(const char *rel, const char *const *vars)
{
	char path[256], buf[1 << 17];
	snprintf(path, sizeof path, FIXTURES "%s", rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *s = strdup(buf);
	static const char *const common[] = { "now",     "1800000000",
		                              "now_iso", "\"2027-01-15T08:00:00.000Z\"",
		                              "base",    "\"http://127.0.0.1:1\"",
		                              NULL };
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *v = pass ? common : vars; v && *v; v += 2) {
			char quoted[96], plain[96], text[160];
			snprintf(quoted, sizeof quoted, "\"{{%s}}\"", v[0]);
			snprintf(plain, sizeof plain, "{{%s}}", v[0]);
			snprintf(text, sizeof text, "%s", v[1]);
			if (text[0] == '"') { /* a string's text is without its quotes */
				memmove(text, text + 1, strlen(text));
				text[strlen(text) - 1] = '\0';
			}
			s = replace_all(s, quoted, v[1]);
			s = replace_all(s, plain, text);
		}
	return s;
}

static const struct vantage_result *by_country(const struct vantage_result *r, size_t n,
                                               const char *cc)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].probe.country, cc) == 0)
			return &r[i];
	fail_msg("no result from %s", cc);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	return query_init(&q_mx, "example.test", LDNS_RR_TYPE_MX, true, false);
}

static int teardown(void **state)
{
	(void)state;
	query_free(&q_mx);
	return 0;
}

/* ---- Globalping ------------------------------------------------------------ */

static const char *const gp_vars[] = { "id", "\"2FinishedFixture4p000Av3kQ\"", "probes", "4",
	                               NULL };

static void gp_created(void **state)
{
	(void)state;
	char *b = fixture("globalping/finished/created.json", gp_vars), id[64], err[160];
	long probes;
	assert_int_equal(gp_decode_created(b, strlen(b), id, sizeof id, &probes, err, sizeof err),
	                 PW_OK);
	assert_string_equal(id, "2FinishedFixture4p000Av3kQ");
	assert_int_equal(probes, 4);
	free(b);
	/* Ids go into a URL path: only [A-Za-z0-9]. */
	static const char *const bad[] = {
		"{\"id\": \"../x\"}", "{\"id\": \"\"}",   "{\"id\": 7}", "{}", "[]",
		"not json",           "{\"id\": \"a b\"}"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(gp_decode_created(bad[i], strlen(bad[i]), id, sizeof id, &probes,
		                                   err, sizeof err),
		                 PW_EMALFORMED);
}

static void gp_finished(void **state)
{
	(void)state;
	char *b = fixture("globalping/finished/finished.json", gp_vars), err[160];
	struct vantage_result *r;
	size_t n;
	bool done;
	assert_int_equal(
	        gp_decode_measurement(b, strlen(b), &q_mx, 42.5, &done, &r, &n, err, sizeof err),
	        PW_OK);
	assert_true(done);
	assert_int_equal(n, 4);
	const struct vantage_probe *p = &r[0].probe;
	assert_int_equal(p->net, VIA_GLOBALPING);
	assert_string_equal(p->country, "DE");
	assert_string_equal(p->continent, "EU");
	assert_string_equal(p->city, "Frankfurt");
	assert_int_equal(p->asn, 64496);
	assert_string_equal(p->network, "Example Transit DE");
	assert_string_equal(p->resolver, "192.0.2.53");
	assert_false(p->private_resolver);
	assert_int_equal(strlen(p->id), 8);
	/* The answer as a local reply would be: canonical records, TTL, rcode, flags. */
	const struct answer *a = &r[0].ans;
	assert_int_equal(a->outcome, OUT_REPLY);
	assert_int_equal(a->rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(a->nrecords, 1);
	assert_string_equal(a->records[0], "10 mx-new.example.test.");
	assert_string_equal(a->key, "10 mx-new.example.test.");
	assert_int_equal(a->ttl, 60);
	assert_true(a->flags & PW_F_RA);
	assert_false(a->flags & PW_F_AA);
	assert_true(a->at == 42.5);
	assert_true(a->latency_ms == 8);
	/* BR has two resolvers; the one that answered is taken. */
	assert_string_equal(r[3].probe.resolver, "198.51.100.253");
	/* Each probe has its own key and id. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			assert_string_not_equal(r[i].probe.key, r[j].probe.key);
			assert_string_not_equal(r[i].probe.id, r[j].probe.id);
		}
	vantage_results_free(r, n);
	free(b);
}

static void gp_in_progress(void **state)
{
	(void)state;
	static const char *const files[] = { "globalping/progress/in-progress-1.json",
		                             "globalping/progress/in-progress-2.json" };
	for (size_t i = 0; i < 2; i++) {
		char *b = fixture(files[i], gp_vars), err[160];
		struct vantage_result *r;
		size_t n;
		bool done = true;
		assert_int_equal(gp_decode_measurement(b, strlen(b), &q_mx, 1, &done, &r, &n, err,
		                                       sizeof err),
		                 PW_OK);
		/* No verdict from partial results: nothing is decoded yet. */
		assert_false(done);
		assert_int_equal(n, 0);
		assert_null(r);
		free(b);
	}
}

static void gp_timeout_probe(void **state)
{
	(void)state;
	char *b = fixture("globalping/timeout-probe/finished.json", gp_vars), err[160];
	struct vantage_result *r;
	size_t n;
	bool done;
	assert_int_equal(
	        gp_decode_measurement(b, strlen(b), &q_mx, 1, &done, &r, &n, err, sizeof err),
	        PW_OK);
	assert_int_equal(n, 4);
	const struct vantage_result *br = by_country(r, n, "BR");
	/* failed, failureSource resolver: the resolver did not answer. */
	assert_int_equal(br->ans.outcome, OUT_TIMEOUT);
	assert_string_equal(br->ans.detail, "the probe's resolver did not answer");
	/* resolver null: the probe's first one names the row. */
	assert_string_equal(br->probe.resolver, "198.51.100.153");
	assert_int_equal(by_country(r, n, "SG")->ans.outcome, OUT_REPLY);
	vantage_results_free(r, n);
	free(b);
}

static void gp_private_resolver(void **state)
{
	(void)state;
	char *b = fixture("globalping/private-resolver/finished.json", gp_vars), err[160];
	struct vantage_result *r;
	size_t n;
	bool done;
	assert_int_equal(
	        gp_decode_measurement(b, strlen(b), &q_mx, 1, &done, &r, &n, err, sizeof err),
	        PW_OK);
	assert_int_equal(n, 4);
	assert_string_equal(by_country(r, n, "NL")->probe.resolver, "private");
	assert_true(by_country(r, n, "NL")->probe.private_resolver);
	assert_string_equal(by_country(r, n, "FR")->probe.resolver, "192.168.1.1");
	assert_true(by_country(r, n, "FR")->probe.private_resolver);
	assert_false(by_country(r, n, "DE")->probe.private_resolver);
	vantage_results_free(r, n);
	free(b);
}

static void gp_mixed(void **state)
{
	(void)state;
	char *b = fixture("globalping/mixed/finished.json", gp_vars), err[160];
	struct vantage_result *r;
	size_t n;
	bool done;
	assert_int_equal(
	        gp_decode_measurement(b, strlen(b), &q_mx, 1, &done, &r, &n, err, sizeof err),
	        PW_OK);
	assert_int_equal(n, 6);
	static const struct {
		const char *cc;
		long ttl;
		size_t nrec;
	} want[] = { { "DE", 60, 1 },  { "FR", 60, 1 },  { "US", 60, 1 },
		     { "JP", 250, 2 }, { "SG", 120, 2 }, { "AU", 30, 2 } };
	for (size_t i = 0; i < 6; i++) {
		const struct vantage_result *x = by_country(r, n, want[i].cc);
		assert_int_equal(x->ans.ttl, want[i].ttl);
		assert_int_equal(x->ans.nrecords, want[i].nrec);
	}
	const struct answer *jp = &by_country(r, n, "JP")->ans;
	assert_string_equal(jp->records[0], "10 mx1.example.test.");
	assert_string_equal(jp->records[1], "20 mx2.example.test.");
	vantage_results_free(r, n);
	free(b);
}

/* What no test of a finished measurement should make of bad input. */
static void gp_hostile(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"{\"status\":\"finished\"}",
		"{\"status\":\"finished\",\"results\":{}}",
		"{\"status\":7,\"results\":[]}",
		"[1,2,3]",
		"{\"status\":\"finished\",\"results\":[1,\"x\",null,{}]}",
		"{\"status\":\"finished\",\"results\":[{\"probe\":{\"country\":\"\\u0007\\u0008\","
		"\"city\":\"a\\nb\"},\"result\":{\"status\":\"finished\",\"statusCode\":0,"
		"\"answers\":[{\"name\":\"example.test.\",\"type\":\"MX\",\"ttl\":5,"
		"\"value\":\"10 x. ; $INCLUDE /etc/passwd\"}]}}]}",
		"{\"status\":\"finished\",\"results\":[{\"probe\":{},\"result\":{\"status\":"
		"\"finished\",\"statusCode\":99,\"answers\":[]}}]}",
		"{\"status\":\"finished\",\"results\":[{\"probe\":{},\"result\":{\"status\":"
		"\"finished\",\"statusCode\":0,\"answers\":[{\"name\":\"example.test.\",\"type\":"
		"\"MX\",\"ttl\":-5,\"value\":\"10 x.\"}]}}]}",
		"{\"status\":\"finished\",\"results\":[{\"probe\":{},\"result\":{\"status\":"
		"\"offline\"}}]}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct vantage_result *r = NULL;
		size_t n = 0;
		bool done;
		char err[160];
		int rc = gp_decode_measurement(bodies[i], strlen(bodies[i]), &q_mx, 1, &done, &r,
		                               &n, err, sizeof err);
		assert_true(rc == PW_OK || rc == PW_EMALFORMED);
		for (size_t k = 0; k < n; k++) {
			/* A record that could be read two ways makes no answer at all. */
			assert_int_not_equal(r[k].ans.outcome, OUT_REPLY);
			assert_null(strchr(r[k].probe.city, '\n'));
			assert_string_equal(r[k].probe.country, "ZZ");
		}
		vantage_results_free(r, n);
	}
}

static void gp_request_json(void **state)
{
	(void)state;
	char *loc = NULL, err[160];
	assert_int_equal(vantage_parse_from(VIA_GLOBALPING, "de,Asia,asn:3320,magic:x+y", 5, &loc,
	                                    err, sizeof err),
	                 PW_OK);
	char *s = gp_request(&q_mx, loc, NULL, 5, "1.1.1.1");
	json_t *o = json_loads(s, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "dns");
	assert_string_equal(json_string_value(json_object_get(o, "target")), "example.test");
	assert_int_equal(json_integer_value(json_object_get(o, "limit")), 5);
	json_t *m = json_object_get(o, "measurementOptions");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "query"), "type")),
	                    "MX");
	assert_string_equal(json_string_value(json_object_get(m, "resolver")), "1.1.1.1");
	json_t *l = json_object_get(o, "locations");
	assert_int_equal(json_array_size(l), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "country")),
	                    "DE");
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "magic")),
	                    "Asia");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 2), "asn")), 3320);
	json_decref(o);
	free(s);
	/* Asking the first measurement's probes again: its id, no limit. */
	s = gp_request(&q_mx, loc, "2Abc", 5, NULL);
	o = json_loads(s, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "locations")), "2Abc");
	assert_null(json_object_get(o, "limit"));
	assert_null(json_object_get(json_object_get(o, "measurementOptions"), "resolver"));
	json_decref(o);
	free(s);
	free(loc);
	assert_true(gp_type_supported(LDNS_RR_TYPE_MX));
	assert_false(gp_type_supported(LDNS_RR_TYPE_CAA));
}

/* ---- RIPE Atlas -------------------------------------------------------------- */

static const char *const at_vars[] = { "id", "90000001", NULL };

static void atlas_created(void **state)
{
	(void)state;
	long id;
	char err[160];
	static const char ok1[] = "{\"measurements\": [90000001]}",
	                  ok2[] = "{\"measurements\": [\"90000001\"]}";
	assert_int_equal(atlas_decode_created(ok1, strlen(ok1), &id, err, sizeof err), PW_OK);
	assert_int_equal(id, 90000001);
	assert_int_equal(atlas_decode_created(ok2, strlen(ok2), &id, err, sizeof err), PW_OK);
	assert_int_equal(id, 90000001);
	static const char *const bad[] = { "{\"measurements\": []}", "{\"measurements\": [-4]}",
		                           "{\"measurements\": [\"1/2\"]}", "{}", "[]" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(atlas_decode_created(bad[i], strlen(bad[i]), &id, err, sizeof err),
		                 PW_EMALFORMED);
}

static void atlas_status(void **state)
{
	(void)state;
	char name[64], err[160];
	long sched;
	char *b = fixture("atlas/finished/status.json", at_vars);
	assert_int_equal(
	        atlas_decode_status(b, strlen(b), name, sizeof name, &sched, err, sizeof err),
	        PW_OK);
	assert_string_equal(name, "Stopped");
	assert_int_equal(sched, 3);
	assert_true(atlas_status_final(name));
	free(b);
	b = fixture("atlas/in-progress/status-ongoing.json", at_vars);
	assert_int_equal(
	        atlas_decode_status(b, strlen(b), name, sizeof name, &sched, err, sizeof err),
	        PW_OK);
	assert_string_equal(name, "Ongoing");
	assert_false(atlas_status_final(name));
	free(b);
	assert_true(atlas_status_final("No suitable probes"));
	assert_true(atlas_status_final("Forced to stop"));
	assert_true(atlas_status_final("Failed"));
	assert_false(atlas_status_final("Scheduled"));
	assert_false(atlas_status_final("Specified"));
}

static void atlas_finished(void **state)
{
	(void)state;
	char *b = fixture("atlas/finished/results.json", at_vars), err[160];
	struct vantage_result *r;
	size_t n;
	/* The mono clock is 500 when the wall clock is NOW + 2. */
	assert_int_equal(atlas_decode_results(b, strlen(b), &q_mx, 500, NOW + 2, NOW - 600, &r, &n,
	                                      err, sizeof err),
	                 PW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].probe.id, "1001");
	assert_string_equal(r[0].probe.resolver, "192.0.2.53");
	assert_string_equal(r[0].probe.country, "ZZ"); /* until the probe's metadata */
	assert_int_equal(r[0].probe.asn, -1);
	assert_int_equal(r[0].ans.outcome, OUT_REPLY);
	assert_string_equal(r[0].ans.records[0], "10 mx-new.example.test.");
	assert_int_equal(r[0].ans.ttl, 60);
	assert_true(r[0].ans.latency_ms == 12.5);
	assert_int_equal(r[0].ans.transport, TR_UDP);
	/* Answered at the timestamp: 2 s before now. */
	assert_true(r[0].ans.at == 498);
	const struct answer *old = &r[2].ans;
	assert_int_equal(old->nrecords, 2);
	assert_string_equal(old->records[0], "10 mx1.example.test.");
	assert_string_equal(old->records[1], "20 mx2.example.test.");
	assert_int_equal(old->ttl, 250);
	assert_true(old->flags & PW_F_RA);
	assert_string_not_equal(r[0].probe.key, r[1].probe.key);
	vantage_results_free(r, n);
	/* A timestamp from the future is now; one from long ago is the floor. */
	assert_int_equal(atlas_decode_results(b, strlen(b), &q_mx, 500, NOW - 5, NOW - 700, &r, &n,
	                                      err, sizeof err),
	                 PW_OK);
	assert_true(r[0].ans.at == 500);
	vantage_results_free(r, n);
	assert_int_equal(atlas_decode_results(b, strlen(b), &q_mx, 500, NOW + 5000, NOW + 4000, &r,
	                                      &n, err, sizeof err),
	                 PW_OK);
	assert_true(r[0].ans.at == -500);
	vantage_results_free(r, n);
	free(b);
}

static void atlas_timeout_and_direct(void **state)
{
	(void)state;
	char *b = fixture("atlas/timeout-probe/results.json", at_vars), err[160];
	struct vantage_result *r;
	size_t n;
	assert_int_equal(atlas_decode_results(b, strlen(b), &q_mx, 1, NOW, NOW - 600, &r, &n, err,
	                                      sizeof err),
	                 PW_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[1].ans.outcome, OUT_TIMEOUT);
	assert_string_equal(r[1].ans.detail, "the probe's resolver did not answer in 5000 ms");
	assert_int_equal(r[0].ans.outcome, OUT_REPLY);
	vantage_results_free(r, n);
	free(b);
	/* A measurement with a target: top-level result and error, no resultset. */
	b = fixture("atlas/direct-resolver/results.json", at_vars);
	assert_int_equal(atlas_decode_results(b, strlen(b), &q_mx, 1, NOW, NOW - 600, &r, &n, err,
	                                      sizeof err),
	                 PW_OK);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].ans.outcome, OUT_REPLY);
	assert_string_equal(r[0].probe.resolver, "198.51.100.153");
	assert_int_equal(r[1].ans.outcome, OUT_TIMEOUT);
	assert_string_equal(r[1].probe.id, "1003");
	vantage_results_free(r, n);
	free(b);
}

static void atlas_probe_meta(void **state)
{
	(void)state;
	char *b = fixture("atlas/finished/probe-1002.json", at_vars);
	struct vantage_probe p = { .asn = -1, .country = "ZZ" };
	assert_int_equal(atlas_decode_probe(b, strlen(b), 4, &p), PW_OK);
	assert_string_equal(p.country, "NL");
	assert_int_equal(p.asn, 64503);
	/* No IPv6 ASN: the IPv4 one stands in. */
	p.asn = -1;
	assert_int_equal(atlas_decode_probe(b, strlen(b), 6, &p), PW_OK);
	assert_int_equal(p.asn, 64503);
	free(b);
	b = fixture("atlas/reask/credits.json", at_vars);
	assert_int_equal(atlas_decode_credits(b, strlen(b)), 12345);
	free(b);
	assert_int_equal(atlas_decode_credits("{}", 2), -1);
}

static void atlas_request_json(void **state)
{
	(void)state;
	char *src = NULL, err[160];
	assert_int_equal(vantage_parse_from(VIA_ATLAS, NULL, 7, &src, err, sizeof err), PW_OK);
	char *s = atlas_request(&q_mx, src, NULL, 7, NULL, 4, false);
	json_t *o = json_loads(s, 0, NULL),
	       *d = json_array_get(json_object_get(o, "definitions"), 0);
	assert_non_null(d);
	assert_true(json_is_true(json_object_get(o, "is_oneoff")));
	assert_string_equal(json_string_value(json_object_get(d, "query_type")), "MX");
	assert_string_equal(json_string_value(json_object_get(d, "query_argument")),
	                    "example.test");
	assert_true(json_is_true(json_object_get(d, "use_probe_resolver")));
	assert_int_equal(json_integer_value(json_object_get(d, "af")), 4);
	json_t *p = json_array_get(json_object_get(o, "probes"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "type")), "area");
	assert_string_equal(json_string_value(json_object_get(p, "value")), "WW");
	assert_int_equal(json_integer_value(json_object_get(p, "requested")), 7);
	json_decref(o);
	free(s);
	free(src);
	s = atlas_request(&q_mx, NULL, "1002,1003", 2, "198.51.100.153", 6, true);
	o = json_loads(s, 0, NULL);
	d = json_array_get(json_object_get(o, "definitions"), 0);
	assert_false(json_is_true(json_object_get(d, "use_probe_resolver")));
	assert_string_equal(json_string_value(json_object_get(d, "target")), "198.51.100.153");
	assert_true(json_is_true(json_object_get(d, "set_do_bit")));
	assert_int_equal(json_integer_value(json_object_get(d, "af")), 6);
	p = json_array_get(json_object_get(o, "probes"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "type")), "probes");
	assert_string_equal(json_string_value(json_object_get(p, "value")), "1002,1003");
	json_decref(o);
	free(s);
}

/* ---- the abuf path ------------------------------------------------------------- */

/* A reply packet as base64, built with ldns (what a probe got). */
static char *b64_of(ldns_pkt *pkt)
{
	static const char tab[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t *wire;
	size_t len;
	assert_int_equal(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
	char *s = malloc(len / 3 * 4 + 5), *o = s;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)wire[i] << 16 |
		             (i + 1 < len ? (uint32_t)wire[i + 1] << 8 : 0) |
		             (i + 2 < len ? wire[i + 2] : 0);
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*o = '\0';
	LDNS_FREE(wire);
	return s;
}

static ldns_pkt *reply(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rc,
                       const char *const *answer, const char *const *authority)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN,
	                                 LDNS_RD);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, rc);
	for (; answer && *answer; answer++) {
		ldns_rr *rr;
		assert_int_equal(ldns_rr_new_frm_str(&rr, *answer, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	for (; authority && *authority; authority++) {
		ldns_rr *rr;
		assert_int_equal(ldns_rr_new_frm_str(&rr, *authority, 0, NULL, NULL),
		                 LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	return p;
}

/* The same packet through the abuf path and through answer_from_pkt
 * directly (what the engine does with a local reply) gives the same. */
static void abuf_same_as_local(void **state)
{
	(void)state;
	static const char *const an[] = { "Example.TEST. 42 IN MX 20 MX2.example.test.",
		                          "example.test. 42 IN MX 10 mx1.example.test.", NULL };
	ldns_pkt *p = reply("EXAMPLE.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, an, NULL);
	char *b64 = b64_of(p);
	struct answer via, local;
	answer_init(&via);
	answer_init(&local);
	assert_int_equal(atlas_answer_from_abuf(b64, &q_mx, &via), PW_OK);
	assert_int_equal(answer_from_pkt(&local, p, NULL), PW_OK);
	assert_int_equal(via.outcome, OUT_REPLY);
	assert_int_equal(via.rcode, local.rcode);
	assert_int_equal(via.flags, local.flags);
	assert_int_equal(via.ttl, 42);
	assert_int_equal(via.nrecords, 2);
	assert_string_equal(via.key, local.key);
	assert_string_equal(via.records[0], "10 mx1.example.test.");
	assert_string_equal(via.records[1], "20 mx2.example.test.");
	answer_free(&via);
	answer_free(&local);
	free(b64);
	ldns_pkt_free(p);
}

static void abuf_negative(void **state)
{
	(void)state;
	static const char *const soa[] = { "example.test. 300 IN SOA ns1.example.test. "
		                           "hostmaster.example.test. 7 3600 600 86400 120",
		                           NULL };
	ldns_pkt *p = reply("example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NXDOMAIN, NULL, soa);
	char *b64 = b64_of(p);
	struct answer a;
	answer_init(&a);
	assert_int_equal(atlas_answer_from_abuf(b64, &q_mx, &a), PW_OK);
	assert_int_equal(a.outcome, OUT_REPLY);
	assert_int_equal(a.rcode, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(a.nrecords, 0);
	assert_int_equal(a.neg_ttl, 120); /* min(SOA TTL, MINIMUM), as for a local reply */
	assert_true(a.has_soa);
	assert_int_equal(a.soa_serial, 7);
	answer_free(&a);
	free(b64);
	ldns_pkt_free(p);
}

static void abuf_refused(void **state)
{
	(void)state;
	static const char *const an[] = { "other.test. 60 IN MX 10 mx.other.test.", NULL };
	struct answer a;

	/* Another question's reply. */
	ldns_pkt *p = reply("other.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, an, NULL);
	char *b64 = b64_of(p);
	answer_init(&a);
	assert_int_equal(atlas_answer_from_abuf(b64, &q_mx, &a), PW_OK);
	assert_int_equal(a.outcome, OUT_ERROR);
	assert_string_equal(a.detail, "RIPE Atlas: abuf answers another question");
	answer_free(&a);
	free(b64);
	ldns_pkt_free(p);
	/* The right name, another type. */
	p = reply("example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, NULL, NULL);
	b64 = b64_of(p);
	answer_init(&a);
	assert_int_equal(atlas_answer_from_abuf(b64, &q_mx, &a), PW_OK);
	assert_int_equal(a.outcome, OUT_ERROR);
	answer_free(&a);
	free(b64);
	/* A query, not a reply. */
	ldns_pkt_set_qr(p, false);
	ldns_pkt_set_rcode(p, 0);
	b64 = b64_of(p);
	answer_init(&a);
	assert_int_equal(atlas_answer_from_abuf(b64, &q_mx, &a), PW_OK);
	assert_int_equal(a.outcome, OUT_ERROR);
	answer_free(&a);
	free(b64);
	ldns_pkt_free(p);
	/* Not base64, cut short, empty, absent. */
	static const char *const bad[] = { "not base64!", "EAGBgAABAAEAAAAAB2V4YW1w", "",
		                           "====", "EAGBgAAB=AEA" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		answer_init(&a);
		assert_int_equal(atlas_answer_from_abuf(bad[i], &q_mx, &a), PW_OK);
		assert_int_equal(a.outcome, OUT_ERROR);
		assert_true(strncmp(a.detail, "RIPE Atlas: ", 12) == 0);
		answer_free(&a);
	}
	answer_init(&a);
	assert_int_equal(atlas_answer_from_abuf(NULL, &q_mx, &a), PW_OK);
	assert_int_equal(a.outcome, OUT_ERROR);
	answer_free(&a);
}

/* ---- what both share ----------------------------------------------------------------- */

static void error_envelopes(void **state)
{
	(void)state;
	char kind[64], msg[256];
	static const char gp[] = "{\"error\": {\"type\": \"no_probes_found\", \"message\": "
	                         "\"No matching IPv4 probes available.\"}, \"links\": {}}";
	assert_int_equal(vantage_decode_error(gp, strlen(gp), kind, sizeof kind, msg, sizeof msg),
	                 PW_OK);
	assert_string_equal(kind, "no_probes_found");
	assert_string_equal(msg, "No matching IPv4 probes available.");
	static const char at[] =
	        "{\"error\": {\"status\": 400, \"code\": 102, \"detail\": \"There "
	        "were problems\", \"title\": \"Bad Request\", \"errors\": "
	        "[{\"source\": {\"pointer\": \"/\"}, \"detail\": \"No credits.\"}]}}";
	assert_int_equal(vantage_decode_error(at, strlen(at), kind, sizeof kind, msg, sizeof msg),
	                 PW_OK);
	assert_string_equal(kind, "Bad Request");
	assert_string_equal(msg, "There were problems; No credits.");
	assert_int_equal(vantage_decode_error("<html>", 6, kind, sizeof kind, msg, sizeof msg),
	                 PW_EMALFORMED);
	assert_int_equal(vantage_decode_error(NULL, 0, kind, sizeof kind, msg, sizeof msg),
	                 PW_EMALFORMED);
}

static void from_parsing(void **state)
{
	(void)state;
	char *j, err[160];
	static const char *const bad_gp[] = { "DE,,US", "continent:XY", "country:DEU", "asn:x",
		                              "state:V" };
	for (size_t i = 0; i < sizeof bad_gp / sizeof bad_gp[0]; i++) {
		assert_int_equal(
		        vantage_parse_from(VIA_GLOBALPING, bad_gp[i], 5, &j, err, sizeof err),
		        PW_EINVAL);
		assert_non_null(strstr(err, "--from"));
	}
	assert_int_equal(vantage_parse_from(VIA_GLOBALPING, NULL, 5, &j, err, sizeof err), PW_OK);
	assert_null(j); /* anywhere: no locations */
	static const char *const bad_at[] = { "DE",      "city:Paris", "area:Mars",
		                              "asn:AS1", "country:",   "msm:x" };
	for (size_t i = 0; i < sizeof bad_at / sizeof bad_at[0]; i++)
		assert_int_equal(vantage_parse_from(VIA_ATLAS, bad_at[i], 5, &j, err, sizeof err),
		                 PW_EINVAL);
	assert_int_equal(vantage_parse_from(VIA_ATLAS, "probes:1001,1002,country:nl,area:ww", 5, &j,
	                                    err, sizeof err),
	                 PW_OK);
	json_t *a = json_loads(j, 0, NULL);
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "value")),
	                    "1001,1002");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "requested")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "value")),
	                    "NL");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 2), "value")),
	                    "WW");
	json_decref(a);
	free(j);
}

static void text_helpers(void **state)
{
	(void)state;
	char buf[16], s[64];
	vantage_text(buf, sizeof buf, "a\tb\nc\x7f");
	assert_string_equal(buf, "a?b?c?");
	/* A character cut short is no character: never half of one. */
	vantage_text(buf, 4, "ab\xc3\xa9");
	assert_string_equal(buf, "ab");
	vantage_text(buf, sizeof buf, "\xc3\xa9t\xe9");
	assert_string_equal(buf, "\xc3\xa9t?");
	snprintf(s, sizeof s, "key sekrit1 and sekrit1.");
	vantage_redact(s, sizeof s, "sekrit1");
	assert_string_equal(s, "key *** and ***.");
	snprintf(s, sizeof s, "x ** y");
	vantage_redact(s, sizeof s, "**"); /* terminates */
	assert_string_equal(s, "x ** y");
	snprintf(s, sizeof s, "***");
	vantage_redact(s, sizeof s, "***");
	assert_string_equal(s, "***");
	assert_true(vantage_private_resolver("private"));
	assert_true(vantage_private_resolver("10.1.2.3"));
	assert_true(vantage_private_resolver("172.31.0.1"));
	assert_false(vantage_private_resolver("172.32.0.1"));
	assert_true(vantage_private_resolver("192.168.1.1"));
	assert_true(vantage_private_resolver("100.64.0.1"));
	assert_false(vantage_private_resolver("100.128.0.1"));
	assert_true(vantage_private_resolver("fd00::53"));
	assert_true(vantage_private_resolver("fe80::1"));
	assert_false(vantage_private_resolver("2001:db8::53"));
	assert_false(vantage_private_resolver("192.0.2.53"));
	assert_false(vantage_private_resolver(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gp_created),          cmocka_unit_test(gp_finished),
		cmocka_unit_test(gp_in_progress),      cmocka_unit_test(gp_timeout_probe),
		cmocka_unit_test(gp_private_resolver), cmocka_unit_test(gp_mixed),
		cmocka_unit_test(gp_hostile),          cmocka_unit_test(gp_request_json),
		cmocka_unit_test(atlas_created),       cmocka_unit_test(atlas_status),
		cmocka_unit_test(atlas_finished),      cmocka_unit_test(atlas_timeout_and_direct),
		cmocka_unit_test(atlas_probe_meta),    cmocka_unit_test(atlas_request_json),
		cmocka_unit_test(abuf_same_as_local),  cmocka_unit_test(abuf_negative),
		cmocka_unit_test(abuf_refused),        cmocka_unit_test(error_envelopes),
		cmocka_unit_test(from_parsing),        cmocka_unit_test(text_helpers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
