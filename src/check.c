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
#include "msg.h"
#include "out.h"
#include "pipeline.h"
#include "setup.h"
#include "vantage.h"

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

static int print_verdict(const struct session *s, const struct pipeline *p,
                         const struct check_run *c)
{
	struct view v = {
		&p->t,           clock_mono(), c->note[0] ? c->note : NULL, stop_signal != 0,
		s->params.color, NULL
	};
	struct vantage_report rep;
	int rc;

	if (s->vantage != NULL) {
		char lim[160];
		vantage_report(s->vantage, &rep);
		v.vantage = &rep;
		struct http_limits l = rep.lim;
		l.credits_remaining = rep.credits;
		vantage_limits_text(&l, lim, sizeof lim);
		infof("%s: %u measurement%s%s%s", vantage_net_name(rep.net), rep.measurements,
		      rep.measurements == 1 ? "" : "s", lim[0] ? "; " : "", lim);
	}
	switch (s->params.format) {
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
	/* Before the session opens: with --via its first measurement may take
	 * minutes, and a signal should end it. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((rc = session_open(&s, argc, argv, MODE_CHECK, &stop_signal, &done)) != 0 || done) {
		session_close(&s);
		return stop_signal ? 128 + stop_signal : rc;
	}
	if (session_pipeline(&s, &p) < 0) {
		errorf("out of memory for %zu resolvers", s.list.n);
		session_close(&s);
		return EXIT_USAGE;
	}

	struct check_run c = { s.params.wait, s.params.format == FMT_TEXT || s.params.verbose,
		               &stop_signal,  clock_mono(),
		               false,         "" };
	check_loop(&p, &c);
	if (stop_signal)
		snprintf(c.note, sizeof c.note, "interrupted by signal %d", stop_signal);
	rc = print_verdict(&s, &p, &c);
	if (stop_signal)
		rc = 128 + stop_signal;
	pipeline_free(&p);
	session_close(&s);
	return rc;
}
