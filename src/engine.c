/*
 * engine.c -- the worker pool behind engine_run().
 *
 * Threads are started once per engine and wait for sweeps; each sweep is cut
 * into one contiguous slice per worker, so workers share nothing on the hot
 * path and merge their counters once at the end.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "engine_int.h"
#include "error.h"

struct engine {
	struct engine_opts opts;   /* as given to engine_new() */
	pthread_t *threads;        /* the workers */
	int nthreads;              /* how many started */
	pthread_mutex_t lock;      /* guards everything below */
	pthread_cond_t work;       /* a new sweep or shutdown */
	pthread_cond_t done;       /* the last worker finished its slice */
	const struct sweep *sweep; /* the current sweep, NULL when idle */
	unsigned long generation;  /* bumps per sweep so workers run each once */
	int running;               /* workers still in the current sweep */
	bool stop;                 /* engine_free() was called */
	struct engine_stats stats; /* counters merged by the workers */
	volatile int cancel;       /* engine_cancel() was called: shutting down */
};

struct worker_arg {
	struct engine *e; /* the pool */
	int index;        /* this worker's slice number */
};

uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void stats_add(struct engine_stats *to, const struct engine_stats *from)
{
	to->sent += from->sent;
	to->answered += from->answered;
	to->stray += from->stray;
	to->tcp += from->tcp;
	to->icmp += from->icmp;
	for (int i = 0; i < REPLY_VERDICT_COUNT; i++)
		to->dropped[i] += from->dropped[i];
}

unsigned long engine_stats_dropped(const struct engine_stats *s)
{
	unsigned long n = 0;
	for (int i = 0; i < REPLY_VERDICT_COUNT; i++)
		n += s->dropped[i];
	return n;
}

static void *worker_main(void *p)
{
	struct worker_arg *arg = p;
	struct engine *e = arg->e;
	unsigned long seen = 0;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->stop && e->generation == seen)
			pthread_cond_wait(&e->work, &e->lock);
		if (e->stop)
			break;
		seen = e->generation;
		const struct sweep *sw = e->sweep;
		pthread_mutex_unlock(&e->lock);

		struct engine_stats st;
		memset(&st, 0, sizeof st);
		worker_run(sw, arg->index, e->nthreads, &st);

		pthread_mutex_lock(&e->lock);
		stats_add(&e->stats, &st);
		if (--e->running == 0)
			pthread_cond_signal(&e->done);
	}
	pthread_mutex_unlock(&e->lock);
	free(arg);
	return NULL;
}

int engine_new(struct engine **out, const struct engine_opts *opts)
{
	struct engine *e = calloc(1, sizeof *e);

	*out = NULL;
	if (e == NULL)
		return PW_ENOMEM;
	e->opts = *opts;
	if (e->opts.threads < 1)
		e->opts.threads = 1;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->work, NULL);
	pthread_cond_init(&e->done, NULL);
	e->threads = calloc((size_t)e->opts.threads, sizeof *e->threads);
	if (e->threads == NULL) {
		engine_free(e);
		return PW_ENOMEM;
	}
	for (int i = 0; i < e->opts.threads; i++) {
		struct worker_arg *arg = malloc(sizeof *arg);
		if (arg == NULL) {
			engine_free(e);
			return PW_ENOMEM;
		}
		arg->e = e;
		arg->index = i;
		if (pthread_create(&e->threads[i], NULL, worker_main, arg) != 0) {
			free(arg);
			engine_free(e);
			return PW_ETHREAD;
		}
		e->nthreads++;
	}
	*out = e;
	return PW_OK;
}

void engine_cancel(struct engine *e)
{
	/* Workers poll this at least every CANCEL_POLL_MS. */
	__atomic_store_n(&e->cancel, 1, __ATOMIC_RELAXED);
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_broadcast(&e->work);
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < e->nthreads; i++)
		pthread_join(e->threads[i], NULL);
	free(e->threads);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->work);
	pthread_cond_destroy(&e->done);
	free(e);
}

int engine_run(struct engine *e, const struct query *q, const struct resolver *const *targets,
               size_t n, struct answer *out, engine_cb cb, void *ctx, struct engine_stats *stats)
{
	struct sweep sw = { q, targets, n, out, cb, ctx, &e->opts, &e->cancel };
	uint64_t t0 = mono_ns();

	for (size_t i = 0; i < n; i++)
		answer_init(&out[i]);
	pthread_mutex_lock(&e->lock);
	memset(&e->stats, 0, sizeof e->stats);
	if (n > 0) {
		e->sweep = &sw;
		e->running = e->nthreads;
		e->generation++;
		pthread_cond_broadcast(&e->work);
		while (e->running > 0)
			pthread_cond_wait(&e->done, &e->lock);
		e->sweep = NULL;
	}
	e->stats.elapsed = (double)(mono_ns() - t0) / 1e9;
	if (stats != NULL)
		*stats = e->stats;
	pthread_mutex_unlock(&e->lock);
	return PW_OK;
}
