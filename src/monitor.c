/*
 * monitor.c -- the dashboard's model and its scheduler thread.
 *
 * Locking: one mutex guards everything in struct monitor below it, except
 * what is marked "scheduler only". The scheduler holds it except while it
 * waits in engine_run() or fetches ground truth; the engine's workers take
 * it for each answer they post; the UI thread takes it only to copy a
 * snapshot or pass on a key (pause, query now).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine.h"
#include "error.h"
#include "monitor.h"
#include "reslist.h"
#include "setup.h"

/* Timeline points kept; when full, every other one is dropped, so memory
 * stays bounded however long the dashboard runs. */
#define TIMELINE_MAX 2048
/* Answers within this many seconds make one point of the timeline. */
#define TIMELINE_MERGE 0.25
/* Found the zone's servers through the resolvers: ask those servers
 * directly this many times before looking for them again (NS changes are
 * rare, and the search costs several rounds of queries). */
#define REDISCOVER_EVERY 12

struct monitor {
	struct session *s; /* options, resolvers, engine, query */
	pthread_t thread;  /* the scheduler */
	bool started;      /* thread was created, so must be joined */
	int efd;           /* eventfd that wakes the UI thread */

	pthread_mutex_t lock;  /* guards every field below */
	pthread_cond_t cond;   /* wakes the scheduler: quit, pause, query now */
	bool quit;             /* the scheduler should end */
	bool paused;           /* no new queries until resumed */
	bool kick;             /* the user asked to query everything now */
	bool oneshot;          /* ... while paused: one round despite the pause */
	bool querying;         /* engine_run() is under way */
	bool fetching_truth;   /* session_truth() is under way */
	unsigned long version; /* bumped on every change a snapshot would show */

	size_t n;                 /* resolvers */
	struct answer *answers;   /* latest final answer of each, classified */
	struct ttl_track *tracks; /* TTL history of each */
	struct mon_rowinfo *info; /* scheduling and history of each */
	size_t count[ST_COUNT];   /* resolvers per status, for the timeline */

	struct expected truth;       /* ground truth in force (a copy we own) */
	bool have_truth;             /* a fetch has been installed */
	double truth_at;             /* when it was fetched */
	double truth_due;            /* when to fetch it again; INFINITY for --expect */
	unsigned truth_changes;      /* times "new" changed */
	unsigned truth_fetches;      /* looks at the ground truth so far (scheduler only) */
	struct resolver *auth_found; /* the zone's servers as last discovered (scheduler only) */
	size_t nauth_found;          /* how many; 0 means discover next time (scheduler only) */
	char note[320];              /* problem to show, "" if none */

	struct mon_sample *timeline; /* share over time */
	size_t ntimeline;            /* points used */

	unsigned rounds;     /* engine_run() rounds finished */
	unsigned long asked; /* resolvers asked in all */
	double start;        /* monotonic seconds at start */
	time_t start_wall;   /* wall clock at start */

	/* Scratch for one round, used by the scheduler and the callback. */
	size_t *due;                 /* resolver index of each target */
	const struct resolver **sub; /* the targets */
	struct answer *out;          /* engine_run()'s output array */
};

static double now_s(void)
{
	return (double)mono_ns() / 1e9;
}

static void wake_ui(struct monitor *m)
{
	uint64_t one = 1;
	/* A full counter (EAGAIN) still reads as readable: nothing is lost. */
	if (write(m->efd, &one, sizeof one) < 0 && errno != EAGAIN)
		return;
}

int mon_answer_copy(struct answer *dst, const struct answer *src)
{
	*dst = *src;
	dst->records = NULL;
	dst->nrecords = 0;
	dst->key = dst->soa_owner = NULL;
	if (records_copy(src->records, src->nrecords, &dst->records, &dst->nrecords) < 0)
		goto fail;
	if (src->key != NULL && (dst->key = strdup(src->key)) == NULL)
		goto fail;
	if (src->soa_owner != NULL && (dst->soa_owner = strdup(src->soa_owner)) == NULL)
		goto fail;
	return 0;
fail:
	answer_free(dst);
	return PW_ENOMEM;
}

int mon_expected_copy(struct expected *dst, const struct expected *src)
{
	memset(dst, 0, sizeof *dst);
	dst->source = src->source;
	dst->rcode = src->rcode;
	dst->auth_ttl = src->auth_ttl;
	dst->disagree = src->disagree;
	memcpy(dst->problem, src->problem, sizeof dst->problem);
	if (records_copy(src->records, src->nrecords, &dst->records, &dst->nrecords) < 0)
		goto fail;
	if (src->key != NULL && (dst->key = strdup(src->key)) == NULL)
		goto fail;
	if (src->zone != NULL && (dst->zone = strdup(src->zone)) == NULL)
		goto fail;
	if (src->nauth > 0) {
		if ((dst->auth = calloc(src->nauth, sizeof *dst->auth)) == NULL)
			goto fail;
		for (size_t i = 0; i < src->nauth; i++) {
			const struct auth_server *a = &src->auth[i];
			struct auth_server *b = &dst->auth[i];
			*b = *a;
			b->name = NULL;
			answer_init(&b->ans);
			answer_init(&b->soa);
			dst->nauth++;
			if ((a->name && (b->name = strdup(a->name)) == NULL) ||
			    mon_answer_copy(&b->ans, &a->ans) < 0 ||
			    mon_answer_copy(&b->soa, &a->soa) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	expected_free(dst);
	return PW_ENOMEM;
}

bool mon_truth_serial(const struct expected *e, uint32_t *serial)
{
	bool found = false;
	for (size_t i = 0; i < e->nauth; i++) {
		const struct auth_server *a = &e->auth[i];
		if (!a->usable || !a->soa.has_soa)
			continue;
		/* RFC 1982 serial arithmetic: newer if ahead by less than half the space. */
		if (!found || (int32_t)(a->soa.soa_serial - *serial) > 0)
			*serial = a->soa.soa_serial;
		found = true;
	}
	return found;
}

/* Would answers be classified differently under b than under a? */
static bool truth_differs(const struct expected *a, const struct expected *b)
{
	if (a->source == EXP_NONE || b->source == EXP_NONE)
		return a->source != b->source;
	if (a->rcode != b->rcode || a->nrecords != b->nrecords)
		return true;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "") != 0;
}

/* Lock held. Add a timeline point for the counts now. */
static void sample(struct monitor *m, double now)
{
	size_t usable = m->count[ST_NEW] + m->count[ST_STALE] + m->count[ST_NXDOMAIN] +
	                m->count[ST_NODATA];
	if (usable == 0 && m->ntimeline == 0)
		return; /* nothing to plot before the first usable answer */
	struct mon_sample p = { now, usable ? 100.0 * (double)m->count[ST_NEW] / (double)usable : 0,
		                m->count[ST_NEW], usable };
	if (m->ntimeline > 0 && now - m->timeline[m->ntimeline - 1].at < TIMELINE_MERGE &&
	    (m->ntimeline < 2 || now - m->timeline[m->ntimeline - 2].at >= TIMELINE_MERGE)) {
		/* A round's answers come within milliseconds: one point for all
		 * of them, keeping the point before the round as it was. */
		m->timeline[m->ntimeline - 1] = p;
		return;
	}
	if (m->ntimeline == TIMELINE_MAX) {
		size_t k = 0;
		for (size_t i = 0; i < m->ntimeline; i += 2)
			m->timeline[k++] = m->timeline[i];
		m->ntimeline = k;
	}
	m->timeline[m->ntimeline++] = p;
}

/* Lock held. Classify answer i against the truth in force, count it, and
 * remember when its status changed. */
static void classify(struct monitor *m, size_t i, enum pw_status before, double now)
{
	struct answer *a = &m->answers[i];
	struct mon_rowinfo *r = &m->info[i];

	compare_classify(a, &m->truth);
	m->count[before]--;
	m->count[a->status]++;
	if (a->status == before)
		return;
	r->changed_at = now;
	if (r->nhist == MON_HISTORY) {
		memmove(r->hist, r->hist + 1, (MON_HISTORY - 1) * sizeof *r->hist);
		r->nhist--;
	}
	long ttl = a->nrecords ? a->ttl : a->neg_ttl;
	r->hist[r->nhist++] = (struct mon_change){ now, before, a->status, ttl };
	r->nchanges++;
}

/* Lock held. Take the final answer of resolver i (moved out of *a). */
static void post(struct monitor *m, size_t i, struct answer *a)
{
	const struct pw_params *p = &m->s->params;
	double now = now_s();
	enum pw_status before = m->answers[i].status;

	answer_free(&m->answers[i]);
	m->answers[i] = *a;
	answer_init(a); /* the engine's copy no longer owns the strings */
	const struct answer *got = &m->answers[i];
	double at = got->at > 0 ? got->at : now;
	classify(m, i, before, at);
	ttl_observe(&m->tracks[i], got, got->status == ST_NEW, m->truth.auth_ttl, at);
	m->info[i].busy = false;
	m->info[i].next_due = ttl_next_due(&m->tracks[i], m->info[i].last_ask, p->interval,
	                                   p->min_interval);
	sample(m, now);
	m->version++;
}

/* Called by an engine worker as each answer becomes final. */
static void on_answer(void *ctx, size_t idx, struct answer *a)
{
	struct monitor *m = ctx;
	pthread_mutex_lock(&m->lock);
	post(m, m->due[idx], a);
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
}

/* Lock held. Ask every resolver as soon as --min-interval allows. */
static void schedule_all(struct monitor *m, double now)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mon_rowinfo *r = &m->info[i];
		double earliest = r->last_ask < 0 ? now : r->last_ask + m->s->params.min_interval;
		r->next_due = earliest > now ? earliest : now;
	}
}

/* Lock held. Put a freshly fetched truth in force (takes over *fresh). */
static void install_truth(struct monitor *m, struct expected *fresh, double now)
{
	char when[32];

	if (fresh->source == EXP_NONE && m->have_truth && m->truth.source != EXP_NONE) {
		/* A failed look at the servers says nothing about the records:
		 * keep judging by the last good answer, and say so. */
		time_t t = m->start_wall + (time_t)(m->truth_at - m->start);
		struct tm tm;
		strftime(when, sizeof when, "%H:%M:%S", localtime_r(&t, &tm));
		snprintf(m->note, sizeof m->note, "%s; still using the answer seen at %s",
		         fresh->problem[0] ? fresh->problem : "no ground truth", when);
		expected_free(fresh);
		return;
	}
	bool changed = !m->have_truth || truth_differs(&m->truth, fresh);
	bool was_real = m->have_truth && m->truth.source != EXP_NONE;
	expected_free(&m->truth);
	m->truth = *fresh;
	memset(fresh, 0, sizeof *fresh);
	m->have_truth = true;
	m->truth_at = now;
	snprintf(m->note, sizeof m->note, "%s", m->truth.problem);
	if (changed) {
		if (was_real)
			m->truth_changes++;
		for (size_t i = 0; i < m->n; i++)
			classify(m, i, m->answers[i].status, now);
		/* Every TTL track was judged against the old truth: ask everyone
		 * again rather than trust is_new flags that are now wrong. */
		if (was_real)
			schedule_all(m, now);
		sample(m, now);
	}
	m->version++;
}

/* Remember the servers a discovery found, to ask them directly next time. */
static void keep_servers(struct monitor *m, const struct expected *e)
{
	struct resolver *v = e->nauth ? calloc(e->nauth, sizeof *v) : NULL;
	size_t k = 0;

	for (size_t i = 0; v != NULL && i < e->nauth; i++)
		if (reslist_parse_addr(e->auth[i].host, e->auth[i].port, &v[k]) == 0)
			k++;
	free(m->auth_found);
	m->auth_found = k ? v : NULL;
	m->nauth_found = k;
	if (k == 0)
		free(v);
}

/* Scheduler thread, lock not held. Ask for ground truth into *fresh:
 * without --auth, the servers found last time stand in for --auth, so a
 * refresh costs one query per server instead of a search for them. */
static void fetch_truth(struct monitor *m, struct expected *fresh)
{
	struct session *s = m->s;
	bool own_auth = s->params.nauth > 0 || s->params.nexpect > 0;
	bool discover = !own_auth &&
	                (m->nauth_found == 0 || m->truth_fetches % REDISCOVER_EVERY == 0);

	if (!own_auth) {
		s->truth.auth = discover ? NULL : m->auth_found;
		s->truth.nauth = discover ? 0 : m->nauth_found;
	}
	const struct expected *e = session_truth(s, fresh);
	if (e != fresh && mon_expected_copy(fresh, e) < 0) /* --expect: the session keeps its own */
		snprintf(fresh->problem, sizeof fresh->problem, "out of memory");
	if (!own_auth) {
		if (discover && fresh->source == EXP_AUTH)
			keep_servers(m, fresh);
		else if (fresh->source == EXP_NONE)
			m->nauth_found = 0; /* look for them again next time */
		s->truth.auth = NULL;
		s->truth.nauth = 0;
	}
	m->truth_fetches++;
}

/* Lock held (dropped while the servers are asked). */
static void refresh_truth(struct monitor *m)
{
	struct expected fresh;
	memset(&fresh, 0, sizeof fresh);

	m->fetching_truth = true;
	m->version++;
	session_prefer_via(m->s, m->answers);
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
	fetch_truth(m, &fresh);
	pthread_mutex_lock(&m->lock);
	m->fetching_truth = false;
	double now = now_s();
	install_truth(m, &fresh, now);
	m->truth_due = m->s->params.nexpect > 0 ? INFINITY : now + m->s->params.interval;
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
	pthread_mutex_lock(&m->lock);
}

/* Lock held (dropped during the round). Ask the resolvers that are due. */
static void run_round(struct monitor *m, size_t k, double now)
{
	for (size_t j = 0; j < k; j++) {
		struct mon_rowinfo *r = &m->info[m->due[j]];
		m->sub[j] = m->s->targets[m->due[j]];
		r->busy = true;
		r->last_ask = now;
		r->asked++;
	}
	m->asked += k;
	m->querying = true;
	m->version++;
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
	engine_run(m->s->engine, &m->s->query, m->sub, k, m->out, on_answer, m, NULL);
	pthread_mutex_lock(&m->lock);
	/* Every target should have been posted by on_answer(); anything left
	 * is taken as the engine left it, so no resolver stays busy forever. */
	for (size_t j = 0; j < k; j++) {
		if (m->info[m->due[j]].busy)
			post(m, m->due[j], &m->out[j]);
		answer_free(&m->out[j]);
	}
	m->querying = false;
	m->rounds++;
	m->version++;
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
	pthread_mutex_lock(&m->lock);
}

/* Lock held. Sleep until `until` (monotonic seconds) or a signal. */
static void wait_until(struct monitor *m, double until)
{
	if (isinf(until)) {
		pthread_cond_wait(&m->cond, &m->lock);
		return;
	}
	struct timespec ts;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - floor(until)) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	pthread_cond_timedwait(&m->cond, &m->lock, &ts);
}

static void *scheduler(void *arg)
{
	struct monitor *m = arg;

	pthread_mutex_lock(&m->lock);
	while (!m->quit) {
		double now = now_s();
		if (m->kick) {
			m->kick = false;
			m->oneshot = m->paused;
			schedule_all(m, now);
			if (m->s->params.nexpect == 0)
				m->truth_due = now;
		}
		if (m->paused && !m->oneshot) {
			wait_until(m, INFINITY);
			continue;
		}
		if (m->truth_due <= now) {
			refresh_truth(m);
			continue;
		}
		size_t k = 0;
		double next = m->truth_due;
		for (size_t i = 0; i < m->n; i++) {
			if (m->info[i].busy)
				continue;
			if (m->info[i].next_due <= now + 0.01)
				m->due[k++] = i;
			else if (m->info[i].next_due < next)
				next = m->info[i].next_due;
		}
		if (k > 0)
			run_round(m, k, now);
		else if (m->oneshot)
			m->oneshot = false; /* `r` while paused: done, pause again */
		else
			wait_until(m, next);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void monitor_free(struct monitor *m)
{
	for (size_t i = 0; m->answers && i < m->n; i++)
		answer_free(&m->answers[i]);
	for (size_t i = 0; m->tracks && i < m->n; i++)
		ttl_track_free(&m->tracks[i]);
	free(m->answers);
	free(m->tracks);
	free(m->info);
	free(m->timeline);
	free(m->due);
	free(m->sub);
	free(m->out);
	free(m->auth_found);
	expected_free(&m->truth);
	if (m->efd >= 0)
		close(m->efd);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int monitor_start(struct monitor **out, struct session *s)
{
	struct monitor *m = calloc(1, sizeof *m);
	pthread_condattr_t ca;

	*out = NULL;
	if (m == NULL)
		return PW_ENOMEM;
	m->s = s;
	m->n = s->list.n;
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&m->lock, NULL);
	/* Deadlines are monotonic: a wall-clock step must not stall the scheduler. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	m->answers = calloc(m->n, sizeof *m->answers);
	m->tracks = calloc(m->n, sizeof *m->tracks);
	m->info = calloc(m->n, sizeof *m->info);
	m->timeline = calloc(TIMELINE_MAX, sizeof *m->timeline);
	m->due = calloc(m->n, sizeof *m->due);
	m->sub = calloc(m->n, sizeof *m->sub);
	m->out = calloc(m->n, sizeof *m->out);
	if (m->efd < 0 || !m->answers || !m->tracks || !m->info || !m->timeline || !m->due ||
	    !m->sub || !m->out) {
		int rc = m->efd < 0 ? PW_EIO : PW_ENOMEM;
		monitor_free(m);
		return rc;
	}
	m->start = now_s();
	m->start_wall = time(NULL);
	for (size_t i = 0; i < m->n; i++) {
		answer_init(&m->answers[i]);
		answer_init(&m->out[i]);
		ttl_track_init(&m->tracks[i]);
		m->info[i].last_ask = -1;
		m->info[i].changed_at = -1;
		m->info[i].next_due = m->start;
	}
	m->count[ST_PENDING] = m->n;
	m->truth_due = m->start; /* ground truth first, then everyone */
	m->truth_at = -1;
	if (pthread_create(&m->thread, NULL, scheduler, m) != 0) {
		monitor_free(m);
		return PW_ETHREAD;
	}
	m->started = true;
	*out = m;
	return 0;
}

void monitor_stop(struct monitor *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->quit = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	/* Do not wait out the queries in flight (timeout x tries). */
	engine_cancel(m->s->engine);
	if (m->started)
		pthread_join(m->thread, NULL);
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
	pthread_mutex_lock(&m->lock);
	m->kick = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void monitor_pause(struct monitor *m, bool paused)
{
	pthread_mutex_lock(&m->lock);
	m->paused = paused;
	m->oneshot = false;
	m->version++;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	wake_ui(m);
}

void mon_snapshot_free(struct mon_snapshot *snap)
{
	for (size_t i = 0; snap->answers && i < snap->n; i++)
		answer_free(&snap->answers[i]);
	free(snap->answers);
	free(snap->tracks);
	free(snap->info);
	free(snap->timeline);
	expected_free(&snap->truth);
	memset(snap, 0, sizeof *snap);
}

/* Lock held. The fields that change with time and state, not data. */
static void copy_live(const struct monitor *m, struct mon_snapshot *snap)
{
	double next = m->paused ? INFINITY : m->truth_due;
	for (size_t i = 0; !m->paused && i < m->n; i++)
		if (!m->info[i].busy && m->info[i].next_due < next)
			next = m->info[i].next_due;
	snap->next_query = next;
	snap->paused = m->paused;
	snap->querying = m->querying;
	snap->fetching_truth = m->fetching_truth;
}

int monitor_snapshot(struct monitor *m, struct mon_snapshot *snap)
{
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	copy_live(m, snap);
	if (snap->answers != NULL && snap->version == m->version)
		goto out;
	mon_snapshot_free(snap);
	snap->n = m->n;
	snap->answers = calloc(m->n ? m->n : 1, sizeof *snap->answers);
	snap->tracks = calloc(m->n ? m->n : 1, sizeof *snap->tracks);
	snap->info = calloc(m->n ? m->n : 1, sizeof *snap->info);
	snap->timeline = calloc(m->ntimeline ? m->ntimeline : 1, sizeof *snap->timeline);
	if (!snap->answers || !snap->tracks || !snap->info || !snap->timeline)
		goto nomem;
	for (size_t i = 0; i < m->n; i++) {
		if (mon_answer_copy(&snap->answers[i], &m->answers[i]) < 0) {
			snap->n = i; /* free only what was copied */
			goto nomem;
		}
		snap->tracks[i] = m->tracks[i];
		snap->tracks[i].key = NULL; /* ttl_eta() does not need it */
	}
	memcpy(snap->info, m->info, m->n * sizeof *snap->info);
	memcpy(snap->timeline, m->timeline, m->ntimeline * sizeof *snap->timeline);
	snap->ntimeline = m->ntimeline;
	if (mon_expected_copy(&snap->truth, &m->truth) < 0)
		goto nomem;
	snap->truth_at = m->have_truth ? m->truth_at : -1;
	snap->truth_changes = m->truth_changes;
	memcpy(snap->note, m->note, sizeof snap->note);
	snap->rounds = m->rounds;
	snap->asked = m->asked;
	snap->start = m->start;
	snap->start_wall = m->start_wall;
	snap->version = m->version;
	copy_live(m, snap);
	rc = 1;
out:
	pthread_mutex_unlock(&m->lock);
	return rc;
nomem:
	pthread_mutex_unlock(&m->lock);
	mon_snapshot_free(snap);
	return PW_ENOMEM;
}
