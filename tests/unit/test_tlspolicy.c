/*
 * test_tlspolicy.c -- the MTA-STS (RFC 8461 3.1) and TLS-RPT (RFC 8460
 * 3) record parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "error.h"
#include "tlspolicy.h"

static void sts_ok(const char *text, const char *id)
{
	char got[64] = "", err[256] = "";
	if (sts_parse(text, got, sizeof got, err, sizeof err) != 0)
		fail_msg("'%s' should parse: %s", text, err);
	assert_string_equal(got, id);
}

static void sts_bad(const char *text, const char *why)
{
	char got[64], err[256] = "";
	assert_int_equal(sts_parse(text, got, sizeof got, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' should say '%s'", text, err, why);
}

static void test_sts(void **state)
{
	(void)state;
	assert_true(sts_is_record("v=STSv1; id=1"));
	assert_true(sts_is_record("v=STSv1;id=1"));
	assert_false(sts_is_record("v=STSv10; id=1"));
	assert_false(sts_is_record("v=stsv1; id=1"));
	assert_false(sts_is_record("id=1; v=STSv1"));
	sts_ok("v=STSv1; id=2026120101", "2026120101");
	sts_ok("v=STSv1;id=20160831085700Z;", "20160831085700Z");
	sts_ok("v=STSv1; id=abc; ext-1.x=some:value", "abc");
	sts_ok("v=STSv1 ; id=abc ; ", "abc");
	sts_bad("v=STSv1; id=2026-12-01", "letters and digits");
	sts_bad("v=STSv1; id=", "not field=value");
	sts_bad("v=STSv1; id=123456789012345678901234567890123", "1 to 32");
	sts_bad("v=STSv1", "no id=");
	sts_bad("v=STSv1; mode=enforce", "no id=");
	sts_bad("v=STSv1; id=a; id=b", "twice");
	sts_bad("v=STSv1; id = a", "bad field");
	sts_bad("id=a; v=STSv1", "first field");
	sts_bad("v=STSv2; id=a", "first field");
}

static void rpt_ok(const char *text)
{
	char err[256] = "";
	if (tlsrpt_parse(text, err, sizeof err) != 0)
		fail_msg("'%s' should parse: %s", text, err);
}

static void rpt_bad(const char *text, const char *why)
{
	char err[256] = "";
	assert_int_equal(tlsrpt_parse(text, err, sizeof err), PW_EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' should say '%s'", text, err, why);
}

static void test_tlsrpt(void **state)
{
	(void)state;
	assert_true(tlsrpt_is_record("v=TLSRPTv1; rua=mailto:a@example.com"));
	assert_false(tlsrpt_is_record("v=TLSRPTv10; rua=mailto:a@example.com"));
	rpt_ok("v=TLSRPTv1; rua=mailto:tlsrpt@clean.test");
	rpt_ok("v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt;");
	rpt_ok("v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.net/x; ext=1");
	rpt_bad("v=TLSRPTv1; rua=tlsrpt@tlsrpt-syntax.test", "mailto: or https:");
	rpt_bad("v=TLSRPTv1; rua=http://r.example.com/", "mailto: or https:");
	rpt_bad("v=TLSRPTv1; rua=mailto:nobody", "no address");
	rpt_bad("v=TLSRPTv1; rua=mailto:a@example.com,", "empty entry");
	rpt_bad("v=TLSRPTv1", "no rua=");
	rpt_bad("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "twice");
	rpt_bad("rua=mailto:a@example.com; v=TLSRPTv1", "first field");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sts),
		cmocka_unit_test(test_tlsrpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
