/*
 * pipeline.c -- a step of the loop: ask the truth, or ask who is due.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
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
	struct pipeline_backend be = { e, truth_e, engine_backend_ask, engine_backend_truth,
		                       engine_backend_cancel };
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
	p->out = calloc(n, sizeof *p->out);
	if (p->targets == NULL || p->due == NULL || p->jobs == NULL || p->out == NULL) {
		pipeline_free(p);
		return PW_ENOMEM;
	}
	memcpy(p->targets, targets, cfg->list->n * sizeof *p->targets);
	for (size_t i = 0; i < n; i++)
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

/* Called by the back-end (an engine worker) as each answer is final. */
static void on_answer(void *ctx, size_t idx, struct answer *a)
{
	struct pipeline *p = ctx;

	pthread_mutex_lock(&p->lock);
	size_t row = p->due[idx];
	tracker_post(&p->t, row, a, clock_mono());
	if (p->on_post != NULL)
		p->on_post(p->hook_ctx, &p->t, row);
	pthread_mutex_unlock(&p->lock);
	changed(p);
}

/* Lock held on entry and exit; dropped while the queries are out. */
static void ask_round(struct pipeline *p, size_t k, double now)
{
	struct engine_stats st;

	for (size_t j = 0; j < k; j++) {
		size_t i = p->due[j];
		tracker_asked(&p->t, i, now);
		p->jobs[j] = (struct engine_job){ p->targets[i], p->t.cfg.q,
			                          tracker_row(&p->t, i)->no_0x20 ? JOB_NO_0X20 : 0,
			                          0 };
	}
	pthread_mutex_unlock(&p->lock);
	changed(p);
	memset(&st, 0, sizeof st);
	p->be.ask(p->be.ctx, p->jobs, k, p->out, on_answer, p, &st);
	pthread_mutex_lock(&p->lock);
	/* Every job should have been posted by now; anything left is taken
	 * as the back-end left it, so no resolver stays busy forever. */
	for (size_t j = 0; j < k; j++) {
		if (tracker_row(&p->t, p->due[j])->busy)
			tracker_post(&p->t, p->due[j], &p->out[j], clock_mono());
		answer_free(&p->out[j]);
	}
	unsigned long dropped = 0;
	for (int v = 0; v < REPLY_VERDICT_COUNT; v++)
		dropped += st.dropped[v];
	tracker_round_done(&p->t, dropped, st.stray, st.ports);
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
