/*
 * check.c -- `propwatch check`: one sweep, or rounds until --wait runs out.
 *
 * With --wait, a resolver serving the old answer is asked again just after
 * its cached TTL should run out (ttl_next_due), the others every --interval,
 * so the gate passes as early as it can with few queries; and the wait is
 * given up at once when a cache's expiry already lies past the deadline.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "duration.h"
#include "engine.h"
#include "msg.h"
#include "out.h"
#include "report.h"
#include "setup.h"
#include "ttl.h"

/* Never ask one resolver twice within this many seconds. */
#define MIN_GAP 1.0

struct checker {
	struct session s;            /* options, resolvers, engine */
	struct report r;             /* what the views print */
	struct expected truth;       /* ground truth of the latest look (not --expect) */
	struct ttl_track *tracks;    /* TTL history per resolver */
	double *last_ask;            /* when each resolver was last asked */
	size_t *due;                 /* scratch: indices asked in a round */
	const struct resolver **sub; /* scratch: their resolvers */
	struct answer *fresh;        /* scratch: their answers */
	double start;                /* when the check began */
	double truth_at;             /* when ground truth was last fetched */
	char note[256];              /* why the wait stopped early */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double now_s(void)
{
	return (double)mono_ns() / 1e9;
}

/* Sleep until `until` (monotonic seconds), waking early on a signal. */
static void nap_until(double until)
{
	double sec = until - now_s();
	if (sec <= 0)
		return;
	struct timespec ts = { (time_t)sec, (long)((sec - floor(sec)) * 1e9) };
	while (!interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void refresh_truth(struct checker *c)
{
	expected_free(&c->truth);
	c->r.exp = session_truth(&c->s, &c->truth);
	c->truth_at = now_s();
}

/* Ask resolvers c->due[0..n) and take their answers into the report. */
static void ask(struct checker *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		c->sub[k] = c->s.targets[c->due[k]];
	engine_run(c->s.engine, &c->s.query, c->sub, n, c->fresh, NULL, NULL, &c->r.stats);
	double now = now_s();
	for (size_t k = 0; k < n; k++) {
		size_t i = c->due[k];
		answer_free(&c->r.answers[i]);
		c->r.answers[i] = c->fresh[k];
		c->last_ask[i] = now;
	}
	c->r.sweeps++;
}

/* Classify, decide, and feed this round's answers to the TTL tracks. */
static void evaluate(struct checker *c, size_t nasked)
{
	const struct pw_params *p = &c->s.params;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->r.now = now_s();
	c->r.wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	c->r.when = ts.tv_sec;
	c->r.elapsed = c->r.now - c->start;
	report_build(&c->r, &p->threshold, p->min_answers);
	for (size_t k = 0; k < nasked; k++) {
		const struct answer *a = &c->r.answers[c->due[k]];
		ttl_observe(&c->tracks[c->due[k]], a, a->status == ST_NEW, c->r.exp->auth_ttl,
		            a->at > 0 ? a->at : c->r.now);
	}
	/* ETAs read the tracks just updated. */
	report_eta(&c->r);
}

/* Can the gate still pass by `deadline`? If not, say why in c->note. */
static int hopeless(struct checker *c, double deadline)
{
	const struct summary *sm = &c->r.sum;
	const struct pw_params *p = &c->s.params;
	size_t could = sm->count[ST_NEW], late = 0;
	double latest = 0;

	if (c->r.exp->source == EXP_NONE)
		return 0;
	for (size_t i = 0; i < c->s.list.n; i++) {
		const struct answer *a = &c->r.answers[i];
		if (!status_usable(a->status) || a->status == ST_NEW)
			continue;
		double eta = ttl_eta(&c->tracks[i], c->r.now);
		/* After a jump (stale serve or refetch, not yet told apart) the
		 * new answer may come at the next look: no reason to give up. */
		if (eta < 0 || c->tracks[i].jumped ||
		    c->r.now + eta + TTL_REQUERY_SLACK <= deadline) {
			could++;
		} else {
			late++;
			if (eta > latest)
				latest = eta;
		}
	}
	double need = p->threshold.percent
	                      ? ceil(p->threshold.value * (double)sm->usable / 100.0 - 1e-9)
	                      : p->threshold.value;
	if ((double)could >= need || late == 0)
		return 0;
	char in[32], at[32];
	time_t when = time(NULL) + (time_t)ceil(latest);
	strftime(at, sizeof at, "%H:%M:%S", localtime(&when));
	snprintf(c->note, sizeof c->note,
	         "gave up early: %zu cache%s still hold%s the old answer past the --wait deadline "
	         "(the last expires at %s, in %s)",
	         late, late == 1 ? "" : "s", late == 1 ? "s" : "", at,
	         duration_format(latest, in, sizeof in));
	return 1;
}

/* Pick the resolvers due by `now`; returns how many (in c->due), and the
 * time of the next one not yet due in *next. */
static size_t pick_due(struct checker *c, double now, double *next)
{
	const struct pw_params *p = &c->s.params;
	size_t n = 0;
	*next = INFINITY;
	for (size_t i = 0; i < c->s.list.n; i++) {
		double due = ttl_next_due(&c->tracks[i], c->last_ask[i], p->interval, MIN_GAP);
		if (due <= now + 0.01)
			c->due[n++] = i;
		else if (due < *next)
			*next = due;
	}
	return n;
}

static void progress(const struct checker *c, double next)
{
	const struct summary *sm = &c->r.sum;
	char buf[32], eta[64] = "";
	if (c->r.eta_max >= 0) {
		char in[32];
		snprintf(eta, sizeof eta, "; stale caches expire in %s",
		         duration_format(c->r.eta_max, in, sizeof in));
	}
	fprintf(stderr, "propwatch: round %u: %zu/%zu new (%.1f%%)%s; next query in %s\n",
	        c->r.sweeps, sm->count[ST_NEW], sm->usable, sm->share, eta,
	        duration_format(next - now_s(), buf, sizeof buf));
}

static int run(struct checker *c)
{
	const struct pw_params *p = &c->s.params;
	size_t n = c->s.list.n;
	double deadline = c->start + p->wait;

	for (size_t i = 0; i < n; i++)
		c->due[i] = i;
	/* Resolvers first: those that answer then find the zone's servers. */
	ask(c, n);
	session_prefer_via(&c->s, c->r.answers);
	refresh_truth(c);
	evaluate(c, n);
	while (p->wait > 0 && !c->r.sum.propagated && !interrupted) {
		if (hopeless(c, deadline))
			break;
		double next;
		size_t ndue = pick_due(c, now_s(), &next);
		if (ndue == 0) {
			if (next >= deadline) {
				if (now_s() >= deadline) {
					snprintf(c->note, sizeof c->note,
					         "--wait ran out before the change propagated");
					break;
				}
				next = deadline;
			}
			if (p->format == FMT_TEXT || msg_verbose)
				progress(c, next);
			nap_until(next);
			continue;
		}
		if (c->r.exp->source == EXP_AUTH || c->r.exp->source == EXP_NONE) {
			if (now_s() - c->truth_at >= p->interval || c->r.exp->source == EXP_NONE) {
				session_prefer_via(&c->s, c->r.answers);
				refresh_truth(c);
			}
		}
		ask(c, ndue);
		evaluate(c, ndue);
	}
	if (interrupted)
		snprintf(c->note, sizeof c->note, "interrupted");
	if (c->note[0])
		c->r.note = c->note;
	return c->r.sum.exit_code;
}

static void print_report(const struct checker *c)
{
	switch (c->s.params.format) {
	case FMT_JSON: out_json(stdout, &c->r); break;
	case FMT_CSV: out_csv(stdout, &c->r); break;
	default: out_text(stdout, &c->r, c->s.params.color); break;
	}
	fflush(stdout);
}

static void checker_free(struct checker *c)
{
	for (size_t i = 0; c->r.answers != NULL && i < c->s.list.n; i++)
		answer_free(&c->r.answers[i]);
	for (size_t i = 0; c->tracks != NULL && i < c->s.list.n; i++)
		ttl_track_free(&c->tracks[i]);
	free(c->r.answers);
	free(c->tracks);
	free(c->last_ask);
	free(c->due);
	free(c->sub);
	free(c->fresh);
	report_free_variants(&c->r);
	expected_free(&c->truth);
	session_close(&c->s);
}

int check_main(int argc, char **argv)
{
	struct checker c;
	int done, rc;

	memset(&c, 0, sizeof c);
	if ((rc = session_open(&c.s, argc, argv, MODE_CHECK, &done)) != 0 || done) {
		checker_free(&c);
		return rc;
	}
	size_t n = c.s.list.n;
	c.r.answers = calloc(n, sizeof *c.r.answers);
	c.tracks = calloc(n, sizeof *c.tracks);
	c.last_ask = calloc(n, sizeof *c.last_ask);
	c.due = calloc(n, sizeof *c.due);
	c.sub = calloc(n, sizeof *c.sub);
	c.fresh = calloc(n, sizeof *c.fresh);
	if (!c.r.answers || !c.tracks || !c.last_ask || !c.due || !c.sub || !c.fresh) {
		errorf("out of memory for %zu resolvers", n);
		checker_free(&c);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		ttl_track_init(&c.tracks[i]);
	c.r.q = &c.s.query;
	c.r.list = &c.s.list;
	c.r.tracks = c.tracks;
	c.start = now_s();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = run(&c);
	print_report(&c);
	checker_free(&c);
	return rc;
}
