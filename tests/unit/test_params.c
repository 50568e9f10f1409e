/*
 * test_params.c -- unit tests for src/params.c: command-line parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gate.h"
#include "msg.h"
#include "params.h"

static char list_path[64]; /* a resolver list made for the tests */
static char err_path[64];  /* where stderr goes while an error is expected */

/* ---- helpers ---------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	snprintf(list_path, sizeof list_path, "/tmp/pw-test-params-XXXXXX");
	int fd = mkstemp(list_path);
	if (fd < 0)
		return -1;
	static const char text[] = "192.0.2.1 ZZ lab one\n192.0.2.2 ZZ lab two\n";
	if (write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
		return -1;
	close(fd);
	snprintf(err_path, sizeof err_path, "/tmp/pw-test-params-err-XXXXXX");
	fd = mkstemp(err_path);
	if (fd < 0)
		return -1;
	close(fd);
	/* No colour decision may come from the environment of the test run. */
	unsetenv("NO_COLOR");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(list_path);
	unlink(err_path);
	return 0;
}

static int parse_argv(struct pw_params *p, enum pw_mode mode, int argc, char **argv)
{
	return params_parse(argc, argv, mode, p);
}

#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
/* Parse a literal argument list; argv[0] is the subcommand. */
#define PARSE(p, mode, ...) \
	parse_argv((p), (mode), ARGC(__VA_ARGS__), (char *[]){ __VA_ARGS__, NULL })

/* Run a parse with stderr sent to a file; return what was written there. */
static char captured[4096];

static int saved_stderr = -1;

static void capture_begin(void)
{
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	FILE *f = fopen(err_path, "w");
	assert_non_null(f);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	fclose(f);
}

static const char *capture_end(void)
{
	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	saved_stderr = -1;
	FILE *f = fopen(err_path, "r");
	assert_non_null(f);
	size_t n = fread(captured, 1, sizeof captured - 1, f);
	captured[n] = '\0';
	fclose(f);
	return captured;
}

/* Expect EXIT_USAGE and an error on stderr mentioning each needle. */
static void usage_error(enum pw_mode mode, int argc, char **argv, const char *needle1,
                        const char *needle2)
{
	struct pw_params p;
	capture_begin();
	int rc = params_parse(argc, argv, mode, &p);
	const char *err = capture_end();
	params_free(&p);
	if (rc != EXIT_USAGE)
		fail_msg("params_parse(%s ...) = %d, expected %d (stderr: %s)", argv[1], rc,
		         EXIT_USAGE, err);
	if (err[0] == '\0')
		fail_msg("no message on stderr for %s", argv[1]);
	if (needle1 != NULL && strstr(err, needle1) == NULL)
		fail_msg("stderr \"%s\" does not mention \"%s\"", err, needle1);
	if (needle2 != NULL && strstr(err, needle2) == NULL)
		fail_msg("stderr \"%s\" does not mention \"%s\"", err, needle2);
}

#define BAD(mode, n1, n2, ...) \
	usage_error((mode), ARGC(__VA_ARGS__), (char *[]){ __VA_ARGS__, NULL }, (n1), (n2))

/* ---- defaults --------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com"), 0);
	assert_int_equal(p.mode, MODE_CHECK);
	assert_string_equal(p.name, "example.com");
	assert_int_equal(p.type, 15); /* MX */
	assert_string_equal(p.list_path, list_path);
	assert_int_equal(p.filter.ncountries, 0);
	assert_int_equal(p.filter.noperators, 0);
	assert_int_equal(p.filter.family, 0);
	assert_int_equal(p.filter.limit, 0);
	assert_in_range(p.eng.threads, 1, 64);
	assert_float_equal(p.eng.timeout, 2, 1e-9);
	assert_int_equal(p.eng.retries, 1);
	assert_float_equal(p.eng.rate, 0, 1e-9);
	assert_false(p.dnssec);
	assert_int_equal(p.nexpect, 0);
	assert_int_equal(p.nauth, 0);
	assert_true(p.threshold.percent);
	assert_float_equal(p.threshold.value, 100, 1e-9);
	assert_int_equal(p.min_answers, 1);
	assert_float_equal(p.wait, 0, 1e-9);
	assert_float_equal(p.interval, 10, 1e-9);
	assert_float_equal(p.min_interval, 1, 1e-9);
	assert_int_equal(p.format, FMT_TEXT);
	assert_false(p.help);
	assert_false(p.verbose);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_WATCH, "watch", "-r", list_path, "example.org."), 0);
	assert_int_equal(p.mode, MODE_WATCH);
	assert_string_equal(p.name, "example.org.");
	params_free(&p);
}

static void test_type(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com", "TXT"), 0);
	assert_int_equal(p.type, 16);
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com", "aaaa"), 0);
	assert_int_equal(p.type, 28);
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com", "TYPE65"),
	                 0);
	assert_int_equal(p.type, 65);
	params_free(&p);
	BAD(MODE_CHECK, "TYPE", "BOGUS", "check", "-r", list_path, "example.com", "BOGUS");
}

static void test_name_errors(void **state)
{
	(void)state;
	BAD(MODE_CHECK, "NAME", NULL, "check", "-r", list_path);
	BAD(MODE_WATCH, "NAME", NULL, "watch", "-r", list_path, "--dnssec");
	BAD(MODE_CHECK, "a..b", NULL, "check", "-r", list_path, "a..b");
	BAD(MODE_CHECK, "extra", NULL, "check", "-r", list_path, "example.com", "MX", "extra");
}

/* ---- options ---------------------------------------------------------- */

static void test_resolver_options(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "--resolvers", list_path, "--country", "de",
	                       "--country", "US", "--operator", "Google", "-6", "--limit", "5",
	                       "example.com"),
	                 0);
	assert_string_equal(p.list_path, list_path);
	assert_int_equal(p.filter.ncountries, 2);
	assert_string_equal(p.filter.countries[0], "de");
	assert_string_equal(p.filter.countries[1], "US");
	assert_int_equal(p.filter.noperators, 1);
	assert_string_equal(p.filter.operators[0], "Google");
	assert_int_equal(p.filter.family, AF_INET6);
	assert_int_equal(p.filter.limit, 5);
	params_free(&p);
	assert_null(p.filter.countries);
	assert_null(p.filter.operators);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-4", "-r", list_path, "example.com"), 0);
	assert_int_equal(p.filter.family, AF_INET);
	params_free(&p);

	/* Attached forms. */
	char rarg[80], resarg[96];
	snprintf(rarg, sizeof rarg, "-r%s", list_path);
	snprintf(resarg, sizeof resarg, "--resolvers=%s", list_path);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", rarg, "example.com"), 0);
	assert_string_equal(p.list_path, list_path);
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", resarg, "--limit=2", "example.com"), 0);
	assert_string_equal(p.list_path, list_path);
	assert_int_equal(p.filter.limit, 2);
	params_free(&p);
}

static void test_query_options(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "-j", "4", "--timeout",
	                       "500ms", "--retries", "0", "--rate", "250.5", "--dnssec",
	                       "example.com"),
	                 0);
	assert_int_equal(p.eng.threads, 4);
	assert_float_equal(p.eng.timeout, 0.5, 1e-9);
	assert_int_equal(p.eng.retries, 0);
	assert_float_equal(p.eng.rate, 250.5, 1e-9);
	assert_true(p.dnssec);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--jobs=64", "--retries=7",
	                       "--timeout", "10ms", "example.com"),
	                 0);
	assert_int_equal(p.eng.threads, 64);
	assert_int_equal(p.eng.retries, 7);
	assert_float_equal(p.eng.timeout, 0.01, 1e-9);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "-j1", "--timeout", "3",
	                       "example.com"),
	                 0);
	assert_int_equal(p.eng.threads, 1);
	assert_float_equal(p.eng.timeout, 3, 1e-9);
	params_free(&p);
}

static void test_truth_options(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--expect",
	                       "10 mx1.example.com.", "--expect", "20 mx2.example.com.",
	                       "example.com"),
	                 0);
	assert_int_equal(p.nexpect, 2);
	assert_string_equal(p.expect[0], "10 mx1.example.com.");
	assert_string_equal(p.expect[1], "20 mx2.example.com.");
	assert_int_equal(p.nauth, 0);
	params_free(&p);
	assert_null(p.expect);

	assert_int_equal(
	        PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--expect", "none", "example.com"),
	        0);
	assert_int_equal(p.nexpect, 1);
	assert_string_equal(p.expect[0], "none");
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--auth", "192.0.2.53",
	                       "--auth", "[2001:db8::53]:5353", "example.com"),
	                 0);
	assert_int_equal(p.nauth, 2);
	assert_string_equal(p.auth[0].host, "192.0.2.53");
	assert_int_equal(p.auth[0].port, 53);
	assert_int_equal(p.auth[0].addr.sa.sa_family, AF_INET);
	assert_string_equal(p.auth[1].host, "2001:db8::53");
	assert_int_equal(p.auth[1].port, 5353);
	assert_int_equal(p.auth[1].addr.sa.sa_family, AF_INET6);
	params_free(&p);
	assert_null(p.auth);
}

static void test_verdict_options(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--threshold", "95.5%",
	                       "--min-answers", "0", "--wait", "5m", "--interval", "30s",
	                       "example.com"),
	                 0);
	assert_true(p.threshold.percent);
	assert_float_equal(p.threshold.value, 95.5, 1e-9);
	assert_int_equal(p.min_answers, 0);
	assert_float_equal(p.wait, 300, 1e-9);
	assert_float_equal(p.interval, 30, 1e-9);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--threshold", "40",
	                       "--min-answers", "12", "--wait", "0", "--interval", "100ms",
	                       "example.com"),
	                 0);
	assert_false(p.threshold.percent);
	assert_float_equal(p.threshold.value, 40, 1e-9);
	assert_int_equal(p.min_answers, 12);
	assert_float_equal(p.wait, 0, 1e-9);
	assert_float_equal(p.interval, 0.1, 1e-9);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_WATCH, "watch", "-r", list_path, "--min-interval", "1m30s",
	                       "example.com"),
	                 0);
	assert_float_equal(p.min_interval, 90, 1e-9);
	params_free(&p);
}

static void test_output_options(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(
	        PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--format", "json", "example.com"),
	        0);
	assert_int_equal(p.format, FMT_JSON);
	params_free(&p);
	assert_int_equal(
	        PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--format=csv", "example.com"), 0);
	assert_int_equal(p.format, FMT_CSV);
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--format", "csv",
	                       "--format", "text", "example.com"),
	                 0);
	assert_int_equal(p.format, FMT_TEXT);
	params_free(&p);

	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--color", "example.com"),
	                 0);
	assert_true(p.color);
	params_free(&p);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--color", "--no-color",
	                       "example.com"),
	                 0);
	assert_false(p.color);
	params_free(&p);
	/* NO_COLOR in the environment turns the default off. */
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com"), 0);
	assert_false(p.color);
	params_free(&p);
	unsetenv("NO_COLOR");

	/* -v is a parameter; parsing leaves every global alone. */
	msg_verbose = 0;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-v", "-r", list_path, "example.com"), 0);
	assert_true(p.verbose);
	assert_false(msg_verbose);
	params_free(&p);
	assert_int_equal(
	        PARSE(&p, MODE_CHECK, "check", "--verbose", "-r", list_path, "example.com"), 0);
	assert_true(p.verbose);
	assert_false(msg_verbose);
	params_free(&p);
}

static void test_help(void **state)
{
	struct pw_params p;
	(void)state;
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	FILE *f = fopen(err_path, "w");
	assert_non_null(f);
	dup2(fileno(f), STDOUT_FILENO);
	fclose(f);
	int rc = PARSE(&p, MODE_WATCH, "watch", "--help");
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	assert_true(p.help);
	params_free(&p);
	f = fopen(err_path, "r");
	assert_non_null(f);
	size_t n = fread(captured, 1, sizeof captured - 1, f);
	captured[n] = '\0';
	fclose(f);
	assert_non_null(strstr(captured, "usage: propwatch watch"));
	assert_non_null(strstr(captured, "--min-interval"));
	/* Generated from the table: every option of watch, and no other. */
	for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
		char spelled[64];
		if (d->name)
			snprintf(spelled, sizeof spelled, "--%s", d->name);
		else
			snprintf(spelled, sizeof spelled, "-%c", d->shortname);
		bool listed = strstr(captured, spelled) != NULL;
		if (listed != ((d->modes & M_WATCH) != 0))
			fail_msg("watch --help %s %s", listed ? "lists" : "lacks", spelled);
	}
	assert_null(strstr(captured, "--format"));
	assert_null(strstr(captured, "--wait"));
}

/* The re-query gap is one option for both modes (issue 8). */
static void test_min_interval_both_modes(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--min-interval", "3s",
	                       "example.com"),
	                 0);
	assert_float_equal(p.min_interval, 3, 1e-9);
	params_free(&p);
}

/* Options may follow NAME and TYPE (GNU argument permutation). */
static void test_permutation(void **state)
{
	struct pw_params p;
	(void)state;
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "example.com", "-r", list_path, "A",
	                       "--dnssec", "--limit", "3"),
	                 0);
	assert_string_equal(p.name, "example.com");
	assert_int_equal(p.type, 1);
	assert_true(p.dnssec);
	assert_int_equal(p.filter.limit, 3);
	assert_string_equal(p.list_path, list_path);
	params_free(&p);

	/* After "--" everything is positional. */
	assert_int_equal(
	        PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--", "example.com", "AAAA"), 0);
	assert_string_equal(p.name, "example.com");
	assert_int_equal(p.type, 28);
	params_free(&p);
}

static void test_default_list_from_env(void **state)
{
	struct pw_params p;
	(void)state;
	setenv("PROPWATCH_RESOLVERS", list_path, 1);
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "example.com"), 0);
	assert_non_null(p.list_path);
	assert_string_equal(p.list_path, list_path);
	params_free(&p);
	unsetenv("PROPWATCH_RESOLVERS");
}

/* Parsing twice in one process gives the same result (the reset works). */
static void test_reparse(void **state)
{
	struct pw_params p;
	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-4", "-r", list_path, "--expect",
		                       "10 mx.", "example.com", "MX"),
		                 0);
		assert_int_equal(p.filter.family, AF_INET);
		assert_int_equal(p.nexpect, 1);
		params_free(&p);
	}
}

/* ---- errors ----------------------------------------------------------- */

static void test_bad_values(void **state)
{
	char *L = list_path;
	(void)state;
	BAD(MODE_CHECK, "--limit", "0", "check", "-r", L, "--limit", "0", "example.com");
	BAD(MODE_CHECK, "--limit", "abc", "check", "-r", L, "--limit", "abc", "example.com");
	BAD(MODE_CHECK, "--limit", NULL, "check", "-r", L, "--limit", "", "example.com");
	BAD(MODE_CHECK, "-j", "0", "check", "-r", L, "-j", "0", "example.com");
	BAD(MODE_CHECK, "-j", "65", "check", "-r", L, "-j", "65", "example.com");
	BAD(MODE_CHECK, "-j", "2x", "check", "-r", L, "--jobs", "2x", "example.com");
	BAD(MODE_CHECK, "--timeout", "5ms", "check", "-r", L, "--timeout", "5ms", "example.com");
	BAD(MODE_CHECK, "--timeout", "0", "check", "-r", L, "--timeout", "0", "example.com");
	BAD(MODE_CHECK, "--timeout", "2x", "check", "-r", L, "--timeout", "2x", "example.com");
	BAD(MODE_CHECK, "--retries", "8", "check", "-r", L, "--retries", "8", "example.com");
	BAD(MODE_CHECK, "--retries", "-1", "check", "-r", L, "--retries", "-1", "example.com");
	BAD(MODE_CHECK, "--rate", "0", "check", "-r", L, "--rate", "0", "example.com");
	BAD(MODE_CHECK, "--rate", "-5", "check", "-r", L, "--rate", "-5", "example.com");
	BAD(MODE_CHECK, "--rate", "abc", "check", "-r", L, "--rate", "abc", "example.com");
	BAD(MODE_CHECK, "--rate", "nan", "check", "-r", L, "--rate", "nan", "example.com");
	BAD(MODE_CHECK, "--rate", NULL, "check", "-r", L, "--rate", "", "example.com");
	BAD(MODE_CHECK, "--auth", "bogus", "check", "-r", L, "--auth", "bogus", "example.com");
	BAD(MODE_CHECK, "--auth", "1.2.3.4:0", "check", "-r", L, "--auth", "1.2.3.4:0",
	    "example.com");
	BAD(MODE_CHECK, "--threshold", "101%", "check", "-r", L, "--threshold", "101%",
	    "example.com");
	BAD(MODE_CHECK, "--threshold", "4.5", "check", "-r", L, "--threshold", "4.5",
	    "example.com");
	BAD(MODE_CHECK, "--min-answers", "-1", "check", "-r", L, "--min-answers", "-1",
	    "example.com");
	BAD(MODE_CHECK, "--wait", "soon", "check", "-r", L, "--wait", "soon", "example.com");
	BAD(MODE_CHECK, "--interval", "50ms", "check", "-r", L, "--interval", "50ms",
	    "example.com");
	BAD(MODE_WATCH, "--min-interval", "10ms", "watch", "-r", L, "--min-interval", "10ms",
	    "example.com");
	BAD(MODE_CHECK, "--format", "xml", "check", "-r", L, "--format", "xml", "example.com");
}

static void test_bad_options(void **state)
{
	char *L = list_path;
	(void)state;
	/* An option of another subcommand is an error naming it (issue 8). */
	BAD(MODE_WATCH, "--format", "watch", "watch", "-r", L, "--format", "csv", "example.com");
	BAD(MODE_WATCH, "--wait", "watch", "watch", "-r", L, "--wait", "5m", "example.com");
	BAD(MODE_WATCH, "--format", "check", "watch", "-r", L, "--format=json", "example.com");
	BAD(MODE_CHECK, "bogus", NULL, "check", "-r", L, "--bogus", "example.com");
	BAD(MODE_CHECK, NULL, NULL, "check", "-r", L, "-x", "example.com");
	BAD(MODE_CHECK, "timeout", NULL, "check", "-r", L, "example.com", "--timeout");
	BAD(MODE_CHECK, NULL, NULL, "check", "example.com", "-r");
	BAD(MODE_CHECK, "dnssec", NULL, "check", "-r", L, "--dnssec=yes", "example.com");
}

static void test_expect_with_auth(void **state)
{
	struct pw_params p;
	(void)state;
	BAD(MODE_CHECK, "--expect", "--auth", "check", "-r", list_path, "--expect",
	    "10 mx.example.com.", "--auth", "192.0.2.53", "example.com");
	BAD(MODE_WATCH, "--expect", "--auth", "watch", "--auth", "192.0.2.53", "-r", list_path,
	    "example.com", "--expect", "none");
	/* Each alone is fine. */
	assert_int_equal(PARSE(&p, MODE_CHECK, "check", "-r", list_path, "--auth", "192.0.2.53",
	                       "example.com"),
	                 0);
	params_free(&p);
}

/*
 * BUG (src/params.c, params_parse): getopt is reset with optind = 1, which
 * does not reset glibc's internal position inside a cluster of short
 * options. After a parse that failed in the middle of a cluster ("-xv":
 * unknown -x), the next params_parse() call resumes the *old* cluster: it
 * takes the stale "v" (setting msg_verbose) and skips the new argv[1], so a
 * valid command line fails. GNU getopt needs optind = 0 for a full reset.
 */
static void test_reparse_after_error_in_cluster(void **state)
{
	struct pw_params p;
	(void)state;
	BAD(MODE_CHECK, NULL, NULL, "check", "-xv", "example.com");
	capture_begin();
	int rc = PARSE(&p, MODE_CHECK, "check", "-r", list_path, "example.com");
	const char *err = capture_end();
	int verbose = p.verbose;
	if (rc != 0)
		fail_msg("valid argv rejected after an earlier error: rc %d, stderr: %s", rc, err);
	assert_string_equal(p.name, "example.com");
	assert_string_equal(p.list_path, list_path);
	assert_false(verbose);
	params_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_name_errors),
		cmocka_unit_test(test_resolver_options),
		cmocka_unit_test(test_query_options),
		cmocka_unit_test(test_truth_options),
		cmocka_unit_test(test_verdict_options),
		cmocka_unit_test(test_output_options),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_permutation),
		cmocka_unit_test(test_min_interval_both_modes),
		cmocka_unit_test(test_default_list_from_env),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_expect_with_auth),
		/* Last: when it fails it leaves getopt state behind. */
		cmocka_unit_test(test_reparse_after_error_in_cluster),
	};
	return cmocka_run_group_tests_name("params", tests, group_setup, group_teardown);
}
