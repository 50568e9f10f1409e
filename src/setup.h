/*
 * setup.h -- what check and watch both do before their first query:
 * load and filter the resolver list, build the query, start the engine,
 * and settle what "new" means when --expect gives it.
 */
#ifndef PW_SETUP_H
#define PW_SETUP_H

#include "compare.h"
#include "params.h"
#include "query.h"
#include "reslist.h"
#include "truth.h"

struct engine;

struct session {
	struct pw_params params;         /* parsed options */
	struct reslist list;             /* resolvers after filtering */
	const struct resolver **targets; /* pointers into list, for engine_run() */
	struct query query;              /* the question, RD=1 */
	struct engine *engine;           /* the worker pool */
	struct expected user_expect;     /* from --expect, when given */
	struct truth_opts truth;         /* how to find ground truth otherwise */
	const struct resolver **via;     /* resolvers that find the zone's servers */
};

/* Parse options and prepare everything. Returns 0, or an exit status
 * (EXIT_USAGE after printing why). *done is set when --help was shown. */
int session_open(struct session *s, int argc, char **argv, enum pw_mode mode, int *done);
void session_close(struct session *s);

/* Find the zone's servers through resolvers that answered last time: a
 * silent resolver among them would cost a timeout on every discovery step.
 * answers[i] belongs to s->targets[i]; statuses as classified. */
void session_prefer_via(struct session *s, const struct answer *answers);

/* Ground truth for one sweep: the --expect answer, or a fresh look at the
 * authoritative servers into *fresh (freed by the caller). */
const struct expected *session_truth(struct session *s, struct expected *fresh);

#endif
