/*
 * setup.h -- what every querying subcommand does before its first query:
 * parse the options, load and filter the resolver list, build the query,
 * start the engine, and settle what "new" means when --expect gives it.
 */
#ifndef PW_SETUP_H
#define PW_SETUP_H

#include "compare.h"
#include "params.h"
#include "pipeline.h"
#include "query.h"
#include "reslist.h"

struct engine;
struct vantage;

struct session {
	struct pw_params params;         /* parsed options */
	struct reslist list;             /* resolvers after filtering */
	const struct resolver **targets; /* pointers into list, row order */
	struct query query;              /* the question, RD=1 */
	struct engine *engine;           /* the worker pool */
	struct engine *truth_engine;     /* one worker for the zone's servers, beside the pool */
	struct expected user_expect;     /* from --expect, when given */
	struct auth_server *auth;        /* --auth servers, as the tracker takes them */
	size_t nauth;                    /* how many */
	struct eventlog *log;            /* --log, or NULL */
	struct vantage *vantage;         /* --via: the network whose probes are the rows, or NULL */
	struct reslist truth_list;       /* --via: local resolvers to find the zone's servers */
	const struct resolver **truth_via; /* pointers into truth_list */
	double started; /* clock_mono() when it opened: a first measurement counts */
};

/* Parse options and prepare everything; with --via, the first measurement
 * finds the rows. Returns 0, or an exit status (EXIT_USAGE, or
 * EXIT_UNDECIDABLE when a measurement network could not be asked, after
 * printing why). *done is set when --help was shown. stop (may be NULL):
 * a signal flag that ends a measurement under way. */
int session_open(struct session *s, int argc, char **argv, enum pw_mode mode,
                 const volatile int *stop, int *done);
void session_close(struct session *s);

/* The pipeline for this session's question over its resolvers, with the
 * engine as back-end (and the --log, which gets its start). Returns 0 or
 * PW_ENOMEM. */
int session_pipeline(struct session *s, struct pipeline *p);

/* SIGINT, SIGTERM and SIGHUP go to handler (a flag: the run stops and
 * says what it knew, exit 128+N). */
void session_catch_signals(void (*handler)(int));

/* The --log's start (and resolver lines), at `now`. */
void session_log_start(struct session *s, double now);

/* The end both check and watch come to: the verdict goes to the --log,
 * which is closed. Returns 0, or EXIT_OUTPUT (said on stderr) when the log
 * could not be written whole. */
int session_finish(struct session *s, struct pipeline *p, bool interrupted);

#endif
