/*
 * world.h -- a scripted world in virtual time for the tracker, check-loop
 * and view tests: n resolvers whose caches hold the old MX until a flip
 * time and the new one after, served through a pipeline back-end that
 * answers at once at the virtual clock's time. No sockets, no sleeping.
 */
#ifndef PW_TEST_WORLD_H
#define PW_TEST_WORLD_H

#include <ldns/ldns.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "clock.h"
#include "compare.h"
#include "error.h"
#include "pipeline.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"

#define WORLD_MAX  16
#define WORLD_ASKS 256

#define OLD_MX "10 mx-old.example.test."
#define NEW_MX "10 mx-new.example.test."

/* How one resolver behaves over (virtual) time. */
struct world_res {
	double flip_at;     /* serves OLD_MX (TTL counting down to flip_at) before, NEW_MX after */
	double silent_from; /* times out from then on (INFINITY: never) */
	long old_ttl_cap;   /* >= 0: never says more than this TTL for the old answer; -1 none */
	long new_ttl;       /* TTL of the new answer */
};

struct world {
	struct reslist list;
	const struct resolver *targets[WORLD_MAX];
	struct query q;
	struct world_res res[WORLD_MAX];
	size_t n;
	pthread_mutex_t lock;               /* guards asks and nasks (the monitor's threads) */
	double asks[WORLD_MAX][WORLD_ASKS]; /* when each resolver was asked */
	size_t nasks[WORLD_MAX];
	unsigned truth_looks;       /* times the truth was asked */
	size_t truth_servers_given; /* servers passed in the latest look (0: discovery) */
	bool truth_fails;           /* the next looks find no truth */
	const char *truth_mx;       /* what the zone serves now */
};

static inline void world_answer(const struct world *w, size_t i, double now, struct answer *a)
{
	const struct world_res *r = &w->res[i];
	answer_init(a);
	a->tries = 1;
	if (now >= r->silent_from) {
		a->outcome = OUT_TIMEOUT;
		return;
	}
	bool old = now < r->flip_at;
	long ttl = old ? (long)ceil(r->flip_at - now) : r->new_ttl;
	if (old && r->old_ttl_cap >= 0 && ttl > r->old_ttl_cap)
		ttl = r->old_ttl_cap;
	a->outcome = OUT_REPLY;
	a->rcode = LDNS_RCODE_NOERROR;
	a->flags = PW_F_RA;
	const char *mx = old ? OLD_MX : NEW_MX;
	records_copy((char *const *)&mx, 1, &a->records, &a->nrecords);
	a->key = strdup(a->records[0]);
	a->ttl = ttl;
	a->at = now;
	a->latency_ms = 1;
	a->transport = TR_UDP;
}

static inline int world_ask(void *ctx, const struct engine_job *jobs, size_t n, struct answer *out,
                            engine_cb cb, void *cbctx, struct engine_stats *st)
{
	struct world *w = ctx;
	double now = clock_mono();
	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)(jobs[k].r - w->list.v);
		pthread_mutex_lock(&w->lock);
		if (w->nasks[i] < WORLD_ASKS)
			w->asks[i][w->nasks[i]++] = now;
		pthread_mutex_unlock(&w->lock);
		world_answer(w, i, now, &out[k]);
		cb(cbctx, k, &out[k]);
	}
	memset(st, 0, sizeof *st);
	return 0;
}

static inline int world_truth(void *ctx, const struct query *q, const struct truth_opts *o,
                              struct expected *e)
{
	struct world *w = ctx;
	char err[256];
	(void)q;
	pthread_mutex_lock(&w->lock);
	w->truth_looks++;
	pthread_mutex_unlock(&w->lock);
	w->truth_servers_given = o->nservers;
	if (w->truth_fails) {
		memset(e, 0, sizeof *e);
		e->source = EXP_NONE;
		e->rcode = -1;
		e->auth_ttl = -1;
		snprintf(e->problem, sizeof e->problem, "no authoritative server answered");
		return 0;
	}
	const char *args[1] = { w->truth_mx };
	if (expected_from_args(e, "example.test", LDNS_RR_TYPE_MX, args, 1, err, sizeof err) < 0)
		return PW_ENOMEM;
	e->source = EXP_AUTH;
	e->auth_ttl = 60;
	e->zone = strdup("example.test.");
	e->auth = calloc(1, sizeof *e->auth);
	e->nauth = 1;
	e->auth[0].name = strdup("ns1.example.test.");
	reslist_parse_addr("127.0.99.1", 53, &e->auth[0].addr);
	answer_init(&e->auth[0].ans);
	answer_init(&e->auth[0].soa);
	e->auth[0].usable = e->auth[0].agrees = true;
	e->auth[0].state = "ok";
	return 0;
}

/* n resolvers, each flipping at flips[i] (0: already new). */
static inline void world_init(struct world *w, size_t n, const double *flips)
{
	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	w->n = n;
	w->truth_mx = NEW_MX;
	w->list.v = calloc(n, sizeof *w->list.v);
	w->list.n = n;
	for (size_t i = 0; i < n; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "127.0.98.%zu", i + 1);
		reslist_parse_addr(addr, 53, &w->list.v[i]);
		snprintf(w->list.v[i].country, sizeof w->list.v[i].country, "ZZ");
		w->list.v[i].operator_name = strdup("world");
		w->list.v[i].label = strdup("scripted");
		w->targets[i] = &w->list.v[i];
		w->res[i] = (struct world_res){ flips[i], INFINITY, -1, 60 };
	}
	query_init(&w->q, "example.test", LDNS_RR_TYPE_MX, true, false);
}

/* How many times resolver i was asked (safe beside the monitor's threads). */
static inline size_t world_nasks(struct world *w, size_t i)
{
	pthread_mutex_lock(&w->lock);
	size_t n = w->nasks[i];
	pthread_mutex_unlock(&w->lock);
	return n;
}

static inline void world_free(struct world *w)
{
	pthread_mutex_destroy(&w->lock);
	query_free(&w->q);
	reslist_free(&w->list);
}

static inline struct tracker_cfg world_cfg(struct world *w, double interval, double min_gap)
{
	struct tracker_cfg cfg = { .q = &w->q,
		                   .list = &w->list,
		                   .threshold = { true, 100 },
		                   .min_answers = 1,
		                   .interval = interval,
		                   .min_gap = min_gap };
	return cfg;
}

static inline struct pipeline_backend world_backend(struct world *w)
{
	struct pipeline_backend be = { w, w, world_ask, world_truth, NULL, false };
	return be;
}

#endif
