/*
 * test_dmarc.c -- the DMARC parser (v=DMARC1 first, p required, known
 * tags' values, rua forms) and what it stands on in mailtxt.c: TXT
 * strings joined, tag lists split, mailto: and https: URIs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "error.h"
#include "mailtxt.h"

static void joins(const char *presentation, const char *want)
{
	char *t = mailtxt_join(presentation);
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_txt_join(void **state)
{
	(void)state;
	joins("\"v=spf1 mx -all\"", "v=spf1 mx -all");
	joins("\"v=DKIM1; k=rsa; \" \"p=MIIB\"", "v=DKIM1; k=rsa; p=MIIB");
	joins("\"a\\\"b\\\\c\"", "a\"b\\c");
	joins("\"\\065\\066\"", "AB");
	joins("\"x\\000y\"", "x\x7fy"); /* a NUL cannot shorten the string */
	joins("\"\"", "");
	joins("plain", "plain");
}

static void test_tags(void **state)
{
	struct mailtags t;
	char err[128];
	(void)state;
	char s1[] = " v = DMARC1 ;p=reject;  rua=mailto:a@example.com , mailto:b@example.org ; ";
	assert_int_equal(mailtags_split(s1, &t, err, sizeof err), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].name, "v");
	assert_string_equal(t.v[0].value, "DMARC1");
	assert_string_equal(t.v[2].value, "mailto:a@example.com , mailto:b@example.org");
	assert_non_null(mailtags_find(&t, "RUA", true));
	assert_null(mailtags_find(&t, "RUA", false));
	char s2[] = "v=DKIM1; p=";
	assert_int_equal(mailtags_split(s2, &t, err, sizeof err), 0);
	assert_string_equal(t.v[1].value, "");
	char s3[] = "v=DMARC1;; p=none";
	assert_int_equal(mailtags_split(s3, &t, err, sizeof err), PW_EINVAL);
	char s4[] = "v=DMARC1; p=none; p=reject";
	assert_int_equal(mailtags_split(s4, &t, err, sizeof err), PW_EINVAL);
	assert_non_null(strstr(err, "twice"));
	char s5[] = "v=DMARC1; novalue";
	assert_int_equal(mailtags_split(s5, &t, err, sizeof err), PW_EINVAL);
	char s6[] = "1v=x";
	assert_int_equal(mailtags_split(s6, &t, err, sizeof err), PW_EINVAL);
	char s7[] = "";
	assert_int_equal(mailtags_split(s7, &t, err, sizeof err), 0);
	assert_int_equal(t.n, 0);
}

static void test_is_record(void **state)
{
	(void)state;
	assert_true(dmarc_is_record("v=DMARC1; p=none"));
	assert_true(dmarc_is_record("v=DMARC1"));
	assert_true(dmarc_is_record("p=reject; v=DMARC1; rua=mailto:a@example.com"));
	assert_true(dmarc_is_record("v = DMARC1 ;p=none"));
	assert_false(dmarc_is_record("v=DMARC2; p=none"));
	assert_false(dmarc_is_record("xv=DMARC1; p=none"));
	assert_false(dmarc_is_record("v=DMARC1x"));
	assert_false(dmarc_is_record("hello"));
	assert_true(dmarc_is_version_tag(" v=DMARC1 ", 10));
	assert_false(dmarc_is_version_tag("v=DMARC1x", 9));
	assert_false(dmarc_is_version_tag("v=DMARC", 7));
}

static void test_parse(void **state)
{
	struct dmarc_record d;
	char err[256];
	(void)state;
	assert_int_equal(
	        dmarc_parse("v=DMARC1; p=reject; rua=mailto:dmarc@clean.test", &d, err, sizeof err),
	        0);
	assert_string_equal(d.p, "reject");
	assert_string_equal(d.sp, "");
	assert_int_equal(d.pct, 100);
	assert_int_equal(d.adkim, 'r');
	assert_int_equal(d.nrua, 1);
	assert_string_equal(d.rua[0], "mailto:dmarc@clean.test");
	dmarc_free(&d);
	assert_int_equal(dmarc_parse("v=DMARC1;p=Quarantine;sp=none;pct=50;adkim=s;aspf=r;"
	                             "fo=1;ruf=mailto:f@example.com;unknown=tag;",
	                             &d, err, sizeof err),
	                 0);
	assert_string_equal(d.p, "quarantine");
	assert_string_equal(d.sp, "none");
	assert_int_equal(d.pct, 50);
	assert_int_equal(d.adkim, 's');
	assert_int_equal(d.nruf, 1);
	dmarc_free(&d);
}

static void parse_fails(const char *text, const char *why)
{
	struct dmarc_record d;
	char err[256] = "";
	assert_int_equal(dmarc_parse(text, &d, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' should say '%s'", text, err, why);
	dmarc_free(&d);
}

static void test_syntax(void **state)
{
	(void)state;
	parse_fails("p=reject; v=DMARC1; rua=mailto:a@example.com", "must be the first tag");
	parse_fails("v=DMARC1; rua=mailto:a@example.com", "p= tag is required");
	parse_fails("v=DMARC1", "p= tag is required");
	parse_fails("v=dmarc1; p=none", "first tag must be v=DMARC1");
	parse_fails("v=DMARC1; p=maybe", "none, quarantine or reject");
	parse_fails("v=DMARC1; p=none; sp=all", "none, quarantine or reject");
	parse_fails("v=DMARC1; p=none; pct=101", "0 to 100");
	parse_fails("v=DMARC1; p=none; pct=-1", "0 to 100");
	parse_fails("v=DMARC1; p=none; adkim=x", "relaxed");
	parse_fails("v=DMARC1; p=none; p=reject", "twice");
	parse_fails("v=DMARC1; p=none; rua=mailto:a@example.com,,mailto:b@example.com",
	            "empty entry");
	parse_fails("", "first tag");
}

static void uri_ok(const char *uri, const char *domain)
{
	char dom[256], err[256] = "";
	if (dmarc_uri_parse(uri, dom, sizeof dom, err, sizeof err) != 0)
		fail_msg("'%s' should be valid: %s", uri, err);
	assert_string_equal(dom, domain);
}

static void uri_bad(const char *uri, const char *why)
{
	char dom[256], err[256] = "";
	assert_int_equal(dmarc_uri_parse(uri, dom, sizeof dom, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' should say '%s'", uri, err, why);
}

static void test_rua_forms(void **state)
{
	struct dmarc_record d;
	char err[256];
	(void)state;
	uri_ok("mailto:dmarc@example.com", "example.com");
	uri_ok("MAILTO:dmarc@Example.COM.", "example.com");
	uri_ok("mailto:dmarc@example.com!10m", "example.com");
	uri_ok("mailto:dmarc@example.com!100", "example.com");
	uri_ok("mailto:dmarc+tag.x@reports.example.org", "reports.example.org");
	uri_ok("mailto:d%2Cx@example.com", "example.com");
	uri_bad("dmarc@example.com", "not a mailto: URI");
	uri_bad("https://example.com/reports", "not a mailto: URI");
	uri_bad("mailto:@example.com", "local part");
	uri_bad("mailto:dmarc", "no address");
	uri_bad("mailto:dmarc@", "no domain");
	uri_bad("mailto:dmarc@example", "not a domain name");
	uri_bad("mailto:dmarc@exa mple.com", "not a domain name");
	uri_bad("mailto:a b@example.com", "local part");
	uri_bad("mailto:dmarc@example.com!10x", "size limit");
	uri_bad("mailto:dmarc@example.com!", "size limit");
	/* A list: commas, white space around them. */
	assert_int_equal(dmarc_parse("v=DMARC1; p=none; rua=mailto:a@x.example , "
	                             "mailto:b@y.example!5m,mailto:c@z.example",
	                             &d, err, sizeof err),
	                 0);
	assert_int_equal(d.nrua, 3);
	assert_string_equal(d.rua[1], "mailto:b@y.example!5m");
	assert_string_equal(d.rua[2], "mailto:c@z.example");
	dmarc_free(&d);
}

static void test_https(void **state)
{
	char err[256];
	(void)state;
	assert_int_equal(mailtxt_https("https://reports.example.com/v1/tlsrpt", err, sizeof err),
	                 0);
	assert_int_equal(mailtxt_https("https://reports.example.com:8443", err, sizeof err), 0);
	assert_int_equal(mailtxt_https("http://reports.example.com/", err, sizeof err), PW_EINVAL);
	assert_int_equal(mailtxt_https("https:///path", err, sizeof err), PW_EINVAL);
	assert_int_equal(mailtxt_https("https://a b.example/", err, sizeof err), PW_EINVAL);
	assert_true(mailtxt_hostname("_25._tcp.mx1.example.com."));
	assert_false(mailtxt_hostname("-bad.example.com"));
	assert_false(mailtxt_hostname("a..b"));
	assert_false(mailtxt_hostname(""));
	assert_true(mailtxt_has_prefix("v=STSv1; id=1", "v=STSv1"));
	assert_false(mailtxt_has_prefix("v=STSv10; id=1", "v=STSv1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_join),  cmocka_unit_test(test_tags),
		cmocka_unit_test(test_is_record), cmocka_unit_test(test_parse),
		cmocka_unit_test(test_syntax),    cmocka_unit_test(test_rua_forms),
		cmocka_unit_test(test_https),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
