/*
 * fuzz_options.c -- the command line with any words: durations, the
 * threshold, types, --expect rdata for a type, and whole argument vectors
 * through params_parse (words split at NUL bytes).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "duration.h"
#include "gate.h"
#include "params.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[512];
	memcpy(s, data, size);
	s[size] = '\0';
	double d;
	struct threshold t;
	int type = 15;
	(void)duration_parse(s, &d);
	(void)threshold_parse(s, &t);
	(void)query_parse_type(s, &type);
	static const int types[] = { 1, 15, 16, 28, 33, 6, 43, 52, 65, 257 };
	struct expected e;
	const char *args[1] = { s };
	if (expected_from_args(&e, "example.test", types[size % 10], args, 1, err, sizeof err) == 0)
		expected_free(&e);

	/* argv: "check" then the NUL-separated words (at most 16). */
	char *argv[18] = { (char *)"check" };
	int argc = 1;
	for (char *p = s; argc < 17 && p <= s + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	struct pw_params p;
	/* The errors (and --help) are the point: keep them off the terminal. */
	int out = dup(1), errfd = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	(void)params_parse(argc, argv, (enum pw_mode)(size % MODE_COUNT), &p);
	params_free(&p);
	fflush(stdout);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	free(s);
	return 0;
}
