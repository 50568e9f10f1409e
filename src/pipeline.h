/*
 * pipeline.h -- one step of the loop every mode runs over the tracker.
 *
 * A step is whatever tracker_next() says is due: a look at the ground
 * truth, or a round of queries to the resolvers that are due, whose
 * answers are posted into the tracker as each one becomes final. `check`
 * calls pipeline_step() in a plain loop; `watch`'s monitor calls it from
 * its scheduler thread. The tracker is guarded by the pipeline's lock,
 * which is held only while the model changes, never while queries are in
 * flight, so another thread may copy the model at any time.
 *
 * Where answers come from is a back-end: the query engine (the default),
 * a measurement network's probes (vantage.h), or a test's scripted world
 * in virtual time.
 *
 * A set of pipelines (struct pipeline_set) is stepped as one: `mail`
 * tracks each of a domain's records in a pipeline of its own, and every
 * due row of every member goes out in one call of the back-end, each
 * answer posted to the tracker it belongs to. The set of one pipeline
 * (pipeline_set_one) steps exactly as pipeline_step(): check runs its
 * loop over that.
 */
#ifndef PW_PIPELINE_H
#define PW_PIPELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "tracker.h"
#include "truth.h"

struct pipeline_backend {
	void *ctx;       /* for ask() and cancel() */
	void *truth_ctx; /* for truth(): it may run beside ask() (the monitor) */
	/* Run the jobs; post each final answer through cb (any thread). */
	int (*ask)(void *ctx, const struct engine_job *jobs, size_t n, struct answer *out,
	           engine_cb cb, void *cbctx, struct engine_stats *st);
	/* Look at the ground truth for q. */
	int (*truth)(void *truth_ctx, const struct query *q, const struct truth_opts *o,
	             struct expected *fresh);
	/* Make running ask() and truth() calls return soon (from any thread). */
	void (*cancel)(void *ctx, void *truth_ctx);
	/* ask() hands every job's answer to cb, so it needs no out[] (NULL):
	 * the engine; 60,000 answers then never wait in an array. */
	bool posts_all;
};

struct pipeline {
	struct tracker t;                /* the model; hold lock to touch it */
	pthread_mutex_t lock;            /* guards t */
	struct pipeline_backend be;      /* where answers come from */
	const struct resolver **targets; /* the resolvers, in row order */
	int family;                      /* AF_INET/AF_INET6 for server discovery, 0 both */
	bool hold;                       /* paused: start no step (set under lock) */
	/* A round asks every row that is not busy, whoever is due: the
	 * back-end asks them all at once anyway (a measurement network). */
	bool whole_rounds;
	/* Resolvers to find the zone's servers through, when the rows cannot
	 * be asked from here (probes); NULL: the rows that answered. */
	const struct resolver *const *truth_via;
	size_t ntruth_via;
	/* Called with the lock held after each answer is posted. */
	void (*on_post)(void *ctx, const struct tracker *t, size_t row);
	/* Called without the lock after anything changed. */
	void (*on_change)(void *ctx);
	void *hook_ctx;
	/* --log: every answer, change, truth and sweep is written (lock held), or NULL. */
	struct eventlog *log;
	size_t *due;             /* scratch: rows of the round */
	struct engine_job *jobs; /* scratch: their jobs */
	struct answer *out;      /* scratch: their answers */
};

/* Set up p for the resolvers in cfg->list; targets[i] belongs to row i.
 * Returns 0 or PW_ENOMEM. */
int pipeline_init(struct pipeline *p, const struct tracker_cfg *cfg,
                  const struct resolver *const *targets, const struct pipeline_backend *be,
                  double now);
void pipeline_free(struct pipeline *p);

/* The engine as a back-end: rounds on e, the truth on truth_e (its own
 * engine, so that the two can run at once). */
struct pipeline_backend pipeline_engine_backend(struct engine *e, struct engine *truth_e);

/* Take the step due at `now`: returns STEP_TRUTH or STEP_ASK after doing
 * it, or STEP_IDLE with *until (INFINITY: nothing will ever be due).
 * Without with_truth, only rounds of queries (the truth is the caller's
 * other thread's, through pipeline_truth_round()). */
enum track_step pipeline_step(struct pipeline *p, double now, bool with_truth, double *until);

/* Look at the ground truth now (it should be ready: tracker_truth_ready).
 * Lock held on entry and exit; dropped while the servers are asked. */
void pipeline_truth_round(struct pipeline *p);

/* ---- several trackers, one round -------------------------------------- */

struct pipeline_set {
	struct pipeline **v;        /* the members, in the order added */
	size_t n;                   /* how many */
	struct pipeline *one[1];    /* v of a set made by pipeline_set_one() */
	struct pipeline_backend be; /* where the rounds go (each member keeps its truth) */
	/* Scratch for a round over more than one member, grown by add. */
	struct pipeline **owner; /* the member of each job */
	size_t *row;             /* its row */
	struct engine_job *jobs; /* the jobs */
	struct answer *out;      /* their answers */
	size_t cap;              /* room in the four */
};

/* An empty set whose rounds go to be. */
void pipeline_set_init(struct pipeline_set *s, const struct pipeline_backend *be);
/* The set of p alone, with p's back-end; needs no memory (no free). */
void pipeline_set_one(struct pipeline_set *s, struct pipeline *p);
/* Add p (initialised, owned by the caller). Returns 0 or PW_ENOMEM. */
int pipeline_set_add(struct pipeline_set *s, struct pipeline *p);
void pipeline_set_free(struct pipeline_set *s);

/* As pipeline_step() over every member: a look at the truth of the first
 * member whose look is ready, else one round with every due row of every
 * member, else STEP_IDLE with *until the soonest time anything is due.
 * Members may be stepped by another set in another thread meanwhile:
 * rows in flight are never asked twice. */
enum track_step pipeline_set_step(struct pipeline_set *s, double now, bool with_truth,
                                  double *until);

#endif
