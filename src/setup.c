/*
 * setup.c -- shared start-up of the querying subcommands.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
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
#include "vantage.h"

/* A sweep paced by --rate must end within this long (or --wait, if longer). */
#define MAX_SWEEP 3600.0

static bool is_loopback(const struct resolver *r)
{
	if (r->addr.sa.sa_family == AF_INET)
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
	/* Probes' rows are asked by their network, never from here. */
	for (size_t i = 0; i < s->list.n; i++)
		outside += s->list.v[i].probe == NULL && !is_loopback(&s->list.v[i]);
	for (size_t i = 0; i < s->truth_list.n; i++)
		outside += !is_loopback(&s->truth_list.v[i]);
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

static int targets_of(struct session *s)
{
	s->targets = calloc(s->list.n ? s->list.n : 1, sizeof *s->targets);
	if (s->targets == NULL)
		return EXIT_USAGE;
	for (size_t i = 0; i < s->list.n; i++)
		s->targets[i] = &s->list.v[i];
	return 0;
}

/* --via: the ground truth still comes from here -- --expect, --auth, or
 * the zone's servers found through the local list -- so that list is
 * loaded for that alone. */
static int truth_list(struct session *s)
{
	const struct pw_params *p = &s->params;
	char err[512];

	if (p->nexpect > 0 || p->nauth > 0)
		return 0;
	if (p->list_path == NULL) {
		errorf("with --via, what is new comes from here: give --expect or --auth, or a "
		       "local resolver list ($PROPWATCH_RESOLVERS) to find the zone's servers");
		return EXIT_USAGE;
	}
	if (reslist_load(p->list_path, &s->truth_list, err, sizeof err) < 0) {
		errorf("%s", err);
		return EXIT_USAGE;
	}
	struct reslist_filter f = { .family = p->filter.family };
	reslist_apply(&s->truth_list, &f);
	if (s->truth_list.n == 0 ||
	    (s->truth_via = calloc(s->truth_list.n, sizeof *s->truth_via)) == NULL) {
		errorf("%s: no resolver left to find the zone's servers through", p->list_path);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < s->truth_list.n; i++)
		s->truth_via[i] = &s->truth_list.v[i];
	return 0;
}

static int common_setup(struct session *s)
{
	struct pw_params *p = &s->params;
	struct query_opts qo;
	char err[512];
	int rc;

	/* NSID: which anycast site of a resolver answered (4 bytes a query). */
	query_opts_default(&qo);
	qo.dnssec = p->dnssec;
	qo.nsid = true;
	if ((rc = query_new(&s->query, p->name, p->type, &qo)) < 0) {
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
	return 0;
}

/* The rows are the probes the first measurement finds: everything that
 * can be checked here is, before that measurement costs anything. */
static int open_vantage(struct session *s, const volatile int *stop)
{
	struct pw_params *p = &s->params;
	char err[512];
	int rc;

	if ((rc = common_setup(s)) != 0 || (rc = truth_list(s)) != 0)
		return rc;
	loopback_only(s);
	struct vantage_cfg cfg = {
		.net = (enum vantage_net)p->via,
		.api_url = p->api_url,
		.from = p->from,
		.probes = p->probes,
		.resolver = p->via_resolver,
		.cred_file = p->cred_file,
		.timeout = p->eng.timeout,
		.dnssec = p->dnssec,
		.family = p->filter.family == AF_INET6  ? 6
		          : p->filter.family == AF_INET ? 4
		                                        : 0,
		.loopback_only = p->eng.loopback_only,
	};
	if ((rc = vantage_open(&s->vantage, &cfg, &s->query, stop, err, sizeof err)) < 0) {
		errorf("%s", err);
		return vantage_exit_status(rc);
	}
	struct engine_opts one = p->eng;
	one.threads = 1;
	one.rate = 0;
	if ((rc = engine_new(&s->truth_engine, &one)) < 0) {
		errorf("cannot start the query engine: %s", pw_strerror(rc));
		return EXIT_USAGE;
	}
	infof("asking %s (%ld probes%s%s)", vantage_net_name(cfg.net), p->probes,
	      p->from ? " from " : "", p->from ? p->from : "");
	if ((rc = vantage_discover(s->vantage, &s->list, err, sizeof err)) < 0) {
		errorf("%s", err);
		return vantage_exit_status(rc);
	}
	return targets_of(s);
}

int session_open(struct session *s, int argc, char **argv, enum pw_mode mode,
                 const volatile int *stop, int *done)
{
	struct pw_params *p = &s->params;
	char err[512];
	int rc;

	memset(s, 0, sizeof *s);
	s->started = clock_mono();
	*done = 0;
	if ((rc = params_parse(argc, argv, mode, p)) != 0)
		return rc;
	if (p->help) {
		*done = 1;
		return 0;
	}
	msg_verbose = p->verbose;
	if (p->via)
		return open_vantage(s, stop);
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
	if ((rc = targets_of(s)) != 0 || (rc = common_setup(s)) != 0)
		return rc;
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
	struct pipeline_backend be = s->vantage
	                                     ? vantage_backend(s->vantage, s->truth_engine)
	                                     : pipeline_engine_backend(s->engine, s->truth_engine);
	/* With --via the first round came with the first measurement. */
	int rc = pipeline_init(p, &cfg, s->targets, &be, s->vantage ? s->started : clock_mono());
	p->family = o->filter.family;
	if (s->vantage != NULL) {
		p->whole_rounds = vantage_whole_rounds(s->vantage);
		p->truth_via = s->truth_via;
		p->ntruth_via = s->truth_list.n;
	}
	if (rc == PW_OK && s->log != NULL) {
		p->log = s->log;
		if (!eventlog_started(s->log))
			session_log_start(s, p->t.start);
		if (cfg.user_expect != NULL)
			eventlog_truth(s->log, &p->t, p->t.start);
	}
	return rc;
}

void session_catch_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
	vantage_free(s->vantage);
	free(s->truth_via);
	reslist_free(&s->truth_list);
	engine_free(s->engine);
	engine_free(s->truth_engine);
	expected_free(&s->user_expect);
	query_free(&s->query);
	free(s->auth); /* the names are literals, the addresses copies */
	free(s->targets);
	reslist_free(&s->list);
	params_free(&s->params);
}
