/*
 * monitor.c -- the scheduler thread around the pipeline.
 *
 * Locking: the pipeline's lock guards the tracker and the flags below.
 * pipeline_step() takes it itself and drops it while queries are out;
 * the engine's workers take it for each answer they post; the UI thread
 * takes it only to copy the model or pass on a key.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "monitor.h"
#include "pipeline.h"

struct monitor {
	struct pipeline *p;   /* the model and where answers come from */
	pthread_t thread;     /* the scheduler */
	bool started;         /* thread was created, so must be joined */
	pthread_t truther;    /* the thread that looks at the ground truth */
	bool truther_started; /* likewise */
	int efd;              /* eventfd that wakes the UI thread */
	pthread_cond_t cond;  /* wakes the scheduler: quit, pause, query now (p->lock) */
	pthread_cond_t tcond; /* wakes the truth thread: an answer, a kick, quit (p->lock) */
	bool quit;            /* the scheduler should end */
	bool paused;          /* no new queries until resumed */
	bool kick;            /* the user asked to query everything now */
	bool oneshot;         /* ... while paused: one round despite the pause */
};

static void wake_ui(struct monitor *m)
{
	uint64_t one = 1;
	/* A full counter (EAGAIN) still reads as readable: nothing is lost. */
	if (write(m->efd, &one, sizeof one) < 0 && errno != EAGAIN)
		return;
}

/* The pipeline's hook after every change: the UI redraws, and the truth
 * thread looks whether enough resolvers have answered to start. */
static void changed(void *ctx)
{
	struct monitor *m = ctx;
	wake_ui(m);
	pthread_cond_signal(&m->tcond);
}

/* Lock held. Sleep on c until `until` (monotonic seconds) or a signal. */
static void wait_until(struct monitor *m, pthread_cond_t *c, double until)
{
	if (isinf(until)) {
		pthread_cond_wait(c, &m->p->lock);
		return;
	}
	struct timespec ts;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - floor(until)) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	pthread_cond_timedwait(c, &m->p->lock, &ts);
}

/* The truth thread: a look whenever the tracker says it is ready. */
static void *truther(void *arg)
{
	struct monitor *m = arg;
	struct tracker *t = &m->p->t;

	pthread_mutex_lock(&m->p->lock);
	while (!m->quit) {
		double now = clock_mono();
		double when;
		if (!(m->paused && !m->oneshot) && tracker_truth_ready(t, now, &when)) {
			pipeline_truth_round(m->p); /* drops the lock while asking */
			pthread_mutex_unlock(&m->p->lock);
			wake_ui(m);
			pthread_mutex_lock(&m->p->lock);
			continue;
		}
		/* Due later, or waiting for answers (a post wakes us), or paused. */
		wait_until(m, &m->tcond, m->paused ? INFINITY : when);
	}
	pthread_mutex_unlock(&m->p->lock);
	return NULL;
}

static void *scheduler(void *arg)
{
	struct monitor *m = arg;
	struct pipeline *p = m->p;

	pthread_mutex_lock(&p->lock);
	while (!m->quit) {
		double now = clock_mono(), until;
		if (m->kick) {
			m->kick = false;
			m->oneshot = m->paused;
			p->hold = false;
			tracker_kick(&p->t, now);
		}
		if (m->paused && !m->oneshot) {
			wait_until(m, &m->cond, INFINITY);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		enum track_step step = pipeline_step(p, now, false, &until);
		pthread_mutex_lock(&p->lock);
		if (step != STEP_IDLE || m->quit || m->kick)
			continue;
		if (m->oneshot) {
			m->oneshot = false; /* `r` while paused: done, pause again */
			p->hold = m->paused;
		} else
			wait_until(m, &m->cond, until);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void monitor_free(struct monitor *m)
{
	if (m->efd >= 0)
		close(m->efd);
	pthread_cond_destroy(&m->cond);
	pthread_cond_destroy(&m->tcond);
	free(m);
}

int monitor_start(struct monitor **out, struct pipeline *p)
{
	struct monitor *m = calloc(1, sizeof *m);
	pthread_condattr_t ca;

	*out = NULL;
	if (m == NULL)
		return PW_ENOMEM;
	m->p = p;
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* Deadlines are monotonic: a wall-clock step must not stall the scheduler. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_cond_init(&m->tcond, &ca);
	pthread_condattr_destroy(&ca);
	if (m->efd < 0) {
		monitor_free(m);
		return PW_EIO;
	}
	p->on_change = changed;
	p->hook_ctx = m;
	if (pthread_create(&m->thread, NULL, scheduler, m) != 0) {
		monitor_free(m);
		return PW_ETHREAD;
	}
	m->started = true;
	if (pthread_create(&m->truther, NULL, truther, m) != 0) {
		monitor_stop(m);
		return PW_ETHREAD;
	}
	m->truther_started = true;
	*out = m;
	return 0;
}

void monitor_stop(struct monitor *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->p->lock);
	m->quit = true;
	pthread_cond_signal(&m->cond);
	pthread_cond_signal(&m->tcond);
	pthread_mutex_unlock(&m->p->lock);
	/* Do not wait out the queries in flight (timeout x tries). */
	if (m->p->be.cancel != NULL)
		m->p->be.cancel(m->p->be.ctx, m->p->be.truth_ctx);
	if (m->started)
		pthread_join(m->thread, NULL);
	if (m->truther_started)
		pthread_join(m->truther, NULL);
	m->p->on_change = NULL;
	monitor_free(m);
}

int monitor_fd(const struct monitor *m)
{
	return m->efd;
}

void monitor_ack(struct monitor *m)
{
	uint64_t v;
	while (read(m->efd, &v, sizeof v) == (ssize_t)sizeof v)
		;
}

void monitor_query_now(struct monitor *m)
{
	pthread_mutex_lock(&m->p->lock);
	m->kick = true;
	pthread_cond_signal(&m->cond);
	pthread_cond_signal(&m->tcond);
	pthread_mutex_unlock(&m->p->lock);
}

void monitor_pause(struct monitor *m, bool paused)
{
	pthread_mutex_lock(&m->p->lock);
	m->paused = paused;
	m->oneshot = false;
	m->p->hold = paused; /* no round starts after this, even one decided already */
	m->p->t.version++;
	pthread_cond_signal(&m->cond);
	pthread_cond_signal(&m->tcond);
	pthread_mutex_unlock(&m->p->lock);
	wake_ui(m);
}

/* Lock held. When anything is next due. */
static double next_query(const struct monitor *m)
{
	const struct tracker *t = &m->p->t;
	double next = m->paused ? INFINITY : t->truth_busy ? INFINITY : t->truth_due;
	for (size_t i = 0; !m->paused && i < t->n; i++) {
		const struct track_row *r = tracker_row(t, i);
		if (!r->busy && r->next_due < next)
			next = r->next_due;
	}
	return next;
}

int monitor_snapshot(struct monitor *m, struct tracker *copy, struct mon_live *live)
{
	pthread_mutex_lock(&m->p->lock);
	int rc = tracker_copy(copy, &m->p->t);
	live->paused = m->paused;
	live->next_query = next_query(m);
	pthread_mutex_unlock(&m->p->lock);
	if (rc > 0 && tracker_evaluate(copy) < 0)
		return PW_ENOMEM;
	return rc;
}
