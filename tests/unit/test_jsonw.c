/*
 * test_jsonw.c -- unit tests for the streaming JSON writer (jsonw.c):
 * what it writes parses back with jansson to the same values, commas and
 * breaks land where they belong, numbers look as jansson writes them,
 * strings are escaped, and a failed write or an unbalanced document is an
 * error rather than a truncated report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsonw.h"

/* Run `body` on a writer into memory; returns the text (caller frees). */
static char *written(void (*body)(struct jw *), int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	struct jw *w = jw_open(f);
	assert_non_null(w);
	body(w);
	*rc = jw_close(w);
	fclose(f);
	return text;
}

static void doc(struct jw *w)
{
	jw_obj(w);
	jw_break(w, 2);
	jw_kstr(w, "s", "quote \" backslash \\ tab \t nl \n ctl \x01 é");
	jw_kint(w, "i", -42);
	jw_key(w, "ints");
	jw_arr(w);
	jw_int(w, 0);
	jw_int(w, 7);
	jw_int(w, 1234567890123LL);
	jw_int(w, LLONG_MAX);
	jw_int(w, LLONG_MIN);
	jw_end(w);
	jw_kbool(w, "b", true);
	jw_knull(w, "n");
	jw_key(w, "r");
	jw_real(w, 12.3004, 3);
	jw_key(w, "rows");
	jw_arr(w);
	for (int i = 0; i < 3; i++) {
		jw_break(w, 4);
		jw_obj(w);
		jw_kint(w, "k", i);
		jw_key(w, "empty");
		jw_arr(w);
		jw_end(w);
		jw_end(w);
	}
	jw_break(w, 2);
	jw_end(w);
	jw_key(w, "tree");
	jw_json(w, json_pack("{s:[i,i]}", "x", 1, 2));
	jw_key(w, "none");
	jw_str_or_null(w, "");
	jw_break(w, 0);
	jw_end(w);
}

static void test_round_trip(void **state)
{
	(void)state;
	int rc;
	char *text = written(doc, &rc);
	assert_int_equal(rc, PW_OK);
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	if (v == NULL)
		fail_msg("not JSON (%s): %s", e.text, text);
	assert_string_equal(json_string_value(json_object_get(v, "s")),
	                    "quote \" backslash \\ tab \t nl \n ctl \x01 é");
	assert_int_equal(json_integer_value(json_object_get(v, "i")), -42);
	/* Digits written by hand, not by printf: the ends of the range too. */
	assert_non_null(strstr(text, "\"ints\":[0,7,1234567890123,9223372036854775807,"
	                             "-9223372036854775808]"));
	assert_true(json_is_true(json_object_get(v, "b")));
	assert_true(json_is_null(json_object_get(v, "n")));
	assert_true(json_is_null(json_object_get(v, "none")));
	assert_int_equal(json_array_size(json_object_get(v, "rows")), 3);
	assert_int_equal(json_integer_value(json_array_get(
	                         json_object_get(json_object_get(v, "tree"), "x"), 1)),
	                 2);
	/* One row a line, each indented by four, the closer by two. */
	assert_non_null(strstr(text, "[\n    {\"k\":0,\"empty\":[]},\n    {\"k\":1,"));
	assert_non_null(strstr(text, "\"empty\":[]}\n  ]"));
	assert_non_null(strstr(text, "\"r\":12.3,"));
	assert_int_equal(text[strlen(text) - 1], '}');
	json_decref(v);
	free(text);
}

static const struct {
	double v;
	int digits;
	const char *want;
} reals[] = {
	{ 5, 3, "5.0" },        { 0.5, 1, "0.5" },     { 12.3456, 2, "12.35" },
	{ 100, 0, "100.0" },    { -0.0001, 3, "0.0" }, { 1796172795.4214, 3, "1796172795.421" },
	{ 0.0005, 3, "0.001" },
};

static size_t real_at;

static void one_real(struct jw *w)
{
	jw_arr(w);
	jw_real(w, reals[real_at].v, reals[real_at].digits);
	jw_real_or_null(w, -1, 1);
	jw_real(w, 1.0 / 0.0, 1);
	jw_end(w);
}

static void test_reals(void **state)
{
	(void)state;
	for (real_at = 0; real_at < sizeof reals / sizeof reals[0]; real_at++) {
		int rc;
		char *text = written(one_real, &rc);
		char want[64];
		snprintf(want, sizeof want, "[%s,null,null]", reals[real_at].want);
		assert_int_equal(rc, PW_OK);
		assert_string_equal(text, want);
		free(text);
	}
}

/* The old way, printf's: the rounded value with %.*f, trailing zeros
 * trimmed to one, and no "-0.0". */
static void printf_real(char *b, size_t len, double v, int digits)
{
	double scale = pow(10, digits);
	int n = snprintf(b, len, "%.*f", digits, round(v * scale) / scale);
	if (digits > 0) {
		while (b[n - 1] == '0' && b[n - 2] != '.')
			b[--n] = '\0';
	} else {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	if (strcmp(b, "-0.0") == 0)
		memmove(b, b + 1, (size_t)n);
}

static double many_v;
static int many_digits;

static void one_many(struct jw *w)
{
	jw_arr(w);
	jw_real(w, many_v, many_digits);
	jw_end(w);
}

/* Written without printf for |v| < 1e9: the same text as printf's, for
 * latencies, times of day, halves and values either side of a rounding. */
static void test_reals_like_printf(void **state)
{
	(void)state;
	unsigned seed = 12345;
	for (int k = 0; k < 20000; k++) {
		seed = seed * 1103515245u + 12345u;
		double base = k % 4 == 0   ? (double)(seed % 100000) / 1000.0
		              : k % 4 == 1 ? 1.7e9 / 1.9 + (double)(seed % 1000000) / 1e6
		              : k % 4 == 2 ? (double)(seed % 2000) / 8.0 - 125.0
		                           : ((double)(seed % 10000) + 0.5) / 1000.0;
		many_v = base;
		many_digits = (int)(seed >> 8) % 7;
		char want[80], *text;
		int rc;
		printf_real(want + 1, sizeof want - 2, many_v, many_digits);
		want[0] = '[';
		strcat(want, "]");
		text = written(one_many, &rc);
		assert_int_equal(rc, PW_OK);
		if (strcmp(text, want) != 0)
			fail_msg("%.17g at %d digits: %s, printf says %s", many_v, many_digits,
			         text, want);
		free(text);
	}
}

static void bad_utf8(struct jw *w)
{
	jw_arr(w);
	jw_str(w, "caf\xe9");
	jw_end(w);
}

static void test_bad_utf8_still_json(void **state)
{
	(void)state;
	int rc;
	char *text = written(bad_utf8, &rc);
	assert_int_equal(rc, PW_OK);
	assert_string_equal(text, "[\"caf?\"]");
	free(text);
}

static void unbalanced(struct jw *w)
{
	jw_obj(w);
	jw_key(w, "a");
}

static void test_unbalanced_is_error(void **state)
{
	(void)state;
	int rc;
	free(written(unbalanced, &rc));
	assert_int_equal(rc, PW_EIO);
}

static void big(struct jw *w)
{
	jw_arr(w);
	for (int i = 0; i < 100000; i++)
		jw_str(w, "a string that fills the buffer several times over");
	jw_end(w);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (f == NULL)
		skip();
	struct jw *w = jw_open(f);
	big(w);
	assert_int_equal(jw_close(w), PW_EIO);
	fclose(f);
	/* And the same into memory is whole. */
	int rc;
	char *text = written(big, &rc);
	assert_int_equal(rc, PW_OK);
	json_t *v = json_loads(text, 0, NULL);
	assert_non_null(v);
	assert_int_equal(json_array_size(v), 100000);
	json_decref(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_reals_like_printf),
		cmocka_unit_test(test_bad_utf8_still_json),
		cmocka_unit_test(test_unbalanced_is_error),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
