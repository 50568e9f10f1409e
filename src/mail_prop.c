/*
 * mail_prop.c -- a tracker per record, the first round beside the lint,
 * and the loop over all of them.
 */
#include <ldns/ldns.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "compare.h"
#include "error.h"
#include "mail_prop.h"
#include "setup.h"

/* Once one resolver has answered, wait this long for those before it in
 * the list (a validator iterating a cold cache is slower than a cache). */
#define VIA_GRACE 0.5

/* The first record's hook: its answers may make the resolvers ready. */
static void on_first_change(void *ctx)
{
	struct mail_prop *m = ctx;
	pthread_mutex_lock(&m->lock);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

int mail_prop_init(struct mail_prop *m, struct session *s)
{
	pthread_condattr_t ca;
	memset(m, 0, sizeof *m);
	m->s = s;
	struct pipeline_backend be = pipeline_engine_backend(s->engine, s->truth_engine);
	pipeline_set_init(&m->first, &be);
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	return PW_OK;
}

void mail_prop_free(struct mail_prop *m)
{
	if (m->started)
		pthread_join(m->thread, NULL);
	for (size_t i = 0; i < m->n; i++) {
		pipeline_free(&m->v[i]->p);
		query_free(&m->v[i]->q);
		free(m->v[i]);
	}
	free(m->v);
	pipeline_set_free(&m->first);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	memset(m, 0, sizeof *m);
}

int mail_prop_add(struct mail_prop *m, const char *name, int type)
{
	const struct pw_params *o = &m->s->params;
	struct mail_record *r = calloc(1, sizeof *r), **nv;
	int rc;

	if (r == NULL)
		return PW_ENOMEM;
	if ((rc = query_init(&r->q, name, type, true, false)) < 0) {
		free(r);
		return rc;
	}
	struct tracker_cfg cfg = {
		.q = &r->q,
		.list = &m->s->list,
		.threshold = o->threshold,
		.min_answers = o->min_answers,
		.interval = o->interval,
		.min_gap = o->min_interval,
	};
	struct pipeline_backend be = pipeline_engine_backend(m->s->engine, m->s->truth_engine);
	if ((nv = realloc(m->v, (m->n + 1) * sizeof *nv)) == NULL ||
	    pipeline_init(&r->p, &cfg, m->s->targets, &be, clock_mono()) < 0) {
		if (nv != NULL)
			m->v = nv;
		query_free(&r->q);
		free(r);
		return PW_ENOMEM;
	}
	m->v = nv;
	r->p.family = o->filter.family;
	m->v[m->n++] = r;
	return PW_OK;
}

struct mail_record *mail_prop_find(struct mail_prop *m, const char *name, int type)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < m->n; i++) {
		const char *q = m->v[i]->q.name;
		size_t ql = strlen(q);
		/* the query keeps the name as given: compare without the dot */
		size_t a = len && name[len - 1] == '.' ? len - 1 : len;
		size_t b = ql && q[ql - 1] == '.' ? ql - 1 : ql;
		if (m->v[i]->q.type == type && a == b && strncasecmp(q, name, a) == 0)
			return m->v[i];
	}
	return NULL;
}

static void *first_round(void *arg)
{
	struct mail_prop *m = arg;
	double until;
	pipeline_set_step(&m->first, clock_mono(), false, &until);
	return NULL;
}

int mail_prop_start(struct mail_prop *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (pipeline_set_add(&m->first, &m->v[i]->p) < 0)
			return PW_ENOMEM;
	if (m->n > 0) {
		m->v[0]->p.on_change = on_first_change;
		m->v[0]->p.hook_ctx = m;
	}
	if (pthread_create(&m->thread, NULL, first_round, m) != 0)
		return PW_ETHREAD;
	m->started = true;
	return PW_OK;
}

/* A reply that says something about the zone. */
static bool replied(const struct answer *a)
{
	return a->outcome == OUT_REPLY && (answer_usable(a) || a->rcode == LDNS_RCODE_SERVFAIL);
}

/* Are the resolvers to read through known? Taken in list order, so a
 * validator at the top of the list is among them however slowly it
 * answers: wait for every row before the max-th answer, unless VIA_GRACE
 * has passed since the first answer. Lock of t held. */
static bool via_ready(const struct tracker *t, double now, size_t max)
{
	size_t got = 0;
	double first = INFINITY;
	bool waiting = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct track_row *r = tracker_row(t, i);
		if (replied(&r->ans) && r->ans.at < first)
			first = r->ans.at;
		if (waiting)
			continue;
		if (r->busy || r->ans.outcome == OUT_NONE)
			waiting = true;
		else if (replied(&r->ans) && ++got == max)
			return true;
	}
	return !waiting || now >= first + VIA_GRACE;
}

size_t mail_prop_via(struct mail_prop *m, const struct resolver **via, size_t max)
{
	if (m->n == 0)
		return 0;
	struct pipeline *p = &m->v[0]->p;
	size_t n = 0;
	pthread_mutex_lock(&m->lock);
	for (;;) {
		pthread_mutex_lock(&p->lock);
		bool ready = via_ready(&p->t, clock_mono(), max);
		for (size_t i = 0; ready && i < p->t.n && n < max; i++)
			if (replied(&tracker_row(&p->t, i)->ans))
				via[n++] = p->targets[i];
		pthread_mutex_unlock(&p->lock);
		if (ready)
			break;
		/* An answer wakes us; the grace period needs a look now and then. */
		double at = clock_mono() + 0.05;
		struct timespec ts = { (time_t)at, (long)((at - floor(at)) * 1e9) };
		pthread_cond_timedwait(&m->cond, &m->lock, &ts);
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

int mail_prop_truth(struct mail_record *r, const struct expected *e)
{
	struct expected copy;
	if (expected_copy(&copy, e) < 0)
		return PW_ENOMEM;
	pthread_mutex_lock(&r->p.lock);
	tracker_truth_install(&r->p.t, &copy, clock_mono());
	pthread_mutex_unlock(&r->p.lock);
	return PW_OK;
}

void mail_prop_catch_up(struct mail_prop *m, const struct pipeline_backend *be)
{
	struct pipeline_set late;
	double until;
	pipeline_set_init(&late, be);
	bool ok = true;
	for (size_t i = m->first.n; i < m->n && ok; i++)
		ok = pipeline_set_add(&late, &m->v[i]->p) == 0;
	if (ok && late.n > 0)
		pipeline_set_step(&late, clock_mono(), false, &until);
	pipeline_set_free(&late);
	if (m->started)
		pthread_join(m->thread, NULL);
	m->started = false;
	if (m->n > 0) {
		pthread_mutex_lock(&m->v[0]->p.lock);
		m->v[0]->p.on_change = NULL;
		pthread_mutex_unlock(&m->v[0]->p.lock);
	}
}

int mail_prop_run(struct mail_prop *m, struct check_run *c)
{
	struct pipeline_set all;
	struct pipeline_backend be = pipeline_engine_backend(m->s->engine, m->s->truth_engine);
	pipeline_set_init(&all, &be);
	for (size_t i = 0; i < m->n; i++)
		if (pipeline_set_add(&all, &m->v[i]->p) < 0) {
			pipeline_set_free(&all);
			return PW_ENOMEM;
		}
	if (all.n > 0)
		check_loop_set(&all, c);
	pipeline_set_free(&all);
	return PW_OK;
}
