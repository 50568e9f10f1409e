/*
 * params.h -- command-line options of `propwatch check` and `propwatch watch`.
 *
 * Both subcommands share the query, resolver and gate options; parsing is
 * strict: an unknown option or bad value is an error that names the option,
 * and the caller exits with status 2.
 */
#ifndef PW_PARAMS_H
#define PW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"
#include "gate.h"
#include "reslist.h"

enum pw_mode { MODE_CHECK, MODE_WATCH };
enum pw_format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct pw_params {
	enum pw_mode mode;            /* which subcommand */
	const char *name;             /* the name asked about */
	int type;                     /* its RR type */
	const char *list_path;        /* -r, or the default list */
	struct reslist_filter filter; /* --country, --operator, -4/-6, --limit */
	struct engine_opts eng;       /* -j, --timeout, --retries, --rate */
	bool dnssec;                  /* --dnssec */
	const char **expect;          /* --expect values */
	size_t nexpect;               /* how many */
	struct resolver *auth;        /* --auth servers */
	size_t nauth;                 /* how many */
	struct threshold threshold;   /* --threshold */
	size_t min_answers;           /* --min-answers */
	double wait;                  /* --wait, seconds; 0 = one sweep */
	double interval;              /* --interval, seconds between sweeps */
	double min_interval;          /* --min-interval (watch): per-resolver floor */
	enum pw_format format;        /* --format */
	bool color;                   /* colour on a TTY unless NO_COLOR/--no-color */
	bool help;                    /* --help was asked: usage printed, exit 0 */
};

/* Parse argv (argv[0] is the subcommand). Returns 0, or EXIT_USAGE after
 * printing the error. */
int params_parse(int argc, char **argv, enum pw_mode mode, struct pw_params *p);
void params_free(struct pw_params *p);

/* Usage text for `propwatch --help` and each subcommand. */
void params_usage(FILE *out, enum pw_mode mode);

#endif
