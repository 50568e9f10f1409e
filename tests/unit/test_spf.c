/*
 * test_spf.c -- the SPF parser (every mechanism and modifier, syntax
 * errors) and the lookup counter over a table of records in memory:
 * includes nested three deep, redirect, void lookups, a loop, more than
 * 10 lookups, and the walk's bounds against records that never end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "spf.h"

/* ---- the parser ---------------------------------------------------------- */

static void parses(const char *text, size_t nterms)
{
	struct spf_record r;
	char err[256] = "";
	int rc = spf_parse(text, &r, err, sizeof err);
	if (rc != 0)
		fail_msg("'%s' should parse, got: %s", text, err);
	assert_int_equal(r.n, nterms);
	spf_free(&r);
}

static void rejects(const char *text, const char *why)
{
	struct spf_record r;
	char err[256] = "";
	assert_int_equal(spf_parse(text, &r, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' should say '%s'", text, err, why);
	spf_free(&r);
}

static void test_is_record(void **state)
{
	(void)state;
	assert_true(spf_is_record("v=spf1"));
	assert_true(spf_is_record("v=spf1 -all"));
	assert_true(spf_is_record("V=SPF1 mx"));
	assert_false(spf_is_record("v=spf10 -all"));
	assert_false(spf_is_record("v=spf2.0/pra -all"));
	assert_false(spf_is_record(" v=spf1 -all"));
	assert_false(spf_is_record("hello"));
}

static void test_every_mechanism(void **state)
{
	struct spf_record r;
	char err[256];
	(void)state;
	assert_int_equal(spf_parse("v=spf1 +all -all ~all ?all include:_spf.example.com a "
	                           "a:mail.example.com a/24 a:example.com/24//64 a//64 mx "
	                           "mx:example.com/28 ptr ptr:example.com ip4:192.0.2.0/24 "
	                           "ip4:192.0.2.1 ip6:2001:db8::/32 ip6:2001:db8::1 "
	                           "exists:%{i}._spf.%{d} redirect=_spf.example.com "
	                           "exp=explain.example.com foo-bar.x=some%{d}value",
	                           &r, err, sizeof err),
	                 0);
	assert_int_equal(r.n, 22);
	static const struct {
		enum spf_mech m;
		char q;
		const char *arg;
		int c4, c6;
	} want[] = {
		{ SPF_ALL, '+', NULL, -1, -1 },
		{ SPF_ALL, '-', NULL, -1, -1 },
		{ SPF_ALL, '~', NULL, -1, -1 },
		{ SPF_ALL, '?', NULL, -1, -1 },
		{ SPF_INCLUDE, '+', "_spf.example.com", -1, -1 },
		{ SPF_A, '+', NULL, -1, -1 },
		{ SPF_A, '+', "mail.example.com", -1, -1 },
		{ SPF_A, '+', NULL, 24, -1 },
		{ SPF_A, '+', "example.com", 24, 64 },
		{ SPF_A, '+', NULL, -1, 64 },
		{ SPF_MX, '+', NULL, -1, -1 },
		{ SPF_MX, '+', "example.com", 28, -1 },
		{ SPF_PTR, '+', NULL, -1, -1 },
		{ SPF_PTR, '+', "example.com", -1, -1 },
		{ SPF_IP4, '+', "192.0.2.0", 24, -1 },
		{ SPF_IP4, '+', "192.0.2.1", -1, -1 },
		{ SPF_IP6, '+', "2001:db8::", -1, 32 },
		{ SPF_IP6, '+', "2001:db8::1", -1, -1 },
		{ SPF_EXISTS, '+', "%{i}._spf.%{d}", -1, -1 },
		{ SPF_REDIRECT, 0, "_spf.example.com", -1, -1 },
		{ SPF_EXP, 0, "explain.example.com", -1, -1 },
		{ SPF_MODIFIER, 0, "some%{d}value", -1, -1 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct spf_term *t = &r.terms[i];
		assert_int_equal(t->mech, want[i].m);
		assert_int_equal(t->qualifier, want[i].q);
		if (want[i].arg == NULL)
			assert_null(t->arg);
		else
			assert_string_equal(t->arg, want[i].arg);
		assert_int_equal(t->cidr4, want[i].c4);
		assert_int_equal(t->cidr6, want[i].c6);
	}
	assert_string_equal(r.terms[21].name, "foo-bar.x");
	assert_true(spf_term_queries(&r.terms[4]));   /* include */
	assert_true(spf_term_queries(&r.terms[12]));  /* ptr */
	assert_true(spf_term_queries(&r.terms[19]));  /* redirect */
	assert_false(spf_term_queries(&r.terms[14])); /* ip4 */
	assert_false(spf_term_queries(&r.terms[0]));  /* all */
	assert_false(spf_term_queries(&r.terms[20])); /* exp */
	assert_ptr_equal(spf_find(&r, SPF_REDIRECT), &r.terms[19]);
	assert_string_equal(spf_mech_name(SPF_INCLUDE), "include");
	spf_free(&r);
	/* Case does not matter for names; spaces may repeat and trail. */
	parses("v=spf1  MX   Include:_spf.example.com  -ALL  ", 3);
	parses("v=spf1", 0);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	rejects("v=spf10 -all", "v=spf1");
	rejects("v=spf1 mx ipv4:127.0.4.11 -all", "unknown mechanism 'ipv4:127.0.4.11'");
	rejects("v=spf1 include", "needs ':'");
	rejects("v=spf1 include:", "empty domain");
	rejects("v=spf1 exists", "needs ':'");
	rejects("v=spf1 all:example.com", "takes no value");
	rejects("v=spf1 all/24", "takes no value");
	rejects("v=spf1 ip4", "needs ':'");
	rejects("v=spf1 ip4:300.1.1.1", "not an IPv4 address");
	rejects("v=spf1 ip4:192.0.2.0/33", "prefix length");
	rejects("v=spf1 ip4:192.0.2.0/024", "prefix length");
	rejects("v=spf1 ip6:zz::/64", "not an IPv6 address");
	rejects("v=spf1 ip6:2001:db8::/129", "prefix length");
	rejects("v=spf1 a:example.com/33", "IPv4 prefix length");
	rejects("v=spf1 mx//200", "IPv6 prefix length");
	rejects("v=spf1 include:localhost -all", "not a domain name");
	rejects("v=spf1 a:192.0.2.1", "not a domain name");
	rejects("v=spf1 include:%{x}.example.com", "macro");
	rejects("v=spf1 exists:%{i.example.com", "macro");
	rejects("v=spf1 redirect=a.example.com redirect=b.example.com", "given twice");
	rejects("v=spf1 exp=a.example.com exp=b.example.com", "given twice");
	rejects("v=spf1 redirect=", "empty domain");
	rejects("v=spf1 mx\t-all", "printable");
	rejects("v=spf1 mx \xc3\xa9 -all", "printable");
	rejects("v=spf1 *mx", "unknown mechanism");
	rejects("v=spf1 foo=\x7f", "printable");
}

/* ---- the counter over a table --------------------------------------------- */

struct entry {
	const char *name; /* without the trailing dot, as the counter asks */
	int type;
	int rcode;
	const char *records[4];
};

struct table {
	const struct entry *v;
	size_t n;
	unsigned asked;
	char recs[2][64]; /* for generated records */
	char *gen[1];
};

static int table_resolve(void *ctx, const char *name, int type, struct spf_rr *out)
{
	struct table *t = ctx;
	t->asked++;
	for (size_t i = 0; i < t->n; i++) {
		const struct entry *e = &t->v[i];
		if (e->type != type || strcasecmp(e->name, name) != 0)
			continue;
		out->rcode = e->rcode;
		out->records = (char *const *)e->records;
		for (out->n = 0; out->n < 4 && e->records[out->n]; out->n++)
			;
		return 0;
	}
	out->rcode = LDNS_RCODE_NXDOMAIN;
	out->n = 0;
	return 0;
}

static void count(const char *domain, const char *text, const struct entry *v, size_t n,
                  struct spf_count *c)
{
	struct spf_record r;
	char err[256];
	struct table t = { v, n, 0, { "" }, { NULL } };
	if (spf_parse(text, &r, err, sizeof err) != 0)
		fail_msg("'%s': %s", text, err);
	assert_int_equal(spf_count(domain, &r, table_resolve, &t, c), 0);
	spf_free(&r);
}

static bool has(const struct spf_count *c, enum spf_problem_kind k, const char *name)
{
	for (size_t i = 0; i < c->nproblems; i++)
		if (c->problems[i].kind == k && strcmp(c->problems[i].name, name) == 0)
			return true;
	return false;
}

#define TXT LDNS_RR_TYPE_TXT
#define A   LDNS_RR_TYPE_A
#define MX  LDNS_RR_TYPE_MX

static void test_nested_three_deep(void **state)
{
	static const struct entry v[] = {
		{ "a.test", TXT, 0, { "\"v=spf1 include:b.test a -all\"" } },
		{ "a.test", A, 0, { "192.0.2.1" } },
		{ "b.test", TXT, 0, { "\"ignore me\"", "\"v=spf1 \" \"include:c.test -all\"" } },
		{ "c.test", TXT, 0, { "\"v=spf1 ip4:192.0.2.0/24 -all\"" } },
	};
	struct spf_count c;
	(void)state;
	count("example.test", "v=spf1 include:a.test -all", v, 4, &c);
	assert_int_equal(c.lookups, 4); /* include a, include b, a, include c */
	assert_int_equal(c.voids, 0);
	assert_int_equal(c.nproblems, 0);
	assert_false(c.truncated);
}

static void test_redirect(void **state)
{
	static const struct entry v[] = {
		{ "example.test", MX, 0, { "10 mx.example.test." } },
		{ "r.test", TXT, 0, { "\"v=spf1 a:h.test mx -all\"" } },
		{ "r.test", MX, 0, { "10 mx.r.test." } },
		{ "h.test", A, 0, { "192.0.2.7" } },
	};
	struct spf_count c;
	(void)state;
	count("example.test", "v=spf1 mx redirect=r.test", v, 4, &c);
	assert_int_equal(c.lookups, 4); /* mx, redirect, a, mx (of r.test) */
	assert_int_equal(c.voids, 0);
	assert_int_equal(c.nproblems, 0);
	/* With an all, redirect is not followed (RFC 7208 6.1) nor counted. */
	count("example.test", "v=spf1 -all redirect=r.test", v, 4, &c);
	assert_int_equal(c.lookups, 0);
	/* A redirect to a name without SPF: missing. */
	count("example.test", "v=spf1 redirect=nothing.test", v, 4, &c);
	assert_int_equal(c.lookups, 1);
	assert_int_equal(c.voids, 1);
	assert_true(has(&c, SPF_P_MISSING, "nothing.test"));
}

static void test_void_lookups(void **state)
{
	static const struct entry v[] = {
		{ "nodata.test", TXT, 0, { "\"no address here\"" } },
		{ "nodata.test", A, 0, { NULL } },
		{ "nodata.test", LDNS_RR_TYPE_AAAA, 0, { NULL } },
		{ "v6only.test", A, 0, { NULL } },
		{ "v6only.test", LDNS_RR_TYPE_AAAA, 0, { "2001:db8::1" } },
		{ "nomx.test", MX, 0, { NULL } },
		{ "fail.test", A, -1, { NULL } },
	};
	struct spf_count c;
	(void)state;
	count("example.test",
	      "v=spf1 a:nx1.test a:nx2.test a:nodata.test a:v6only.test mx:nomx.test a:fail.test "
	      "exists:%{i}.x.test -all",
	      v, 7, &c);
	assert_int_equal(c.lookups, 7);
	assert_int_equal(c.voids, 4);
	assert_non_null(strstr(c.void_names, "nx1.test (NXDOMAIN)"));
	assert_non_null(strstr(c.void_names, "nodata.test (no records)"));
	assert_null(strstr(c.void_names, "v6only"));
	/* A lookup that failed is no void: the count is a lower bound. */
	assert_null(strstr(c.void_names, "fail.test"));
	assert_true(has(&c, SPF_P_UNRESOLVED, "fail.test"));
}

static void test_loop(void **state)
{
	static const struct entry v[] = {
		{ "_spf.loop.test", TXT, 0, { "\"v=spf1 include:LOOP.test. -all\"" } },
		{ "x.test", TXT, 0, { "\"v=spf1 include:z.test -all\"" } },
		{ "y.test", TXT, 0, { "\"v=spf1 include:z.test -all\"" } },
		{ "z.test", TXT, 0, { "\"v=spf1 ip4:192.0.2.1 -all\"" } },
	};
	struct spf_count c;
	(void)state;
	count("loop.test", "v=spf1 mx include:_spf.loop.test -all", v, 4, &c);
	assert_true(has(&c, SPF_P_LOOP, "_spf.loop.test"));
	assert_int_equal(c.lookups, 3); /* mx, include, include back: then it stops */
	/* A diamond is no loop: z is walked twice, and counted twice. */
	count("d.test", "v=spf1 include:x.test include:y.test -all", v, 4, &c);
	assert_int_equal(c.nproblems, 0);
	assert_int_equal(c.lookups, 4);
	/* Including itself directly. */
	count("self.test", "v=spf1 include:self.test -all", v, 4, &c);
	assert_true(has(&c, SPF_P_LOOP, "self.test"));
}

static void test_over_ten(void **state)
{
	static const struct entry v[] = {
		{ "example.test", MX, 0, { "10 mx1.example.test." } },
		{ "h.test", A, 0, { "192.0.2.1" } },
		{ "_s1.test", TXT, 0, { "\"v=spf1 a:h.test a:h.test include:_s2.test -all\"" } },
		{ "_s2.test", TXT, 0, { "\"v=spf1 a:h.test a:h.test include:_s3.test -all\"" } },
		{ "_s3.test", TXT, 0, { "\"v=spf1 a:h.test a:h.test redirect=_s4.test\"" } },
		{ "_s4.test", TXT, 0, { "\"v=spf1 a:h.test -all\"" } },
	};
	struct spf_count c;
	(void)state;
	/* spf-lookups.test of the lab: 13 terms, none void. */
	count("example.test", "v=spf1 mx a:h.test include:_s1.test -all", v, 6, &c);
	assert_int_equal(c.lookups, 13);
	assert_int_equal(c.voids, 0);
	assert_int_equal(c.nproblems, 0);
	/* ptr counts too, and is a problem of its own. */
	count("example.test", "v=spf1 ptr ptr:h.test a:h.test -all", v, 6, &c);
	assert_int_equal(c.lookups, 3);
	assert_true(has(&c, SPF_P_PTR, "example.test"));
}

static void test_include_problems(void **state)
{
	static const struct entry v[] = {
		{ "txt.test", TXT, 0, { "\"this name has a TXT record, but no SPF record\"" } },
		{ "two.test", TXT, 0, { "\"v=spf1 -all\"", "\"v=spf1 +all\"" } },
		{ "bad.test", TXT, 0, { "\"v=spf1 ipv4:1.2.3.4 -all\"" } },
		{ "fail.test", TXT, -1, { NULL } },
	};
	struct spf_count c;
	(void)state;
	count("example.test",
	      "v=spf1 include:txt.test include:two.test include:bad.test include:nx.test "
	      "include:fail.test -all",
	      v, 4, &c);
	assert_int_equal(c.lookups, 5);
	assert_int_equal(c.voids, 1); /* nx.test */
	assert_true(has(&c, SPF_P_MISSING, "txt.test"));
	assert_true(has(&c, SPF_P_MULTIPLE, "two.test"));
	assert_true(has(&c, SPF_P_SYNTAX, "bad.test"));
	assert_true(has(&c, SPF_P_MISSING, "nx.test"));
	assert_true(has(&c, SPF_P_UNRESOLVED, "fail.test"));
}

/* Records made up as they are asked: an endless chain of includes, each
 * to a new name. The walk must end, and say it was cut short. */
static int endless(void *ctx, const char *name, int type, struct spf_rr *out)
{
	struct table *t = ctx;
	unsigned k = 0;
	t->asked++;
	if (type != TXT || sscanf(name, "i%u.test", &k) != 1) {
		out->rcode = LDNS_RCODE_NXDOMAIN;
		out->n = 0;
		return 0;
	}
	snprintf(t->recs[0], sizeof t->recs[0], "\"v=spf1 include:i%u.test a:i%u.test\"", k + 1,
	         k + 1);
	t->gen[0] = t->recs[0];
	out->rcode = 0;
	out->records = t->gen;
	out->n = 1;
	return 0;
}

static void test_bounded(void **state)
{
	struct spf_record r;
	struct spf_count c;
	char err[256];
	struct table t = { NULL, 0, 0, { "" }, { NULL } };
	(void)state;
	assert_int_equal(spf_parse("v=spf1 include:i0.test", &r, err, sizeof err), 0);
	assert_int_equal(spf_count("example.test", &r, endless, &t, &c), 0);
	assert_true(c.truncated);
	assert_true(c.lookups > 10);
	assert_true(t.asked < 200);
	spf_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_every_mechanism),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nested_three_deep),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_void_lookups),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_over_ten),
		cmocka_unit_test(test_include_problems),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
