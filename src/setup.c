/*
 * setup.c -- shared start-up of the querying subcommands.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "engine.h"
#include "error.h"
#include "eventlog.h"
#include "gate.h"
#include "msg.h"
#include "setup.h"

/* A sweep paced by --rate must end within this long (or --wait, if longer). */
#define MAX_SWEEP 3600.0

static bool is_loopback(const struct resolver *r)
{
	if (r->addr.ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)&r->addr)->sin_addr.s_addr) >> 24) ==
		       127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&r->addr)->sin6_addr);
}

/* PROPWATCH_LOOPBACK_ONLY=1 (every test sets it): the engine will not send
 * to anything else; say so once rather than let those rows just fail. */
static void loopback_only(struct session *s)
{
	const char *e = getenv("PROPWATCH_LOOPBACK_ONLY");
	size_t outside = 0;

	s->params.eng.loopback_only = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	if (!s->params.eng.loopback_only)
		return;
	for (size_t i = 0; i < s->list.n; i++)
		outside += !is_loopback(&s->list.v[i]);
	for (size_t i = 0; i < s->params.nauth; i++)
		outside += !is_loopback(&s->params.auth[i]);
	if (outside > 0)
		warnf("PROPWATCH_LOOPBACK_ONLY is set: %zu address%s outside loopback will not be asked",
		      outside, outside == 1 ? "" : "es");
}

/* A --rate so low that one sweep would take hours is a typo. */
static int check_rate(const struct session *s)
{
	const struct pw_params *p = &s->params;
	double limit = p->wait > MAX_SWEEP ? p->wait : MAX_SWEEP;
	char took[32], lim[32];
	if (p->eng.rate <= 0)
		return 0;
	if ((double)s->list.n / p->eng.rate <= limit) {
		if ((double)s->list.n / p->eng.rate > 30)
			warnf("--rate %g: one sweep of %zu resolvers takes %s", p->eng.rate,
			      s->list.n,
			      duration_format((double)s->list.n / p->eng.rate, took, sizeof took));
		return 0;
	}
	errorf("--rate %g: one sweep of %zu resolvers would take %s, longer than %s; "
	       "give at least %.3g",
	       p->eng.rate, s->list.n,
	       duration_format((double)s->list.n / p->eng.rate, took, sizeof took),
	       duration_format(limit, lim, sizeof lim), (double)s->list.n / limit);
	return EXIT_USAGE;
}

int session_open(struct session *s, int argc, char **argv, enum pw_mode mode, int *done)
{
	struct pw_params *p = &s->params;
	char err[512];
	int rc;

	memset(s, 0, sizeof *s);
	*done = 0;
	if ((rc = params_parse(argc, argv, mode, p)) != 0)
		return rc;
	if (p->help) {
		*done = 1;
		return 0;
	}
	msg_verbose = p->verbose;
	if ((rc = reslist_load(p->list_path, &s->list, err, sizeof err)) < 0) {
		errorf("%s", err);
		return EXIT_USAGE;
	}
	reslist_apply(&s->list, &p->filter);
	if (s->list.n == 0) {
		errorf("%s: no resolver left after --country/--operator/-4/-6/--limit",
		       p->list_path);
		return EXIT_USAGE;
	}
	if ((rc = check_rate(s)) != 0)
		return rc;
	s->targets = calloc(s->list.n, sizeof *s->targets);
	if (s->targets == NULL)
		return EXIT_USAGE;
	for (size_t i = 0; i < s->list.n; i++)
		s->targets[i] = &s->list.v[i];

	if ((rc = query_init(&s->query, p->name, p->type, true, p->dnssec)) < 0) {
		errorf("NAME '%s': %s", p->name, pw_strerror(rc));
		return EXIT_USAGE;
	}
	if (p->nexpect > 0 && expected_from_args(&s->user_expect, p->name, p->type, p->expect,
	                                         p->nexpect, err, sizeof err) < 0) {
		errorf("%s", err);
		return EXIT_USAGE;
	}
	if (p->nauth > 0) {
		if ((s->auth = calloc(p->nauth, sizeof *s->auth)) == NULL)
			return EXIT_USAGE;
		for (size_t i = 0; i < p->nauth; i++) {
			s->auth[i].name = (char *)"--auth";
			s->auth[i].addr = p->auth[i];
		}
		s->nauth = p->nauth;
	}
	if (p->log_path != NULL && (s->log = eventlog_open(p->log_path, err, sizeof err)) == NULL) {
		errorf("--log %s", err);
		return EXIT_USAGE;
	}
	loopback_only(s);
	struct engine_opts one = p->eng;
	one.threads = 1;
	one.rate = 0; /* a handful of queries to a handful of servers */
	if ((rc = engine_new(&s->engine, &p->eng)) < 0 ||
	    (rc = engine_new(&s->truth_engine, &one)) < 0) {
		errorf("cannot start the query engine: %s", pw_strerror(rc));
		return EXIT_USAGE;
	}
	infof("%zu resolvers from %s", s->list.n, p->list_path);
	return 0;
}

int session_pipeline(struct session *s, struct pipeline *p)
{
	const struct pw_params *o = &s->params;
	struct tracker_cfg cfg = {
		.q = &s->query,
		.list = &s->list,
		.threshold = o->threshold,
		.min_answers = o->min_answers,
		.interval = o->interval,
		.min_gap = o->min_interval,
		.user_expect = o->nexpect > 0 ? &s->user_expect : NULL,
		.auth = s->auth,
		.nauth = s->nauth,
	};
	struct pipeline_backend be = pipeline_engine_backend(s->engine, s->truth_engine);
	int rc = pipeline_init(p, &cfg, s->targets, &be, clock_mono());
	p->family = o->filter.family;
	if (rc == PW_OK && s->log != NULL) {
		p->log = s->log;
		if (!eventlog_started(s->log))
			session_log_start(s, p->t.start);
		if (cfg.user_expect != NULL)
			eventlog_truth(s->log, &p->t, p->t.start);
	}
	return rc;
}

void session_log_start(struct session *s, double now)
{
	const struct pw_params *o = &s->params;
	char th[32];
	snprintf(th, sizeof th, o->threshold.percent ? "%g%%" : "%g", o->threshold.value);
	eventlog_start(s->log, mode_name(o->mode), &s->query, &s->list, o->interval, th, now);
}

int session_finish(struct session *s, struct pipeline *p, bool interrupted)
{
	if (s->log == NULL)
		return 0;
	pthread_mutex_lock(&p->lock);
	tracker_evaluate(&p->t);
	eventlog_verdict(s->log, &p->t, interrupted, clock_mono());
	p->log = NULL;
	pthread_mutex_unlock(&p->lock);
	int rc = eventlog_close(s->log);
	s->log = NULL;
	if (rc < 0) {
		errorf("--log %s: not every event could be written", s->params.log_path);
		return EXIT_OUTPUT;
	}
	return 0;
}

void session_close(struct session *s)
{
	eventlog_close(s->log);
	engine_free(s->engine);
	engine_free(s->truth_engine);
	expected_free(&s->user_expect);
	query_free(&s->query);
	free(s->auth); /* the names are literals, the addresses copies */
	free(s->targets);
	reslist_free(&s->list);
	params_free(&s->params);
}
