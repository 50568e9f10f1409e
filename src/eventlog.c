/*
 * eventlog.c -- the roll-out log: see eventlog.h and doc/LOG.md.
 */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "compare.h"
#include "error.h"
#include "eventlog.h"
#include "jsonw.h"
#include "out.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"
#include "ttl.h"
#include "version.h"

struct eventlog {
	FILE *f;
	struct jw *w;
	double start;    /* the session's first moment (mono) */
	bool started;    /* a start line was written */
	char *truth_key; /* what the last `truth` line said, to write changes only */
};

struct eventlog *eventlog_open(const char *path, char *err, size_t errlen)
{
	struct eventlog *l = calloc(1, sizeof *l);
	if (l == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	l->f = fopen(path, "a");
	if (l->f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(l);
		return NULL;
	}
	l->w = jw_open(l->f);
	if (l->w == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(l->f);
		free(l);
		return NULL;
	}
	return l;
}

int eventlog_close(struct eventlog *l)
{
	if (l == NULL)
		return PW_OK;
	int rc = jw_close(l->w);
	if (fclose(l->f) != 0)
		rc = PW_EIO;
	free(l->truth_key);
	free(l);
	return rc;
}

bool eventlog_started(const struct eventlog *l)
{
	return l->started;
}

struct jw *eventlog_begin(struct eventlog *l, const char *ev, double now)
{
	struct jw *w = l->w;
	jw_obj(w);
	jw_kint(w, "v", EVENTLOG_VERSION);
	jw_kstr(w, "ev", ev);
	jw_key(w, "t");
	jw_real(w, clock_wall_at(now), 3);
	jw_key(w, "s");
	jw_real(w, now - l->start, 3);
	return w;
}

void eventlog_end(struct eventlog *l)
{
	jw_end(l->w);
	jw_line_end(l->w);
}

static void records(struct jw *w, const char *key, char *const *v, size_t n, bool present)
{
	jw_key(w, key);
	if (present)
		jw_strv(w, v, n);
	else
		jw_null(w);
}

static void rcode(struct jw *w, int rc)
{
	char buf[32];
	jw_key(w, "rcode");
	jw_str(w, rc < 0 ? NULL : rcode_name(rc, buf, sizeof buf));
}

static void int_or_null(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int_or_null(w, v);
}

void eventlog_start(struct eventlog *l, const char *mode, const struct query *q,
                    const struct reslist *list, double interval, const char *threshold, double now)
{
	l->start = now;
	l->started = true;
	free(l->truth_key);
	l->truth_key = NULL;
	struct jw *w = eventlog_begin(l, "start", now);
	char *type = ldns_rr_type2str((ldns_rr_type)q->type);
	jw_kstr(w, "mode", mode);
	jw_kstr(w, "version", version_line());
	jw_key(w, "query");
	jw_obj(w);
	jw_kstr(w, "name", q->name);
	jw_kstr(w, "type", type ? type : "?");
	jw_end(w);
	free(type);
	jw_kint(w, "resolvers", (long long)list->n);
	jw_key(w, "interval");
	jw_real(w, interval, 3);
	jw_kstr(w, "threshold", threshold ? threshold : "100%");
	eventlog_end(l);
	for (size_t i = 0; i < list->n; i++) {
		const struct resolver *r = &list->v[i];
		w = eventlog_begin(l, "resolver", now);
		jw_kint(w, "i", (long long)i);
		out_json_resolver(w, r);
		eventlog_end(l);
	}
}

/* What a truth line says, as one string, so that only changes are written. */
static char *truth_key(const struct expected *e)
{
	size_t len = 64 + (e->key ? strlen(e->key) : 0) + e->nauth * 24;
	char *k = malloc(len);
	if (k == NULL)
		return NULL;
	uint32_t serial = 0;
	bool has = expected_serial(e, &serial);
	int o = snprintf(k, len, "%d|%d|%d|%d:%lu|%s|", e->source, e->rcode, e->disagree, has,
	                 (unsigned long)serial, e->key ? e->key : "");
	for (size_t i = 0; i < e->nauth && o > 0 && (size_t)o < len; i++)
		o += snprintf(k + o, len - (size_t)o, "%ld,",
		              e->auth[i].soa.has_soa ? (long)e->auth[i].soa.soa_serial : -1L);
	return k;
}

void eventlog_truth(struct eventlog *l, const struct tracker *t, double now)
{
	const struct expected *e = tracker_truth(t);
	char *key = truth_key(e);
	if (key != NULL && l->truth_key != NULL && strcmp(key, l->truth_key) == 0) {
		free(key);
		return;
	}
	free(l->truth_key);
	l->truth_key = key;

	static const char *const sources[] = { "none", "expect", "auth" };
	bool none = e->source == EXP_NONE;
	struct jw *w = eventlog_begin(l, "truth", now);
	jw_kstr(w, "source", sources[e->source]);
	jw_kstr(w, "zone", e->zone);
	uint32_t serial = 0;
	int_or_null(w, "serial", expected_serial(e, &serial) ? (long long)serial : -1);
	rcode(w, none ? -1 : e->rcode);
	records(w, "records", e->records, e->nrecords, !none);
	int_or_null(w, "auth_ttl", e->auth_ttl);
	jw_kbool(w, "disagree", e->disagree);
	jw_key(w, "servers");
	jw_arr(w);
	for (size_t i = 0; i < e->nauth; i++) {
		const struct auth_server *s = &e->auth[i];
		jw_obj(w);
		jw_kstr(w, "name", s->name ? s->name : "");
		jw_kstr(w, "address", s->addr.host);
		int_or_null(w, "serial", s->soa.has_soa ? (long long)s->soa.soa_serial : -1);
		jw_kbool(w, "agrees", s->agrees);
		jw_end(w);
	}
	jw_end(w);
	if (e->problem[0])
		jw_kstr(w, "problem", e->problem);
	eventlog_end(l);
}

static double latest_share(const struct tracker *t)
{
	size_t n = tracker_timeline_len(t);
	return n ? tracker_timeline(t, n - 1)->share : 0;
}

void eventlog_answer(struct eventlog *l, const struct tracker *t, size_t i, enum pw_status before,
                     double now)
{
	const struct answer *a = tracker_answer(t, i);
	const struct ttl_track *k = tracker_track(t, i);
	enum pw_status st = tracker_status(t, i);
	bool reply = a->outcome == OUT_REPLY;

	struct jw *w = eventlog_begin(l, "answer", now);
	jw_kint(w, "i", (long long)i);
	jw_kstr(w, "status", status_name(st));
	rcode(w, a->rcode);
	int_or_null(w, "ttl", a->ttl);
	jw_key(w, "latency_ms");
	jw_real_or_null(w, reply ? a->latency_ms : -1, 3);
	records(w, "records", a->records, a->nrecords, reply);
	if (tracker_site(t, i) != NULL)
		jw_kstr(w, "site", tracker_site(t, i));
	jw_key(w, "eta_s");
	jw_real_or_null(w, tracker_eta(t, i, now), 1);
	jw_key(w, "predicted_s");
	jw_real_or_null(w, k->predicted >= 0 ? k->predicted - l->start : -1, 3);
	jw_key(w, "anomalies");
	jw_arr(w);
	for (int b = 0; b < ANOM_COUNT; b++)
		if (tracker_anomalies(t, i) & (1u << b))
			jw_str(w, ttl_anomaly_name(b));
	jw_end(w);
	jw_key(w, "share");
	jw_real(w, latest_share(t), 2);
	eventlog_end(l);
	if (st != before) {
		w = eventlog_begin(l, "change", now);
		jw_kint(w, "i", (long long)i);
		jw_kstr(w, "from", status_name(before));
		jw_kstr(w, "to", status_name(st));
		eventlog_end(l);
	}
}

static void counts(struct jw *w, const struct tracker *t)
{
	const struct summary *s = tracker_summary(t);
	jw_kint(w, "new", (long long)s->count[ST_NEW]);
	jw_kint(w, "usable", (long long)s->usable);
	jw_kint(w, "total", (long long)s->total);
	jw_key(w, "share");
	jw_real(w, s->share, 2);
}

void eventlog_sweep(struct eventlog *l, const struct tracker *t, size_t asked, double now)
{
	struct jw *w = eventlog_begin(l, "sweep", now);
	jw_kint(w, "n", t->rounds);
	jw_kint(w, "asked", (long long)asked);
	counts(w, t);
	jw_kint(w, "dropped", (long long)t->dropped);
	jw_kint(w, "stray", (long long)t->stray);
	eventlog_end(l);
}

void eventlog_verdict(struct eventlog *l, const struct tracker *t, bool interrupted, double now)
{
	const struct summary *s = tracker_summary(t);
	struct jw *w = eventlog_begin(l, "verdict", now);
	jw_kstr(w, "verdict", s->verdict);
	jw_kint(w, "exit", s->exit_code);
	counts(w, t);
	jw_key(w, "eta_s");
	jw_real_or_null(w, tracker_fleet_eta(t, now), 1);
	jw_kbool(w, "interrupted", interrupted);
	eventlog_end(l);
}
