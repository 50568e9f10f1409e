/*
 * check.c -- `propwatch check`: a plain loop over the tracker.
 *
 * Without --wait: one round of every resolver, one look at the ground
 * truth, a verdict. With --wait the loop goes on taking the steps the
 * tracker schedules -- a stale resolver is asked again just after its
 * cached TTL should run out, the others every --interval -- until the
 * gate passes, the deadline comes, or a cache's expiry already lies past
 * the deadline (then it gives up at once, exit 1).
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "duration.h"
#include "error.h"
#include "gate.h"
#include "jsonw.h"
#include "msg.h"
#include "out.h"
#include "pipeline.h"
#include "setup.h"

static volatile int stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void progress(const struct tracker *t, double now, double next)
{
	const struct summary *sm = tracker_summary(t);
	char buf[32], eta[64] = "";
	double e = tracker_fleet_eta(t, now);
	if (e >= 0) {
		char in[32];
		snprintf(eta, sizeof eta, "; stale caches expire in %s",
		         duration_format(e, in, sizeof in));
	}
	fprintf(stderr, "propwatch: round %u: %zu/%zu new (%.1f%%)%s; next query in %s\n",
	        t->rounds, sm->count[ST_NEW], sm->usable, sm->share, eta,
	        duration_format(next - now, buf, sizeof buf));
}

/* The pipeline is idle until `until`: is the run over? Lock held. */
static bool finished(struct pipeline *p, struct check_run *c, double now, double until)
{
	struct tracker *t = &p->t;
	double deadline = c->start + c->wait;

	tracker_evaluate(t);
	if (c->wait <= 0 || (!c->until_deadline && tracker_summary(t)->propagated))
		return true;
	if (!c->until_deadline && tracker_hopeless(t, now, deadline, c->note, sizeof c->note))
		return true;
	if (c->until_deadline && now >= deadline)
		return true;
	if (now >= deadline || isinf(until)) {
		snprintf(c->note, sizeof c->note, "--wait ran out before the change propagated");
		return true;
	}
	return false;
}

void check_loop(struct pipeline *p, struct check_run *c)
{
	double deadline = c->start + c->wait;

	c->note[0] = '\0';
	while (!*c->stop) {
		double now = clock_mono(), until;
		if (pipeline_step(p, now, true, &until) != STEP_IDLE)
			continue;
		pthread_mutex_lock(&p->lock);
		bool done = finished(p, c, now, until);
		if (!done && c->progress)
			progress(&p->t, now, until < deadline ? until : deadline);
		pthread_mutex_unlock(&p->lock);
		if (done)
			break;
		clock_sleep_until(until < deadline ? until : deadline, c->stop);
	}
	pthread_mutex_lock(&p->lock);
	tracker_evaluate(&p->t);
	pthread_mutex_unlock(&p->lock);
}

/* --format ndjson: a line per answer as it is posted, from the engine's
 * workers with the pipeline's lock held (so lines never interleave). */
struct stream {
	struct jw *w;
	int err;
};

static void stream_row(void *ctx, const struct tracker *t, size_t row)
{
	struct stream *st = ctx;
	struct view v = { t, clock_mono(), NULL, false, false };
	st->err |= out_ndjson_row(st->w, &v, row) < 0;
}

static int print_verdict(const struct session *s, const struct pipeline *p,
                         const struct check_run *c, struct stream *st)
{
	struct view v = { &p->t, clock_mono(), c->note[0] ? c->note : NULL, stop_signal != 0,
		          s->params.color };
	int rc;
	switch (s->params.format) {
	case FMT_NDJSON: rc = st->err || out_ndjson_summary(st->w, &v) < 0 ? PW_EIO : PW_OK; break;
	case FMT_JSON: rc = out_json(stdout, &v); break;
	case FMT_CSV: rc = out_csv(stdout, &v); break;
	default: rc = out_text(stdout, &v); break;
	}
	if (rc < 0) {
		/* A gate that read nothing must not see "propagated". */
		errorf("cannot write the verdict to standard output");
		return EXIT_OUTPUT;
	}
	return tracker_summary(&p->t)->exit_code;
}

int check_main(int argc, char **argv)
{
	struct session s;
	struct pipeline p;
	int done, rc;

	memset(&p, 0, sizeof p);
	if ((rc = session_open(&s, argc, argv, MODE_CHECK, &done)) != 0 || done) {
		session_close(&s);
		return rc;
	}
	if (session_pipeline(&s, &p) < 0) {
		errorf("out of memory for %zu resolvers", s.list.n);
		session_close(&s);
		return EXIT_USAGE;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct stream st = { NULL, 0 };
	if (s.params.format == FMT_NDJSON) {
		if ((st.w = jw_open(stdout)) == NULL) {
			errorf("out of memory");
			pipeline_free(&p);
			session_close(&s);
			return EXIT_USAGE;
		}
		p.on_post = stream_row;
		p.hook_ctx = &st;
	}
	struct check_run c = { s.params.wait, s.params.format == FMT_TEXT || s.params.verbose,
		               &stop_signal,  clock_mono(),
		               false,         "" };
	check_loop(&p, &c);
	if (stop_signal)
		snprintf(c.note, sizeof c.note, "interrupted by signal %d", stop_signal);
	rc = print_verdict(&s, &p, &c, &st);
	if (st.w != NULL && jw_close(st.w) < 0 && rc != EXIT_OUTPUT) {
		errorf("cannot write the verdict to standard output");
		rc = EXIT_OUTPUT;
	}
	int logged = session_finish(&s, &p, stop_signal != 0);
	if (logged != 0 && rc != EXIT_OUTPUT)
		rc = logged;
	if (stop_signal)
		rc = 128 + stop_signal;
	pipeline_free(&p);
	session_close(&s);
	return rc;
}
