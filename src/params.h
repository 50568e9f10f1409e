/*
 * params.h -- the command line of every subcommand, from one option table.
 *
 * Each option is one row of the table in params_table.c: its names, its
 * argument, the subcommands it applies to, and its help text. --help and
 * the check that the man page lists every option come from that table. An
 * option given to a subcommand it does not apply to is an error naming the
 * option (exit 2), like an unknown option or a bad value. Parsing only
 * fills struct pw_params: no globals, no I/O but the error message.
 */
#ifndef PW_PARAMS_H
#define PW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "gate.h"
#include "reslist.h"

enum pw_mode { MODE_CHECK, MODE_WATCH, MODE_COMPARE, MODE_MAIL, MODE_TIMELINE, MODE_COUNT };
#define M_CHECK    (1u << MODE_CHECK)
#define M_WATCH    (1u << MODE_WATCH)
#define M_COMPARE  (1u << MODE_COMPARE)
#define M_MAIL     (1u << MODE_MAIL)
#define M_TIMELINE (1u << MODE_TIMELINE)

enum pw_format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_NDJSON };

struct pw_params {
	enum pw_mode mode;     /* which subcommand */
	const char *name;      /* the name asked about (mail: the domain; timeline: the log) */
	int type;              /* its RR type */
	const char *list_path; /* -r, or the default list */
	struct reslist_filter filter; /* --country, --operator, -4/-6, --limit */
	struct engine_opts eng;       /* -j, --timeout, --retries, --rate */
	bool dnssec;                  /* --dnssec */
	const char **expect;          /* --expect values */
	size_t nexpect;               /* how many */
	struct resolver *auth;        /* --auth servers (operator_name and label NULL) */
	size_t nauth;                 /* how many */
	struct threshold threshold;   /* --threshold */
	size_t min_answers;           /* --min-answers */
	double wait;                  /* --wait, seconds; 0 = one sweep */
	double interval;              /* --interval, seconds between sweeps */
	double min_interval;          /* --min-interval: per-resolver floor */
	enum pw_format format;        /* --format */
	bool format_set;              /* --format was given */
	bool color;                   /* colour on a TTY unless NO_COLOR/--no-color */
	bool verbose;                 /* -v */
	int samples;                  /* compare --samples */
	const char *signed_name;      /* compare --signed */
	const char *bogus_name;       /* compare --bogus */
	double duration;              /* compare --duration, 0 = none */
	const char *log_path;         /* --log FILE, or NULL */
	const char *output;           /* timeline -o FILE (.png, .svg), or NULL */
	int session;                  /* timeline --session, 0 = the last */
	int width;                    /* timeline --width, 0 = the default */
	bool help;                    /* --help was asked: usage printed, exit 0 */
	const char **selectors;       /* mail: --dkim-selector values */
	size_t nselectors;            /* how many */
	int via;                  /* --via: enum vantage_net, 0 (VIA_NONE) for local resolvers */
	const char *from;         /* --from LOCATIONS, or NULL */
	long probes;              /* --probes (default 10) */
	const char *via_resolver; /* --resolver: what each probe asks, NULL its own */
	const char *api_url;      /* --api-url, NULL: the network's own */
	const char *cred_file;    /* --token-file (Globalping) or --key-file (Atlas) */
	uint64_t given;           /* bit (1 << id) for each option id given */
};

/* One row of the option table. */
struct opt_def {
	const char *name;  /* long name, without "--" */
	char shortname;    /* the one-letter form, 0 if none */
	const char *arg;   /* the argument as help shows it ("FILE"), NULL for a flag */
	unsigned modes;    /* M_* bits: the subcommands it applies to */
	int id;            /* what parse_opt() does with it */
	const char *group; /* help section */
	const char *help;  /* help text; '\n' continues on the next line */
};

/* The table, ending with a row whose name is NULL. */
extern const struct opt_def params_table[];

const char *mode_name(enum pw_mode m);
/* The --format values a subcommand takes, space-separated ("text csv"). */
const char *params_formats(enum pw_mode mode);

/* Parse argv (argv[0] is the subcommand). Returns 0, or EXIT_USAGE after
 * printing the error. */
int params_parse(int argc, char **argv, enum pw_mode mode, struct pw_params *p);
void params_free(struct pw_params *p);

/* Usage text for each subcommand, from the table. */
void params_usage(FILE *out, enum pw_mode mode);

#endif
