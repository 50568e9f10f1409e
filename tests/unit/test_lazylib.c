/*
 * test_lazylib.c -- unit tests for src/lazylib.c: a library loaded at its
 * first use gives its functions, or a message naming what is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lazylib.h"

static void test_loads_and_calls(void **state)
{
	size_t (*len)(const char *) = NULL;
	const struct lazysym syms[] = { { "strlen", (void **)&len } };
	struct lazylib l = LAZYLIB_INIT("libc.so.6", "libc6", syms);
	(void)state;
	assert_int_equal(lazylib_open(&l), PW_OK);
	assert_non_null(len);
	assert_int_equal(len("propwatch"), 9);
	/* A second open is the first one's result, not another load. */
	len = NULL;
	assert_int_equal(lazylib_open(&l), PW_OK);
	assert_null(len);
}

static void test_missing_library(void **state)
{
	void *f = NULL;
	const struct lazysym syms[] = { { "anything", &f } };
	struct lazylib l = LAZYLIB_INIT("libpropwatch-absent.so.9", "libabsent9", syms);
	(void)state;
	assert_int_equal(lazylib_open(&l), PW_ELIB);
	assert_non_null(strstr(l.why, "cannot load libpropwatch-absent.so.9 (install libabsent9)"));
	assert_int_equal(lazylib_open(&l), PW_ELIB);
	assert_string_equal(pw_strerror(PW_ELIB), "a shared library could not be loaded");
}

static void test_missing_symbol(void **state)
{
	void *a = NULL, *b = NULL;
	const struct lazysym syms[] = { { "strlen", &a }, { "pw_no_such_function", &b } };
	struct lazylib l = LAZYLIB_INIT("libc.so.6", "libc6", syms);
	(void)state;
	assert_int_equal(lazylib_open(&l), PW_ELIB);
	assert_string_equal(
	        l.why, "libc.so.6 has no pw_no_such_function: too old (install a newer libc6)");
	assert_null(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_and_calls),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol),
	};
	return cmocka_run_group_tests_name("lazylib", tests, NULL, NULL);
}
