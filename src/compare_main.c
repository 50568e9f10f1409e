/*
 * compare_main.c -- `propwatch compare`: how each resolver behaves.
 *
 * One engine sweep runs every probe of every resolver (probe.c); the
 * zone's authoritative servers are asked whether a random label under
 * NAME really does not exist (so an address for it is rewriting); with
 * --duration the shared pipeline then watches NAME's TTLs (check's loop,
 * to the deadline) for the anomalies the tracker finds. probe_verdict.c
 * judges, probe_out.c prints.
 */
#include <jansson.h>
#include <ldns/ldns.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "compare_main.h"
#include "engine.h"
#include "error.h"
#include "eventlog.h"
#include "gate.h"
#include "jsonw.h"
#include "msg.h"
#include "pipeline.h"
#include "probe.h"
#include "probe_out.h"
#include "setup.h"
#include "truth.h"

static volatile int stop_signal;
static struct engine *running; /* engine_cancel() from the handler */

static void on_signal(int sig)
{
	stop_signal = sig;
	if (running != NULL)
		engine_cancel(running); /* sets a flag: async-signal-safe */
}

/* Does a random label under NAME not exist, by the authoritative servers? */
static bool confirm_nx(struct session *s, const struct probe_set *ps)
{
	const struct resolver *via[TRACK_TRUTH_VIA];
	struct truth_opts o = { via, 0, NULL, 0, s->params.filter.family };
	struct query q;
	struct expected e;
	bool yes = false;

	for (size_t r = 0; r < ps->nres && o.nvia < TRACK_TRUTH_VIA; r++)
		if (answer_usable(probe_answer(ps, r, PR_WARM, 0)))
			via[o.nvia++] = s->targets[r];
	if (o.nvia == 0 || query_init(&q, ps->nx_probe, LDNS_RR_TYPE_A, true, false) < 0)
		return false;
	if (truth_resolve(s->truth_engine, &q, &o, &e) == 0)
		yes = e.source == EXP_AUTH && e.rcode == LDNS_RCODE_NXDOMAIN;
	infof("authoritative check of %s: %s", ps->nx_probe,
	      yes            ? "NXDOMAIN"
	      : e.problem[0] ? e.problem
	                     : "no NXDOMAIN");
	expected_free(&e);
	query_free(&q);
	return yes;
}

/* --duration: the tracker watches NAME's TTLs; take its anomalies. */
static void ttl_honesty(struct session *s, struct behaviour *b)
{
	struct pipeline p;
	if (session_pipeline(s, &p) < 0)
		return;
	struct check_run c = { .wait = s->params.duration,
		               .progress = s->params.verbose,
		               .stop = &stop_signal,
		               .start = clock_mono(),
		               .until_deadline = true };
	check_loop(&p, &c);
	for (size_t i = 0; i < s->list.n; i++) {
		b[i].anomalies = tracker_anomalies(&p.t, i);
		b[i].anomalies_known = tracker_track(&p.t, i)->seen;
	}
	pipeline_free(&p);
}

/* --log: a behaviour line per resolver; false when the log failed. */
static bool log_behaviour(struct session *s, const struct compare_view *v)
{
	if (s->log == NULL)
		return true;
	double now = clock_mono();
	for (size_t i = 0; i < s->list.n; i++) {
		json_t *o = probe_out_behaviour(v, i);
		struct jw *w = eventlog_begin(s->log, "behaviour", now);
		const char *key;
		json_t *val;
		jw_kint(w, "i", (long long)i);
		json_object_foreach(o, key, val)
		{
			jw_key(w, key);
			jw_json(w, json_incref(val));
		}
		eventlog_end(s->log);
		json_decref(o);
	}
	int rc = eventlog_close(s->log);
	s->log = NULL;
	return rc == PW_OK;
}

int compare_main(int argc, char **argv)
{
	struct session s;
	struct probe_set ps;
	struct engine_stats st;
	char err[512];
	int done, rc;

	memset(&ps, 0, sizeof ps);
	if ((rc = session_open(&s, argc, argv, MODE_COMPARE, NULL, &done)) != 0 || done) {
		session_close(&s);
		return rc;
	}
	const struct pw_params *p = &s.params;
	struct probe_opts po = { s.query.name, p->type, p->signed_name, p->bogus_name, p->samples };
	struct behaviour *b = calloc(s.list.n, sizeof *b);
	if (b == NULL || (rc = probe_build(&ps, &po, s.targets, s.list.n, err, sizeof err)) < 0) {
		errorf("%s", b == NULL || rc == PW_ENOMEM ? "out of memory" : err);
		free(b);
		session_close(&s);
		return EXIT_USAGE;
	}
	running = s.engine;
	session_catch_signals(on_signal);

	infof("%zu probes to %zu resolvers", ps.njobs, s.list.n);
	double t0 = clock_mono();
	if (s.log != NULL)
		session_log_start(&s, t0);
	engine_run(s.engine, ps.jobs, ps.njobs, ps.out, NULL, NULL, &st);
	bool nx = !stop_signal && confirm_nx(&s, &ps);
	size_t answered = 0;
	for (size_t r = 0; r < s.list.n; r++) {
		probe_judge(&ps, r, nx, &b[r]);
		answered += b[r].answered;
	}
	/* After the judging, which starts each behaviour afresh. */
	if (p->duration > 0 && !stop_signal)
		ttl_honesty(&s, b);
	struct compare_view v = { &s, &ps, b, nx, clock_mono() - t0, stop_signal != 0 };
	bool logged = log_behaviour(&s, &v);
	rc = p->format == FMT_JSON  ? probe_out_json(stdout, &v)
	     : p->format == FMT_CSV ? probe_out_csv(stdout, &v)
	                            : probe_out_text(stdout, &v, p->color);
	if (rc < 0) {
		errorf("cannot write the comparison to standard output");
		rc = EXIT_OUTPUT;
	} else {
		rc = stop_signal ? 128 + stop_signal : answered > 0 ? 0 : EXIT_UNDECIDABLE;
		if (answered == 0 && !stop_signal)
			errorf("no resolver answered any probe");
	}
	if (!logged && rc != EXIT_OUTPUT) {
		errorf("--log %s: not every event could be written", p->log_path);
		rc = EXIT_OUTPUT;
	}
	running = NULL;
	probe_free(&ps);
	free(b);
	session_close(&s);
	return rc;
}
