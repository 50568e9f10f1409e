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
#include <ldns/ldns.h>
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

/* The same for several records (mail): how many have propagated. Takes
 * each member's lock in turn. */
static void progress_set(const struct pipeline_set *s, double now, double next)
{
	size_t done = 0;
	unsigned rounds = 0;
	char buf[32];
	for (size_t m = 0; m < s->n; m++) {
		pthread_mutex_lock(&s->v[m]->lock);
		done += tracker_summary(&s->v[m]->t)->propagated;
		rounds = s->v[m]->t.rounds > rounds ? s->v[m]->t.rounds : rounds;
		pthread_mutex_unlock(&s->v[m]->lock);
	}
	fprintf(stderr, "propwatch: round %u: %zu/%zu records propagated; next query in %s\n",
	        rounds, done, s->n, duration_format(next - now, buf, sizeof buf));
}

/* "NAME TYPE: " of a member, for notes about one of several records. */
static void member_label(const struct pipeline *p, char *buf, size_t len)
{
	char *type = ldns_rr_type2str((ldns_rr_type)p->t.cfg.q->type);
	snprintf(buf, len, "%s %s: ", p->t.cfg.q->name, type ? type : "?");
	free(type);
}

/* The pipelines are idle until `until`: is the run over? Takes each
 * member's lock in turn. */
static bool finished(struct pipeline_set *s, struct check_run *c, double now, double until)
{
	double deadline = c->start + c->wait;
	bool all = true, hopeless = false;

	for (size_t m = 0; m < s->n; m++) {
		pthread_mutex_lock(&s->v[m]->lock);
		tracker_evaluate(&s->v[m]->t);
		all &= tracker_summary(&s->v[m]->t)->propagated;
		pthread_mutex_unlock(&s->v[m]->lock);
	}
	if (c->wait <= 0 || (!c->until_deadline && all))
		return true;
	for (size_t m = 0; m < s->n && !hopeless && !c->until_deadline; m++) {
		struct pipeline *p = s->v[m];
		char note[sizeof c->note], label[300] = "";
		pthread_mutex_lock(&p->lock);
		hopeless = tracker_hopeless(&p->t, now, deadline, note, sizeof note);
		if (hopeless && s->n > 1)
			member_label(p, label, sizeof label);
		pthread_mutex_unlock(&p->lock);
		if (hopeless)
			snprintf(c->note, sizeof c->note, "%s%s", label, note);
	}
	if (hopeless || (c->until_deadline && now >= deadline))
		return true;
	if (now >= deadline || isinf(until)) {
		snprintf(c->note, sizeof c->note, "--wait ran out before the change propagated");
		return true;
	}
	return false;
}

void check_loop_set(struct pipeline_set *s, struct check_run *c)
{
	double deadline = c->start + c->wait;

	c->note[0] = '\0';
	while (!*c->stop) {
		double now = clock_mono(), until;
		if (pipeline_set_step(s, now, true, &until) != STEP_IDLE)
			continue;
		bool done = finished(s, c, now, until);
		if (!done && c->progress) {
			double next = until < deadline ? until : deadline;
			if (s->n > 1) {
				progress_set(s, now, next);
			} else {
				pthread_mutex_lock(&s->v[0]->lock);
				progress(&s->v[0]->t, now, next);
				pthread_mutex_unlock(&s->v[0]->lock);
			}
		}
		if (done)
			break;
		clock_sleep_until(until < deadline ? until : deadline, c->stop);
	}
	for (size_t m = 0; m < s->n; m++) {
		pthread_mutex_lock(&s->v[m]->lock);
		tracker_evaluate(&s->v[m]->t);
		pthread_mutex_unlock(&s->v[m]->lock);
	}
}

void check_loop(struct pipeline *p, struct check_run *c)
{
	struct pipeline_set s;
	pipeline_set_one(&s, p);
	check_loop_set(&s, c);
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
	struct view v = { .t = t, .now = clock_mono() };
	st->err |= out_ndjson_row(st->w, &v, row) < 0;
}

static int print_verdict(const struct session *s, const struct pipeline *p,
                         const struct check_run *c, struct stream *st)
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
	/* Before the session opens: with --via its first measurement may take
	 * minutes, and a signal should end it. */
	session_catch_signals(on_signal);
	if ((rc = session_open(&s, argc, argv, MODE_CHECK, &stop_signal, &done)) != 0 || done) {
		session_close(&s);
		return stop_signal ? 128 + stop_signal : rc;
	}
	if (session_pipeline(&s, &p) < 0) {
		errorf("out of memory for %zu resolvers", s.list.n);
		session_close(&s);
		return EXIT_USAGE;
	}

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
