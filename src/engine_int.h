/*
 * engine_int.h -- what engine.c (the pool) shares with engine_worker.c
 * (one worker's event loop over its slice of a sweep).
 */
#ifndef PW_ENGINE_INT_H
#define PW_ENGINE_INT_H

#include "engine.h"

/* One sweep as every worker sees it. */
struct sweep {
	const struct query *q;                 /* the question */
	const struct resolver *const *targets; /* whom to ask */
	size_t n;                              /* how many */
	struct answer *out;                    /* where answers go, out[i] for targets[i] */
	engine_cb cb;                          /* per-answer notification, may be NULL */
	void *ctx;                             /* for cb */
	const struct engine_opts *opts;        /* timeout, retries, rate */
	const volatile int *cancel;            /* set by engine_cancel() */
};

/* Run worker `w` of `nw` over its slice; adds its counters to *stats. */
void worker_run(const struct sweep *sw, int w, int nw, struct engine_stats *stats);

#endif
