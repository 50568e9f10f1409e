/*
 * vantage.c -- a measurement network as the pipeline's back-end: the
 * first measurement makes the rows, later rounds ask the same probes
 * again, and each result goes to its row by probe identity.
 *
 * Requests wait out a 429 (Retry-After, else X-RateLimit-Reset) when that
 * fits in the measurement's deadline; otherwise the rows of that round say
 * so, and no measurement is asked for before the limit resets. Every
 * message that may carry a network's text has the credential taken out.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "duration.h"
#include "engine.h"
#include "error.h"
#include "gate.h"
#include "msg.h"
#include "query.h"
#include "reslist.h"
#include "vantage_int.h"

const char *vantage_net_name(enum vantage_net n)
{
	return n == VIA_GLOBALPING ? "Globalping" : n == VIA_ATLAS ? "RIPE Atlas" : "local";
}

const char *vantage_net_key(enum vantage_net n)
{
	return n == VIA_GLOBALPING ? "globalping" : n == VIA_ATLAS ? "atlas" : "local";
}

enum vantage_net vantage_net_parse(const char *s)
{
	if (strcasecmp(s, "globalping") == 0)
		return VIA_GLOBALPING;
	if (strcasecmp(s, "atlas") == 0 || strcasecmp(s, "ripe-atlas") == 0)
		return VIA_ATLAS;
	return VIA_NONE;
}

double vantage_deadline(enum vantage_net n, double t)
{
	double d = t * (n == VIA_ATLAS ? 150 : 15);
	return d < 2 ? 2 : d;
}

int vantage_exit_status(int rc)
{
	switch (rc) {
	case PW_EINVAL:
	case PW_EIO:
	case PW_ELOOPBACK:
	case PW_EAUTH:
	case PW_EREQUEST: return EXIT_USAGE;
	default: return EXIT_UNDECIDABLE;
	}
}

int vantage_fail(struct vantage *v, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof v->why, fmt, ap);
	va_end(ap);
	vantage_redact(v->why, sizeof v->why, v->secret);
	return rc;
}

const char *vantage_limits_text(const struct http_limits *l, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	if (l->rl_remaining >= 0 && l->rl_limit >= 0)
		o = (size_t)snprintf(buf, len, "%ld of %ld tests left", l->rl_remaining,
		                     l->rl_limit);
	else if (l->rl_remaining >= 0)
		o = (size_t)snprintf(buf, len, "%ld tests left", l->rl_remaining);
	if (l->rl_reset >= 0 && o > 0 && o < len) {
		char in[32];
		o += (size_t)snprintf(buf + o, len - o, ", reset in %s",
		                      duration_format((double)l->rl_reset, in, sizeof in));
	}
	if (l->credits_remaining >= 0 && o < len)
		snprintf(buf + o, len - o, "%s%ld credits left", o ? "; " : "",
		         l->credits_remaining);
	return buf;
}

int vantage_open(struct vantage **vp, const struct vantage_cfg *cfg, const struct query *q,
                 const volatile int *stop, char *err, size_t errlen)
{
	struct vantage *v = calloc(1, sizeof *v);
	int rc;

	*vp = NULL;
	if (v == NULL)
		return PW_ENOMEM;
	v->cfg = *cfg;
	v->q = q;
	v->stop = stop;
	v->ops = cfg->net == VIA_ATLAS ? &vantage_atlas_ops : &vantage_globalping_ops;
	v->deadline = vantage_deadline(cfg->net, cfg->timeout);
	v->lim = (struct http_limits){ -1, -1, -1, -1, -1, -1 };
	atomic_init(&v->cancelled, 0);
	pthread_mutex_init(&v->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->cond, &ca);
	pthread_condattr_destroy(&ca);
	*vp = v;

	const char *url = cfg->api_url ? cfg->api_url : v->ops->default_url;
	if ((rc = http_check_url(url, cfg->loopback_only, err, errlen)) == PW_ELIB)
		return rc; /* err says which library, not a fault of the URL */
	if (rc < 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "%s%s: %s", cfg->api_url ? "--api-url" : "the API of ",
		         cfg->api_url ? "" : vantage_net_name(cfg->net), why);
		return rc;
	}
	if (strlen(url) >= sizeof v->base) {
		snprintf(err, errlen, "--api-url: longer than %zu characters", sizeof v->base - 1);
		return PW_EINVAL;
	}
	snprintf(v->base, sizeof v->base, "%s", url);
	for (size_t n = strlen(v->base); n > 0 && v->base[n - 1] == '/'; n--)
		v->base[n - 1] = '\0';
	if ((rc = vantage_parse_from(cfg->net, cfg->from, cfg->probes, &v->from_json, err,
	                             errlen)) < 0)
		return rc;
	if ((rc = vantage_load_secret(cfg, v->ops, &v->secret, err, errlen)) < 0)
		return rc;
	if (v->secret != NULL) {
		size_t n = strlen(v->ops->auth_scheme) + strlen(v->secret) + 2;
		if ((v->auth = malloc(n)) == NULL)
			return PW_ENOMEM;
		snprintf(v->auth, n, "%s %s", v->ops->auth_scheme, v->secret);
	}
	struct http_opts ho = { cfg->loopback_only };
	if ((rc = http_new(&v->http, &ho)) < 0) {
		snprintf(err, errlen, "cannot start HTTP: %s", http_why_not());
		return rc;
	}
	return PW_OK;
}

static void wipe(char *s)
{
	if (s != NULL)
		memset(s, 0, strlen(s));
	free(s);
}

void vantage_free(struct vantage *v)
{
	if (v == NULL)
		return;
	http_free(v->http);
	wipe(v->auth);
	wipe(v->secret);
	free(v->from_json);
	for (size_t i = 0; v->first != NULL && i < v->nrows; i++)
		answer_free(&v->first[i]);
	free(v->first);
	free(v->rows);
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->cond);
	free(v);
}

bool vantage_stopped(struct vantage *v)
{
	return atomic_load(&v->cancelled) || (v->stop != NULL && *v->stop);
}

static bool stop_cb(void *ctx)
{
	return vantage_stopped(ctx);
}

bool vantage_sleep_until(struct vantage *v, double until)
{
	pthread_mutex_lock(&v->lock);
	while (!vantage_stopped(v)) {
		double now = clock_mono();
		if (now >= until)
			break;
		/* In slices, so a signal flag (which no one signals) is seen. */
		double step = until - now < 0.1 ? until - now : 0.1;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		long ns = ts.tv_nsec + (long)(step * 1e9);
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&v->cond, &v->lock, &ts);
	}
	pthread_mutex_unlock(&v->lock);
	return !vantage_stopped(v);
}

static void keep_limits(struct vantage *v, const struct http_limits *l)
{
	if (l->rl_limit >= 0 || l->rl_remaining >= 0 || l->rl_reset >= 0)
		v->lim.rl_limit = l->rl_limit, v->lim.rl_remaining = l->rl_remaining,
		v->lim.rl_reset = l->rl_reset;
	if (l->credits_remaining >= 0)
		v->lim.credits_remaining = l->credits_remaining;
	if (l->cost >= 0)
		v->lim.cost = l->cost;
}

int vantage_call(struct vantage *v, const char *method, const char *path, const char *body,
                 double deadline, struct http_resp *r)
{
	char url[1024];
	const char *name = vantage_net_name(v->cfg.net);

	snprintf(url, sizeof url, "%s%s", v->base, path);
	for (int attempt = 0;; attempt++) {
		double now = clock_mono(), left = deadline - now;
		if (left <= 0)
			return vantage_fail(v, PW_EPENDING,
			                    "%s: %s %s: no time left before the deadline", name,
			                    method, path);
		int rc = http_request(v->http, method, url, v->auth, body,
		                      left < VANTAGE_REQ_TIMEOUT ? left : VANTAGE_REQ_TIMEOUT,
		                      stop_cb, v, r);
		if (rc == PW_ECANCELLED)
			return vantage_fail(v, rc, "%s: interrupted", name);
		if (rc < 0)
			return vantage_fail(v, rc, "%s: %s %s: %s", name, method, path, r->error);
		keep_limits(v, &r->lim);
		bool busy = r->status == 429, broken = r->status >= 500;
		if (!busy && !broken)
			return PW_OK;
		/* Waiting out a 429: the GET one says Retry-After, the POST one
		 * only when the hourly limit resets. */
		double wait = busy ? r->lim.retry_after : 1.0 + attempt;
		if (busy && wait < 0)
			wait = r->lim.rl_reset >= 0 ? (double)r->lim.rl_reset : 1.0;
		char kind[64], msg[160], in[32];
		vantage_decode_error(r->body, r->len, kind, sizeof kind, msg, sizeof msg);
		if (busy && strcmp(kind, "insufficient_credits") == 0) {
			http_resp_free(r);
			return vantage_fail(v, PW_ECREDITS, "%s: not enough credits: %s", name,
			                    msg);
		}
		if (attempt + 1 >= VANTAGE_RETRIES || clock_mono() + wait > deadline) {
			long status = r->status;
			char lim[128];
			http_resp_free(r);
			if (!busy)
				return vantage_fail(v, PW_EHTTP, "%s: %s %s: HTTP %ld%s%s", name,
				                    method, path, status, msg[0] ? ": " : "", msg);
			v->blocked_until = clock_mono() + wait;
			snprintf(v->blocked_why, sizeof v->blocked_why, "%s: rate limited for %s",
			         name, duration_format(wait, in, sizeof in));
			return vantage_fail(
			        v, PW_ERATELIMIT,
			        "%s: rate limited (%s), for %s, past this measurement's "
			        "deadline%s",
			        name, vantage_limits_text(&v->lim, lim, sizeof lim),
			        duration_format(wait, in, sizeof in),
			        v->auth == NULL && v->cfg.net == VIA_GLOBALPING
			                ? ": a token (--token-file) raises the limit"
			                : "");
		}
		infof("%s: %s %s: HTTP %ld, asking again in %s", name, method, path, r->status,
		      duration_format(wait, in, sizeof in));
		http_resp_free(r);
		if (!vantage_sleep_until(v, clock_mono() + wait))
			return vantage_fail(v, PW_ECANCELLED, "%s: interrupted", name);
	}
}

int vantage_refused(struct vantage *v, const char *what, const struct http_resp *r)
{
	const struct vantage_ops *o = v->ops;
	const char *name = vantage_net_name(v->cfg.net);
	char kind[64], msg[200], hint[200] = "";
	int rc = PW_EHTTP;

	vantage_decode_error(r->body, r->len, kind, sizeof kind, msg, sizeof msg);
	if (r->status == 401 || r->status == 403) {
		rc = PW_EAUTH;
		if (v->auth == NULL)
			snprintf(hint, sizeof hint, "%s needs %s: give %s FILE or set %s", name,
			         v->cfg.net == VIA_ATLAS ? "an API key" : "a token", o->cred_option,
			         o->cred_env);
		else
			snprintf(hint, sizeof hint, "the %s was refused: check %s or %s",
			         v->cfg.net == VIA_ATLAS ? "API key" : "token", o->cred_option,
			         o->cred_env);
	} else if (r->status == 422 || strcmp(kind, "no_probes_found") == 0) {
		rc = PW_ENOPROBES;
		snprintf(hint, sizeof hint, "no probe matched %s%s",
		         v->cfg.from ? "--from " : "the locations asked for",
		         v->cfg.from ? v->cfg.from : "");
	} else if (r->status == 400 && strcasestr(msg, "credit") != NULL) {
		rc = PW_ECREDITS;
		snprintf(hint, sizeof hint, "not enough credits for this measurement");
	} else if (r->status == 400) {
		rc = PW_EREQUEST;
		snprintf(hint, sizeof hint, "the request as asked was refused");
	}
	return vantage_fail(v, rc, "%s: %s: HTTP %ld%s%s%s%s%s%s", name, what, r->status,
	                    kind[0] ? " " : "", kind, msg[0] ? ": " : "", msg, hint[0] ? "; " : "",
	                    hint);
}

/* ---- rows ------------------------------------------------------------- */

/* The row's resolver as the list has it: the address column and the
 * names views show; which probe, in r->probe. */
static int make_row(struct resolver *r, const struct vantage_probe *p, size_t i)
{
	char op[112], label[112];

	memset(r, 0, sizeof *r);
	snprintf(r->host, sizeof r->host, "%s", p->resolver[0] ? p->resolver : "-");
	r->port = 53;
	snprintf(r->country, sizeof r->country, "%s", p->country);
	if (p->network[0])
		snprintf(op, sizeof op, "%s", p->network);
	else if (p->asn >= 0)
		snprintf(op, sizeof op, "AS%ld", p->asn);
	else
		snprintf(op, sizeof op, "-");
	if (p->city[0])
		snprintf(label, sizeof label, "%s (%s)", p->city, p->id);
	else
		snprintf(label, sizeof label, "probe %s", p->id);
	r->operator_name = strdup(op);
	r->label = strdup(label);
	r->line = (unsigned)i + 1;
	r->probe = p;
	return r->operator_name && r->label ? PW_OK : PW_ENOMEM;
}

/* Two probes that look the same (one data centre) get ids apart. */
static void unique_ids(struct vantage_probe *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		unsigned k = 1;
		for (size_t j = 0; j < i; j++)
			k += strcmp(p[j].key, p[i].key) == 0;
		if (k > 1) {
			size_t l = strlen(p[i].id);
			snprintf(p[i].id + (l < 18 ? l : 18), sizeof p[i].id - (l < 18 ? l : 18),
			         ".%u", k);
		}
	}
}

int vantage_discover(struct vantage *v, struct reslist *list, char *err, size_t errlen)
{
	struct vantage_result *res = NULL;
	size_t n = 0;
	int rc;

	memset(list, 0, sizeof *list);
	if ((rc = v->ops->measure(v, NULL, 0, &res, &n)) < 0) {
		snprintf(err, errlen, "%s", v->why);
		return rc;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: measurement %s: no probe took part%s%s",
		         vantage_net_name(v->cfg.net), v->last_id, v->cfg.from ? " from " : "",
		         v->cfg.from ? v->cfg.from : "");
		return PW_ENOPROBES;
	}
	v->ops->describe(v, res, n);
	v->rows = calloc(n, sizeof *v->rows);
	v->first = calloc(n, sizeof *v->first);
	list->v = calloc(n, sizeof *list->v);
	if (v->rows == NULL || v->first == NULL || list->v == NULL) {
		vantage_results_free(res, n);
		free(list->v);
		list->v = NULL;
		return PW_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct vantage_probe *p = &res[i].probe;
		/* A hostile network could echo the credential anywhere. */
		vantage_redact(p->city, sizeof p->city, v->secret);
		vantage_redact(p->network, sizeof p->network, v->secret);
		vantage_redact(p->resolver, sizeof p->resolver, v->secret);
		v->rows[i] = *p;
		v->first[i] = res[i].ans;
		answer_init(&res[i].ans);
	}
	v->nrows = n;
	unique_ids(v->rows, n);
	for (size_t i = 0; i < n; i++) {
		list->n = i + 1;
		if (make_row(&list->v[i], &v->rows[i], i) < 0) {
			vantage_results_free(res, n);
			reslist_free(list);
			return PW_ENOMEM;
		}
	}
	vantage_results_free(res, n);
	snprintf(v->first_id, sizeof v->first_id, "%s", v->last_id);
	v->first_pending = true;
	infof("%s: %zu vantage points from measurement %s", vantage_net_name(v->cfg.net), n,
	      v->first_id);
	return PW_OK;
}

/* ---- the back-end ----------------------------------------------------- */

static size_t row_of(const struct vantage *v, const struct engine_job *job)
{
	return (size_t)(job->r->probe - v->rows);
}

/* The result for row i: the one at the same place (Globalping keeps the
 * order), else the first unused one with its key, else (Atlas) one of the
 * same probe whose resolver changed. -1 if none. */
static long match(const struct vantage *v, size_t i, size_t pos, const struct vantage_result *res,
                  size_t n, const bool *used)
{
	const struct vantage_probe *p = &v->rows[i];
	if (pos < n && !used[pos] && strcmp(res[pos].probe.key, p->key) == 0)
		return (long)pos;
	for (size_t k = 0; k < n; k++)
		if (!used[k] && strcmp(res[k].probe.key, p->key) == 0)
			return (long)k;
	for (size_t k = 0; v->cfg.net == VIA_ATLAS && k < n; k++)
		if (!used[k] && strcmp(res[k].probe.id, p->id) == 0)
			return (long)k;
	/* Globalping returns the probes in the order asked: one whose network
	 * was renamed is still the one at its place, in its country. */
	if (v->ops->whole_rounds && n == v->nrows && pos < n && !used[pos] &&
	    strcmp(res[pos].probe.country, p->country) == 0)
		return (long)pos;
	return -1;
}

/* Every job's answer is an error saying why (what a round that could not
 * be asked leaves). */
static void all_failed(struct vantage *v, size_t n, struct answer *out, const char *why)
{
	for (size_t k = 0; k < n; k++) {
		out[k].outcome = OUT_ERROR;
		answer_set_detail(&out[k], "%s", why);
	}
	if (strcmp(v->last_warned, why) != 0) {
		warnf("%s", v->why[0] ? v->why : why);
		snprintf(v->last_warned, sizeof v->last_warned, "%s", why);
	}
}

static void round_of(struct vantage *v, const struct engine_job *jobs, size_t n, struct answer *out)
{
	struct vantage_result *res = NULL;
	size_t nres = 0, *rows = calloc(n ? n : 1, sizeof *rows);
	bool *used = NULL;

	if (rows == NULL)
		return all_failed(v, n, out, pw_strerror(PW_ENOMEM));
	for (size_t k = 0; k < n; k++)
		rows[k] = row_of(v, &jobs[k]);
	v->why[0] = '\0';
	if (clock_mono() < v->blocked_until) {
		all_failed(v, n, out, v->blocked_why);
	} else if (v->ops->measure(v, rows, n, &res, &nres) < 0) {
		char why[96];
		snprintf(why, sizeof why, "%.95s", v->why);
		all_failed(v, n, out, why);
	} else if ((used = calloc(nres ? nres : 1, sizeof *used)) == NULL) {
		all_failed(v, n, out, pw_strerror(PW_ENOMEM));
	} else {
		v->last_warned[0] = '\0';
		for (size_t k = 0; k < n; k++) {
			const struct vantage_probe *p = &v->rows[rows[k]];
			long m = match(v, rows[k], v->ops->whole_rounds ? rows[k] : k, res, nres,
			               used);
			if (m < 0) {
				out[k].outcome = OUT_ERROR;
				answer_set_detail(
				        &out[k],
				        "%s: no result from this probe in measurement %.24s",
				        vantage_net_name(v->cfg.net), v->last_id);
				continue;
			}
			used[m] = true;
			out[k] = res[m].ans;
			answer_init(&res[m].ans);
			if (strcmp(res[m].probe.resolver, p->resolver) != 0 && !out[k].detail) {
				char r[48];
				vantage_text(r, sizeof r, res[m].probe.resolver);
				vantage_redact(r, sizeof r, v->secret);
				answer_set_detail(&out[k], "asked through %s now", r);
			}
		}
	}
	free(used);
	free(rows);
	vantage_results_free(res, nres);
}

static int vantage_ask(void *ctx, const struct engine_job *jobs, size_t n, struct answer *out,
                       engine_cb cb, void *cbctx, struct engine_stats *st)
{
	struct vantage *v = ctx;

	memset(st, 0, sizeof *st);
	for (size_t k = 0; k < n; k++)
		answer_init(&out[k]);
	if (v->first_pending) {
		/* The first round is the measurement that found the rows. */
		for (size_t k = 0; k < n; k++) {
			size_t i = row_of(v, &jobs[k]);
			out[k] = v->first[i];
			answer_init(&v->first[i]);
		}
		v->first_pending = false;
	} else if (vantage_stopped(v)) {
		for (size_t k = 0; k < n; k++) {
			out[k].outcome = OUT_ERROR;
			answer_set_detail(&out[k], "cancelled");
		}
	} else {
		round_of(v, jobs, n, out);
	}
	for (size_t k = 0; k < n; k++)
		cb(cbctx, k, &out[k]);
	return PW_OK;
}

static void vantage_cancel(void *ctx, void *truth_ctx)
{
	struct vantage *v = ctx;
	pthread_mutex_lock(&v->lock);
	atomic_store(&v->cancelled, 1);
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
	if (truth_ctx != NULL)
		engine_cancel(truth_ctx);
}

struct pipeline_backend vantage_backend(struct vantage *v, struct engine *truth_e)
{
	struct pipeline_backend be = pipeline_engine_backend(NULL, truth_e);
	be.ctx = v;
	be.ask = vantage_ask;
	be.cancel = vantage_cancel;
	be.posts_all = false; /* a failed round leaves its rows to the pipeline */
	return be;
}

bool vantage_whole_rounds(const struct vantage *v)
{
	return v->ops->whole_rounds;
}

void vantage_report(struct vantage *v, struct vantage_report *r)
{
	memset(r, 0, sizeof *r);
	r->net = v->cfg.net;
	r->measurements = v->measurements;
	snprintf(r->first_id, sizeof r->first_id, "%s", v->first_id);
	snprintf(r->last_id, sizeof r->last_id, "%s", v->last_id);
	r->probes = v->nrows;
	r->lim = v->lim;
	r->credits = v->lim.credits_remaining;
	if (v->ops->credits != NULL && !vantage_stopped(v)) {
		long c = v->ops->credits(v);
		if (c >= 0)
			r->credits = c;
	}
}
