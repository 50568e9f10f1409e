/*
 * pipeline.c -- a step of the loop: ask the truth, or ask who is due.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "eventlog.h"
#include "pipeline.h"
#include "reslist.h"

static int engine_backend_ask(void *ctx, const struct engine_job *jobs, size_t n,
                              struct answer *out, engine_cb cb, void *cbctx,
                              struct engine_stats *st)
{
	return engine_run(ctx, jobs, n, out, cb, cbctx, st);
}

static int engine_backend_truth(void *truth_ctx, const struct query *q, const struct truth_opts *o,
                                struct expected *fresh)
{
	return truth_resolve(truth_ctx, q, o, fresh);
}

static void engine_backend_cancel(void *ctx, void *truth_ctx)
{
	engine_cancel(ctx);
	engine_cancel(truth_ctx);
}

struct pipeline_backend pipeline_engine_backend(struct engine *e, struct engine *truth_e)
{
	struct pipeline_backend be = {
		e, truth_e, engine_backend_ask, engine_backend_truth, engine_backend_cancel, true
	};
	return be;
}

int pipeline_init(struct pipeline *p, const struct tracker_cfg *cfg,
                  const struct resolver *const *targets, const struct pipeline_backend *be,
                  double now)
{
	memset(p, 0, sizeof *p);
	size_t n = cfg->list->n ? cfg->list->n : 1;
	if (tracker_init(&p->t, cfg, now) < 0)
		return PW_ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->be = *be;
	p->targets = calloc(n, sizeof *p->targets);
	p->due = calloc(n, sizeof *p->due);
	p->jobs = calloc(n, sizeof *p->jobs);
	p->out = be->posts_all ? NULL : calloc(n, sizeof *p->out);
	if (p->targets == NULL || p->due == NULL || p->jobs == NULL ||
	    (p->out == NULL && !be->posts_all)) {
		pipeline_free(p);
		return PW_ENOMEM;
	}
	memcpy(p->targets, targets, cfg->list->n * sizeof *p->targets);
	for (size_t i = 0; p->out != NULL && i < n; i++)
		answer_init(&p->out[i]);
	return PW_OK;
}

void pipeline_free(struct pipeline *p)
{
	if (p->targets == NULL && p->t.rows == NULL)
		return;
	tracker_free(&p->t);
	pthread_mutex_destroy(&p->lock);
	free(p->targets);
	free(p->due);
	free(p->jobs);
	free(p->out);
	memset(p, 0, sizeof *p);
}

static void changed(struct pipeline *p)
{
	if (p->on_change != NULL)
		p->on_change(p->hook_ctx);
}

/* Lock held: the answer goes into the tracker, and into the log. */
static void post_locked(struct pipeline *p, size_t row, struct answer *a)
{
	enum pw_status before = tracker_status(&p->t, row);
	double now = clock_mono();
	tracker_post(&p->t, row, a, now);
	if (p->log != NULL)
		eventlog_answer(p->log, &p->t, row, before, now);
}

/* Post one final answer into row of p's tracker. */
static void post(struct pipeline *p, size_t row, struct answer *a)
{
	pthread_mutex_lock(&p->lock);
	post_locked(p, row, a);
	if (p->on_post != NULL)
		p->on_post(p->hook_ctx, &p->t, row);
	pthread_mutex_unlock(&p->lock);
	changed(p);
}

/* Called by the back-end (an engine worker) as each answer is final. */
static void on_answer(void *ctx, size_t idx, struct answer *a)
{
	struct pipeline *p = ctx;
	post(p, p->due[idx], a);
}

/* The row's job: its resolver, the question, and what it is known for. */
static struct engine_job row_job(struct pipeline *p, size_t i)
{
	return (struct engine_job){ p->targets[i], p->t.cfg.q,
		                    tracker_row(&p->t, i)->no_0x20 ? JOB_NO_0X20 : 0, 0 };
}

/* After a round: take what the back-end left of the jobs of rows
 * (due[0..k)) as it stands, so no resolver stays busy forever, and count
 * the round with the wire's counters. Lock held. */
static void round_end(struct pipeline *p, const size_t *due, size_t k, struct answer *out,
                      const struct engine_stats *st)
{
	for (size_t j = 0; j < k; j++) {
		bool busy = tracker_row(&p->t, due[j])->busy;
		if (out != NULL) {
			if (busy)
				post_locked(p, due[j], &out[j]);
			answer_free(&out[j]);
		} else if (busy) {
			/* A back-end that posts all did not: say so, not "pending". */
			struct answer none;
			answer_init(&none);
			none.outcome = OUT_ERROR;
			answer_set_detail(&none, "no outcome from the back-end");
			post_locked(p, due[j], &none);
			answer_free(&none);
		}
	}
	unsigned long dropped = 0;
	for (int v = 0; st != NULL && v < REPLY_VERDICT_COUNT; v++)
		dropped += st->dropped[v];
	tracker_round_done(&p->t, dropped, st ? st->stray : 0, st ? st->ports : 0);
	if (p->log != NULL) {
		tracker_evaluate(&p->t);
		eventlog_sweep(p->log, &p->t, k, clock_mono());
	}
}

/* Lock held on entry and exit; dropped while the queries are out. */
static void ask_round(struct pipeline *p, size_t k, double now)
{
	struct engine_stats st;

	for (size_t j = 0; j < k; j++) {
		tracker_asked(&p->t, p->due[j], now);
		p->jobs[j] = row_job(p, p->due[j]);
	}
	pthread_mutex_unlock(&p->lock);
	changed(p);
	memset(&st, 0, sizeof st);
	p->be.ask(p->be.ctx, p->jobs, k, p->out, on_answer, p, &st);
	pthread_mutex_lock(&p->lock);
	round_end(p, p->due, k, p->out, &st);
}

void pipeline_truth_round(struct pipeline *p)
{
	const struct resolver *via[TRACK_TRUTH_VIA];
	struct truth_opts o = { via, 0, NULL, 0, p->family };
	struct expected fresh;

	/* Find the zone's servers through resolvers that answered: a silent
	 * one would cost a timeout at every step of the search. */
	for (size_t i = 0; !p->truth_via && i < p->t.n && o.nvia < TRACK_TRUTH_VIA; i++)
		if (status_usable(tracker_status(&p->t, i)))
			via[o.nvia++] = p->targets[i];
	for (size_t i = 0; !p->truth_via && o.nvia == 0 && i < p->t.n && i < TRACK_TRUTH_VIA; i++)
		via[i] = p->targets[i], o.nvia = i + 1;
	/* Probes cannot be asked from here: local resolvers find the servers. */
	for (size_t i = 0; p->truth_via && i < p->ntruth_via && i < TRACK_TRUTH_VIA; i++)
		via[i] = p->truth_via[i], o.nvia = i + 1;
	o.servers = tracker_truth_servers(&p->t, &o.nservers);
	p->t.truth_busy = true;
	p->t.version++;
	pthread_mutex_unlock(&p->lock);
	changed(p);
	if (p->be.truth(p->be.truth_ctx, p->t.cfg.q, &o, &fresh) < 0)
		snprintf(fresh.problem, sizeof fresh.problem, "out of memory");
	pthread_mutex_lock(&p->lock);
	tracker_truth_install(&p->t, &fresh, clock_mono());
	if (p->log != NULL)
		eventlog_truth(p->log, &p->t, clock_mono());
}

enum track_step pipeline_step(struct pipeline *p, double now, bool with_truth, double *until)
{
	size_t k;

	pthread_mutex_lock(&p->lock);
	if (p->hold) {
		pthread_mutex_unlock(&p->lock);
		*until = INFINITY;
		return STEP_IDLE;
	}
	enum track_step step = tracker_next(&p->t, now, with_truth, p->due, &k, until);
	if (step == STEP_ASK && p->whole_rounds) {
		k = 0;
		for (size_t i = 0; i < p->t.n; i++)
			if (!tracker_row(&p->t, i)->busy)
				p->due[k++] = i;
	}
	if (step == STEP_TRUTH)
		pipeline_truth_round(p);
	else if (step == STEP_ASK)
		ask_round(p, k, now);
	pthread_mutex_unlock(&p->lock);
	if (step != STEP_IDLE)
		changed(p);
	return step;
}

/* ---- sets --------------------------------------------------------------- */

void pipeline_set_init(struct pipeline_set *s, const struct pipeline_backend *be)
{
	memset(s, 0, sizeof *s);
	s->be = *be;
}

void pipeline_set_one(struct pipeline_set *s, struct pipeline *p)
{
	memset(s, 0, sizeof *s);
	s->one[0] = p;
	s->v = s->one;
	s->n = 1;
	s->be = p->be;
}

void pipeline_set_free(struct pipeline_set *s)
{
	if (s->v != s->one)
		free(s->v);
	free(s->owner);
	free(s->row);
	free(s->jobs);
	free(s->out);
	memset(s, 0, sizeof *s);
}

int pipeline_set_add(struct pipeline_set *s, struct pipeline *p)
{
	size_t rows = p->t.n;
	for (size_t i = 0; i < s->n; i++)
		rows += s->v[i]->t.n;
	struct pipeline **v = realloc(s->v == s->one ? NULL : s->v, (s->n + 1) * sizeof *v);
	if (v == NULL)
		return PW_ENOMEM;
	if (s->v == s->one)
		v[0] = s->one[0];
	s->v = v;
	if (rows > s->cap) {
		struct pipeline **owner = realloc(s->owner, rows * sizeof *owner);
		if (owner != NULL)
			s->owner = owner;
		size_t *row = realloc(s->row, rows * sizeof *row);
		if (row != NULL)
			s->row = row;
		struct engine_job *jobs = realloc(s->jobs, rows * sizeof *jobs);
		if (jobs != NULL)
			s->jobs = jobs;
		struct answer *out = s->be.posts_all ? NULL : realloc(s->out, rows * sizeof *out);
		if (out != NULL)
			s->out = out;
		if (owner == NULL || row == NULL || jobs == NULL ||
		    (out == NULL && !s->be.posts_all))
			return PW_ENOMEM;
		s->cap = rows;
	}
	s->v[s->n++] = p;
	return PW_OK;
}

/* Each answer of a set's round goes to the member and row it was for. */
static void on_set_answer(void *ctx, size_t idx, struct answer *a)
{
	struct pipeline_set *s = ctx;
	post(s->owner[idx], s->row[idx], a);
}

/* One round over the due rows of every member. */
static enum track_step set_round(struct pipeline_set *s, double now, double *until)
{
	size_t k = 0;
	double next = INFINITY;
	for (size_t m = 0; m < s->n; m++) {
		struct pipeline *p = s->v[m];
		size_t nd;
		double u;
		pthread_mutex_lock(&p->lock);
		enum track_step st = p->hold ? STEP_IDLE
		                             : tracker_next(&p->t, now, false, p->due, &nd, &u);
		for (size_t j = 0; st == STEP_ASK && j < nd && k < s->cap; j++, k++) {
			s->owner[k] = p;
			s->row[k] = p->due[j];
			tracker_asked(&p->t, p->due[j], now);
			s->jobs[k] = row_job(p, p->due[j]);
		}
		if (st == STEP_IDLE && !p->hold && u < next)
			next = u;
		pthread_mutex_unlock(&p->lock);
	}
	if (k == 0) {
		*until = next;
		return STEP_IDLE;
	}
	for (size_t m = 0; m < s->n; m++)
		changed(s->v[m]);
	struct engine_stats st;
	memset(&st, 0, sizeof st);
	s->be.ask(s->be.ctx, s->jobs, k, s->out, on_set_answer, s, &st);
	/* Each member's jobs are contiguous; the wire's counters go to the
	 * first member asked, so they are counted once. */
	const struct engine_stats *counters = &st;
	for (size_t j = 0; j < k;) {
		struct pipeline *p = s->owner[j];
		size_t e = j;
		while (e < k && s->owner[e] == p)
			e++;
		pthread_mutex_lock(&p->lock);
		round_end(p, s->row + j, e - j, s->out != NULL ? s->out + j : NULL, counters);
		pthread_mutex_unlock(&p->lock);
		changed(p);
		counters = NULL;
		j = e;
	}
	return STEP_ASK;
}

enum track_step pipeline_set_step(struct pipeline_set *s, double now, bool with_truth,
                                  double *until)
{
	if (s->v == s->one)
		return pipeline_step(s->v[0], now, with_truth, until);
	for (size_t m = 0; with_truth && m < s->n; m++) {
		struct pipeline *p = s->v[m];
		pthread_mutex_lock(&p->lock);
		if (!p->hold && tracker_truth_ready(&p->t, now, NULL)) {
			pipeline_truth_round(p);
			pthread_mutex_unlock(&p->lock);
			changed(p);
			return STEP_TRUTH;
		}
		pthread_mutex_unlock(&p->lock);
	}
	enum track_step st = set_round(s, now, until);
	/* tracker_next() saw rows only; the next look at a truth counts too. */
	for (size_t m = 0; st == STEP_IDLE && with_truth && m < s->n; m++) {
		const struct tracker *t = &s->v[m]->t;
		pthread_mutex_lock(&s->v[m]->lock);
		if (t->rounds > 0 && !t->truth_busy && t->truth_due < *until)
			*until = t->truth_due;
		pthread_mutex_unlock(&s->v[m]->lock);
	}
	return st;
}
