/*
 * test_mail_lint.c -- every check of `propwatch mail` on synthetic record
 * sets, no network: a clean domain that must give no finding at all, and
 * the same domain with one defect at a time (as the lab's zones are),
 * answered from a table in memory. Also the table of checks itself.
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
#include <strings.h>

#include "error.h"
#include "mail_lint.h"

#define MX   LDNS_RR_TYPE_MX
#define A    LDNS_RR_TYPE_A
#define AAAA LDNS_RR_TYPE_AAAA
#define TXT  LDNS_RR_TYPE_TXT
#define TLSA LDNS_RR_TYPE_TLSA
#define NX   LDNS_RCODE_NXDOMAIN

#define KEY2048                                                                            \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnoeIwIoqVNYB8/21m3Jmj0qnw1NiWE+OwHlJ" \
	"SVWZysR5TNtroXaEQpzUF9hxzOWlFpED90x1nROOVnWLdLDRXwqV8cTd2ic1Ug9hsMMI8QIbUpV1mPml" \
	"il3aAXrjBh7Zm/6PrHJ+skG0+K2Cykeqh3cMSjVHkMRfJpgoaAi+DapxH0VN1Ty3E7LsglDr6ekDG039" \
	"jje1Ej4Jtsj/jg++EpVWn/F2vY/XYGAWBGevUEVpxB2fAw604/f4X04pd4VL/1GUChEJophNc7q9rPVb" \
	"yX0ZspjxJ6Joib3ZpCN3y53Wnaax69btjgPTJCUFgd1iZ1HXctv1ebGlytz+9dcvAQIDAQAB"
#define KEY768                                                                              \
	"MHwwDQYJKoZIhvcNAQEBBQADawAwaAJhAOEcm5vxVNFKw3UC16fD1Hby2ZNfZjSrlLuNAPI5laMkZJe/"  \
	"sMViOGAtdTnOs0BQ4qF9HUczOUVEujS3R3eIOKp6m4kmKtxVb9TJQDOfF52zLNRicIEXdRwOqLU3hhdnk" \
	"wIDAQAB"

struct rrdef {
	const char *name; /* absolute */
	int type;
	int rcode; /* 0, NX, or -1: no usable answer */
	const char *recs[4];
	bool ad; /* through resolvers: validated */
};

/* example.test as clean.test of the lab: nothing to find. */
static const struct rrdef clean[] = {
	{ "example.test.", MX, 0, { "10 mx1.example.test.", "20 mx2.example.test." }, false },
	{ "mx1.example.test.", A, 0, { "192.0.2.11" }, false },
	{ "mx1.example.test.", AAAA, 0, { "2001:db8::11" }, false },
	{ "mx2.example.test.", A, 0, { "192.0.2.12" }, false },
	{ "mx2.example.test.", AAAA, 0, { "2001:db8::12" }, false },
	{ "example.test.", TXT, 0, { "\"v=spf1 mx -all\"" }, false },
	{ "_dmarc.example.test.",
	  TXT,
	  0,
	  { "\"v=DMARC1; p=reject; rua=mailto:dmarc@example.test\"" },
	  false },
	{ "sel1._domainkey.example.test.",
	  TXT,
	  0,
	  { "\"v=DKIM1; k=rsa; \" \"p=" KEY2048 "\"" },
	  false },
	{ "_mta-sts.example.test.", TXT, 0, { "\"v=STSv1; id=2026120101\"" }, false },
	{ "_smtp._tls.example.test.",
	  TXT,
	  0,
	  { "\"v=TLSRPTv1; rua=mailto:tlsrpt@example.test\"" },
	  false },
};

struct world {
	const struct rrdef *over; /* looked at first */
	size_t nover;
	unsigned asked;
};

static bool same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	la -= la > 1 && a[la - 1] == '.';
	lb -= lb > 1 && b[lb - 1] == '.';
	return la == lb && strncasecmp(a, b, la) == 0;
}

static const struct rrdef *find(const struct rrdef *v, size_t n, const char *name, int type,
                                bool *exists)
{
	for (size_t i = 0; i < n; i++) {
		if (!same_name(v[i].name, name))
			continue;
		*exists |= v[i].rcode == 0;
		if (v[i].type == type)
			return &v[i];
	}
	return NULL;
}

/* The DNS of the table: an override replaces the clean domain's (name,
 * type); a name that is nowhere does not exist, a name that is there has
 * no other types. */
static int world_resolve(void *ctx, const char *name, int type, struct mail_rr *out)
{
	struct world *w = ctx;
	bool exists = false;
	w->asked++;
	const struct rrdef *d = find(w->over, w->nover, name, type, &exists);
	if (d == NULL)
		d = find(clean, sizeof clean / sizeof clean[0], name, type, &exists);
	out->ad = d ? d->ad : false;
	out->rcode = d ? d->rcode : exists ? 0 : NX;
	out->records = d ? (char *const *)d->recs : NULL;
	for (out->n = 0; d && out->n < 4 && d->recs[out->n]; out->n++)
		;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct ids of r's findings, comma-separated. */
static void ids(const struct mail_report *r, char *buf, size_t len)
{
	const char *v[64] = { NULL };
	size_t n = 0, o = 0;
	for (size_t i = 0; i < r->n && n < 64; i++)
		v[n++] = mail_checks[r->v[i].check].id;
	qsort(v, n, sizeof *v, cmp_str);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "", v[i]);
}

static void run(const struct rrdef *over, size_t n, enum mail_dnssec dnssec, struct mail_report *r)
{
	static const char *const sel[] = { "sel1" };
	struct world w = { over, n, 0 };
	struct mail_input in = { "example.test.", "example.test.", sel,           1,
		                 dnssec,          "(test)",        world_resolve, &w };
	assert_int_equal(mail_lint(&in, r), 0);
}

#define LINT(want, ...)                                                                           \
	do {                                                                                      \
		static const struct rrdef over_[] = { __VA_ARGS__ };                              \
		expect_ids(over_, sizeof over_ / sizeof over_[0], DNSSEC_SECURE, want, __LINE__); \
	} while (0)

static void expect_ids(const struct rrdef *over, size_t n, enum mail_dnssec dnssec,
                       const char *want, int line)
{
	struct mail_report r;
	char got[1024];
	run(over, n, dnssec, &r);
	ids(&r, got, sizeof got);
	if (strcmp(got, want) != 0) {
		for (size_t i = 0; i < r.n; i++)
			print_message("  %s %s: %s\n", mail_checks[r.v[i].check].id, r.v[i].record,
			              r.v[i].message);
		fail_msg("line %d: got '%s', want '%s'", line, got, want);
	}
	for (size_t i = 0; i < r.n; i++) {
		assert_true(strlen(r.v[i].message) > 0);
		assert_true(strlen(r.v[i].fix) > 0);
		assert_non_null(strchr(r.v[i].record, ' ')); /* "NAME TYPE" */
	}
	mail_report_free(&r);
}

static const struct rrdef nothing = { "unused.invalid.", A, NX, { NULL }, false };

static void test_clean(void **state)
{
	struct mail_report r;
	(void)state;
	expect_ids(&nothing, 1, DNSSEC_SECURE, "", __LINE__);
	run(&nothing, 1, DNSSEC_SECURE, &r);
	assert_int_equal(r.ntargets, 2);
	assert_string_equal(r.targets[0].name, "mx1.example.test.");
	assert_true(r.targets[0].addresses && r.targets[1].addresses);
	mail_report_free(&r);
	/* DNSSEC unknown (nothing answered the probe) is no finding either. */
	expect_ids(&nothing, 1, DNSSEC_UNKNOWN, "", __LINE__);
}

static void test_mx(void **state)
{
	(void)state;
	LINT("mx-missing", { "example.test.", MX, 0, { NULL }, false });
	LINT("mx-null", { "example.test.", MX, 0, { "0 ." }, false });
	LINT("mx-null-conflict", { "example.test.",
	                           MX,
	                           0,
	                           { "0 .", "10 mx1.example.test.", "20 mx2.example.test." },
	                           false });
	LINT("mx-target-ip,mx-target-unresolvable",
	     { "example.test.", MX, 0, { "10 192.0.2.1.", "20 mx2.example.test." }, false });
	LINT("mx-target-cname",
	     { "mx1.example.test.",
	       A,
	       0,
	       { "host1.example.test. A 192.0.2.11",
	         "mx1.example.test. CNAME host1.example.test." },
	       false },
	     { "mx1.example.test.",
	       AAAA,
	       0,
	       { "host1.example.test. AAAA 2001:db8::11",
	         "mx1.example.test. CNAME host1.example.test." },
	       false });
	LINT("mx-target-unresolvable", { "mx1.example.test.", A, NX, { NULL }, false },
	     { "mx1.example.test.", AAAA, NX, { NULL }, false });
	LINT("mx-target-doubled",
	     { "example.test.",
	       MX,
	       0,
	       { "10 mx1.example.test.example.test.", "20 mx2.example.test." },
	       false },
	     { "mx1.example.test.example.test.", A, 0, { "192.0.2.11" }, false },
	     { "mx1.example.test.example.test.", AAAA, 0, { "2001:db8::11" }, false });
	LINT("mx-duplicate",
	     { "example.test.", MX, 0, { "10 mx1.example.test.", "20 mx1.example.test." }, false });
	LINT("mx-single", { "example.test.", MX, 0, { "10 mx1.example.test." }, false });
	LINT("mx-same-preference",
	     { "example.test.", MX, 0, { "10 mx1.example.test.", "10 mx2.example.test." }, false });
	LINT("mx-no-ipv6", { "mx1.example.test.", AAAA, 0, { NULL }, false },
	     { "mx2.example.test.", AAAA, 0, { NULL }, false });
	/* One target without AAAA beside one with: no finding. */
	LINT("", { "mx1.example.test.", AAAA, 0, { NULL }, false });
	/* A target in another zone, a CNAME whose end the first answer does
	 * not hold (as an authoritative server answers): followed. */
	LINT("mx-target-cname",
	     { "example.test.", MX, 0, { "10 mx.other.test.", "20 mx2.example.test." }, false },
	     { "mx.other.test.", A, 0, { "mx.other.test. CNAME host.elsewhere.test." }, false },
	     { "mx.other.test.", AAAA, 0, { "mx.other.test. CNAME host.elsewhere.test." }, false },
	     { "host.elsewhere.test.", A, 0, { "192.0.2.99" }, false });
	/* A lookup that failed says nothing: no unresolvable target from it. */
	LINT("", { "mx1.example.test.", A, -1, { NULL }, false },
	     { "mx1.example.test.", AAAA, -1, { NULL }, false });
}

static void test_mx_details(void **state)
{
	static const struct rrdef doubled[] = {
		{ "example.test.", MX, 0, { "10 mx1.example.test.example.test." }, false },
	};
	struct mail_report r;
	(void)state;
	run(doubled, 1, DNSSEC_SECURE, &r);
	bool seen = false;
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].check == CK_MX_TARGET_DOUBLED) {
			assert_string_equal(r.v[i].fix,
			                    "add the trailing dot: `mx1.example.test.`");
			assert_string_equal(r.v[i].record, "example.test. MX");
			seen = true;
		}
	assert_true(seen);
	mail_report_free(&r);
}

/* The fix of finding id when the domain has the override over. */
static void expect_fix(const struct rrdef *over, enum mail_check_id id, const char *want)
{
	struct mail_report r;
	bool seen = false;
	run(over, 1, DNSSEC_SECURE, &r);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].check == id) {
			assert_string_equal(r.v[i].fix, want);
			seen = true;
		}
	assert_true(seen);
	mail_report_free(&r);
}

static void test_fixes(void **state)
{
	static const struct rrdef ipv4 = {
		"example.test.", TXT, 0, { "\"v=spf1 mx ipv4:192.0.2.1 -all\"" }, false
	};
	static const struct rrdef vlate = { "_dmarc.example.test.",
		                            TXT,
		                            0,
		                            { "\"p=reject; v=DMARC1; rua=mailto:d@example.test\"" },
		                            false };
	static const struct rrdef rua = { "_dmarc.example.test.",
		                          TXT,
		                          0,
		                          { "\"v=DMARC1; p=reject; rua=dmarc@example.test\"" },
		                          false };
	(void)state;
	expect_fix(&ipv4, CK_SPF_SYNTAX, "write `ip4:` for an IPv4 network: `ip4:192.0.2.1`");
	expect_fix(&vlate, CK_DMARC_SYNTAX,
	           "put v=DMARC1 first: `v=DMARC1; p=reject; rua=mailto:d@example.test`");
	expect_fix(&rua, CK_DMARC_RUA_INVALID, "write it as a URI: `mailto:dmarc@example.test`");
}

static void test_spf(void **state)
{
	(void)state;
	LINT("spf-missing", { "example.test.", TXT, 0, { "\"some other text\"" }, false });
	LINT("spf-missing", { "example.test.", TXT, 0, { NULL }, false });
	LINT("spf-multiple", { "example.test.",
	                       TXT,
	                       0,
	                       { "\"v=spf1 mx -all\"", "\"v=spf1 ip4:192.0.2.0/24 -all\"" },
	                       false });
	LINT("spf-syntax",
	     { "example.test.", TXT, 0, { "\"v=spf1 mx ipv4:192.0.2.1 -all\"" }, false });
	LINT("spf-all-permissive", { "example.test.", TXT, 0, { "\"v=spf1 mx +all\"" }, false });
	LINT("spf-all-permissive", { "example.test.", TXT, 0, { "\"v=spf1 mx all\"" }, false });
	LINT("spf-all-permissive", { "example.test.", TXT, 0, { "\"v=spf1 mx ?all\"" }, false });
	LINT("", { "example.test.", TXT, 0, { "\"v=spf1 mx ~all\"" }, false });
	LINT("spf-no-all", { "example.test.", TXT, 0, { "\"v=spf1 mx\"" }, false });
	LINT("", { "example.test.", TXT, 0, { "\"v=spf1 redirect=_spf.example.test\"" }, false },
	     { "_spf.example.test.", TXT, 0, { "\"v=spf1 mx -all\"" }, false });
	LINT("spf-ptr", { "example.test.", TXT, 0, { "\"v=spf1 mx ptr -all\"" }, false });
	LINT("spf-include-missing",
	     { "example.test.", TXT, 0, { "\"v=spf1 mx include:_spf.example.test -all\"" }, false },
	     { "_spf.example.test.", TXT, 0, { "\"no SPF record here\"" }, false });
	LINT("spf-loop",
	     { "example.test.", TXT, 0, { "\"v=spf1 mx include:_spf.example.test -all\"" }, false },
	     { "_spf.example.test.", TXT, 0, { "\"v=spf1 include:example.test -all\"" }, false });
	LINT("spf-void-lookups",
	     { "example.test.",
	       TXT,
	       0,
	       { "\"v=spf1 mx a:nx1.example.test a:nx2.example.test a:nodata.example.test -all\"" },
	       false },
	     { "nodata.example.test.", TXT, 0, { "\"no address\"" }, false });
	LINT("spf-lookups",
	     { "example.test.",
	       TXT,
	       0,
	       { "\"v=spf1 mx a:mx1.example.test include:_s1.example.test -all\"" },
	       false },
	     { "_s1.example.test.",
	       TXT,
	       0,
	       { "\"v=spf1 a:mx1.example.test a:mx2.example.test include:_s2.example.test -all\"" },
	       false },
	     { "_s2.example.test.",
	       TXT,
	       0,
	       { "\"v=spf1 a:mx1.example.test a:mx2.example.test include:_s3.example.test -all\"" },
	       false },
	     { "_s3.example.test.",
	       TXT,
	       0,
	       { "\"v=spf1 a:mx1.example.test a:mx2.example.test redirect=_s4.example.test\"" },
	       false },
	     { "_s4.example.test.", TXT, 0, { "\"v=spf1 a:mx2.example.test -all\"" }, false });
	/* A broken record further down is reported under its own name. */
	LINT("spf-syntax",
	     { "example.test.", TXT, 0, { "\"v=spf1 include:_spf.example.test -all\"" }, false },
	     { "_spf.example.test.", TXT, 0, { "\"v=spf1 ip4:999.1.1.1 -all\"" }, false });
}

/* +all is an error, ?all a warning. */
static void test_spf_severity(void **state)
{
	static const struct rrdef neutral[] = {
		{ "example.test.", TXT, 0, { "\"v=spf1 mx ?all\"" }, false },
	};
	static const struct rrdef plus[] = {
		{ "example.test.", TXT, 0, { "\"v=spf1 mx +all\"" }, false },
	};
	struct mail_report r;
	(void)state;
	run(neutral, 1, DNSSEC_SECURE, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].sev, SEV_WARNING);
	assert_int_equal(mail_count(&r, SEV_ERROR), 0);
	mail_report_free(&r);
	run(plus, 1, DNSSEC_SECURE, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].sev, SEV_ERROR);
	assert_int_equal(mail_count(&r, SEV_ERROR), 1);
	mail_report_free(&r);
}

static void test_dmarc(void **state)
{
	(void)state;
	LINT("dmarc-missing", { "_dmarc.example.test.", TXT, NX, { NULL }, false });
	LINT("dmarc-multiple", { "_dmarc.example.test.",
	                         TXT,
	                         0,
	                         { "\"v=DMARC1; p=reject\"", "\"v=DMARC1; p=none\"" },
	                         false });
	LINT("dmarc-syntax", { "_dmarc.example.test.",
	                       TXT,
	                       0,
	                       { "\"p=reject; v=DMARC1; rua=mailto:d@example.test\"" },
	                       false });
	LINT("dmarc-syntax", { "_dmarc.example.test.",
	                       TXT,
	                       0,
	                       { "\"v=DMARC1; rua=mailto:d@example.test\"" },
	                       false });
	LINT("dmarc-policy-none", { "_dmarc.example.test.",
	                            TXT,
	                            0,
	                            { "\"v=DMARC1; p=none; rua=mailto:d@example.test\"" },
	                            false });
	LINT("dmarc-rua-invalid", { "_dmarc.example.test.",
	                            TXT,
	                            0,
	                            { "\"v=DMARC1; p=reject; rua=dmarc@example.test\"" },
	                            false });
	LINT("dmarc-rua-unauthorized",
	     { "_dmarc.example.test.",
	       TXT,
	       0,
	       { "\"v=DMARC1; p=reject; rua=mailto:d@reports.test\"" },
	       false },
	     { "reports.test.", MX, 0, { "10 mx.reports.test." }, false });
	LINT("",
	     { "_dmarc.example.test.",
	       TXT,
	       0,
	       { "\"v=DMARC1; p=reject; rua=mailto:d@reports.test\"" },
	       false },
	     { "example.test._report._dmarc.reports.test.", TXT, 0, { "\"v=DMARC1\"" }, false });
	/* A subdomain of the domain needs no consent; a lookup that failed
	 * gives no verdict. */
	LINT("", { "_dmarc.example.test.",
	           TXT,
	           0,
	           { "\"v=DMARC1; p=reject; rua=mailto:d@reports.example.test\"" },
	           false });
	LINT("",
	     { "_dmarc.example.test.",
	       TXT,
	       0,
	       { "\"v=DMARC1; p=reject; rua=mailto:d@reports.test\"" },
	       false },
	     { "example.test._report._dmarc.reports.test.", TXT, -1, { NULL }, false });
	/* Text at _dmarc that is not DMARC: as if there were none. */
	LINT("dmarc-missing", { "_dmarc.example.test.", TXT, 0, { "\"hello\"" }, false });
}

static void test_dkim(void **state)
{
	(void)state;
	LINT("dkim-missing", { "sel1._domainkey.example.test.", TXT, NX, { NULL }, false });
	LINT("dkim-syntax", { "sel1._domainkey.example.test.",
	                      TXT,
	                      0,
	                      { "\"v=DKIM1; k=rsa; p=this*is*not*base64!\"" },
	                      false });
	LINT("dkim-syntax", { "sel1._domainkey.example.test.",
	                      TXT,
	                      0,
	                      { "\"v=DKIM1; p=\"", "\"v=DKIM1; p=\"" },
	                      false });
	LINT("dkim-revoked",
	     { "sel1._domainkey.example.test.", TXT, 0, { "\"v=DKIM1; k=rsa; p=\"" }, false });
	LINT("dkim-weak-key", { "sel1._domainkey.example.test.",
	                        TXT,
	                        0,
	                        { "\"v=DKIM1; k=rsa; p=" KEY768 "\"" },
	                        false });
}

static void test_tls(void **state)
{
	(void)state;
	LINT("mta-sts-syntax",
	     { "_mta-sts.example.test.", TXT, 0, { "\"v=STSv1; id=2026-12-01\"" }, false });
	LINT("mta-sts-syntax", { "_mta-sts.example.test.",
	                         TXT,
	                         0,
	                         { "\"v=STSv1; id=2026120101\"", "\"v=STSv1; id=2026120102\"" },
	                         false });
	LINT("", { "_mta-sts.example.test.", TXT, NX, { NULL }, false });
	LINT("tlsrpt-syntax", { "_smtp._tls.example.test.",
	                        TXT,
	                        0,
	                        { "\"v=TLSRPTv1; rua=tlsrpt@example.test\"" },
	                        false });
	LINT("dane-tlsa", { "_25._tcp.mx1.example.test.", TLSA, 0, { "3 1 1 abcdef" }, false });
	/* TLSA in another zone: its own AD bit decides. */
	LINT("dane-without-dnssec",
	     { "example.test.", MX, 0, { "10 mx.other.test.", "20 mx2.example.test." }, false },
	     { "mx.other.test.", A, 0, { "192.0.2.50" }, false },
	     { "_25._tcp.mx.other.test.", TLSA, 0, { "3 1 1 abcdef" }, false });
	LINT("dane-tlsa",
	     { "example.test.", MX, 0, { "10 mx.other.test.", "20 mx2.example.test." }, false },
	     { "mx.other.test.", A, 0, { "192.0.2.50" }, false },
	     { "_25._tcp.mx.other.test.", TLSA, 0, { "3 1 1 abcdef" }, true });
}

static void test_dnssec(void **state)
{
	static const struct rrdef tlsa[] = {
		{ "_25._tcp.mx1.example.test.", TLSA, 0, { "3 1 1 abcdef" }, false },
		{ "_25._tcp.mx2.example.test.", TLSA, 0, { "3 1 1 abcdef" }, false },
	};
	(void)state;
	expect_ids(&nothing, 1, DNSSEC_INSECURE, "dnssec-unsigned", __LINE__);
	expect_ids(&nothing, 1, DNSSEC_BOGUS, "dnssec-bogus", __LINE__);
	expect_ids(tlsa, 2, DNSSEC_INSECURE, "dane-without-dnssec,dnssec-unsigned", __LINE__);
	expect_ids(tlsa, 2, DNSSEC_BOGUS, "dane-without-dnssec,dnssec-bogus", __LINE__);
}

/* The table: every id once, the severities the issue gives. */
static void test_table(void **state)
{
	static const char *const errors[] = { "mx-null-conflict",  "mx-target-ip",
		                              "mx-target-cname",   "mx-target-unresolvable",
		                              "mx-target-doubled", "spf-multiple",
		                              "spf-syntax",        "spf-lookups",
		                              "spf-void-lookups",  "spf-include-missing",
		                              "spf-loop",          "spf-all-permissive",
		                              "dmarc-multiple",    "dmarc-syntax",
		                              "dkim-missing",      "dkim-syntax",
		                              "dkim-weak-key",     "mta-sts-syntax",
		                              "tlsrpt-syntax",     "dnssec-bogus" };
	static const char *const warnings[] = { "mx-missing",
		                                "mx-duplicate",
		                                "spf-missing",
		                                "spf-no-all",
		                                "spf-ptr",
		                                "dmarc-missing",
		                                "dmarc-policy-none",
		                                "dmarc-rua-invalid",
		                                "dmarc-rua-unauthorized",
		                                "dane-without-dnssec",
		                                "propagation-incomplete" };
	static const char *const infos[] = { "mx-null",        "mx-single",    "mx-same-preference",
		                             "mx-no-ipv6",     "dkim-revoked", "dane-tlsa",
		                             "dnssec-unsigned" };
	size_t seen = 0;
	(void)state;
	for (int i = 0; i < CK_COUNT; i++) {
		assert_non_null(mail_checks[i].id);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(mail_checks[i].id, mail_checks[j].id);
		const char *const *lists[3] = { errors, warnings, infos };
		const size_t lens[3] = { sizeof errors / sizeof *errors,
			                 sizeof warnings / sizeof *warnings,
			                 sizeof infos / sizeof *infos };
		for (int s = 0; s < 3; s++)
			for (size_t k = 0; k < lens[s]; k++)
				if (strcmp(lists[s][k], mail_checks[i].id) == 0) {
					assert_int_equal(mail_checks[i].sev, (enum mail_sev)s);
					seen++;
				}
	}
	assert_int_equal(seen, CK_COUNT);
	assert_int_equal(CK_COUNT, 38);
	assert_string_equal(mail_sev_name(SEV_INFO), "info");
	assert_string_equal(mail_area_name(AREA_DMARC), "DMARC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),      cmocka_unit_test(test_mx),
		cmocka_unit_test(test_mx_details), cmocka_unit_test(test_fixes),
		cmocka_unit_test(test_spf),        cmocka_unit_test(test_spf_severity),
		cmocka_unit_test(test_dmarc),      cmocka_unit_test(test_dkim),
		cmocka_unit_test(test_tls),        cmocka_unit_test(test_dnssec),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
