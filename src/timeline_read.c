/*
 * timeline_read.c -- a --log file read back into a timeline (timeline.h).
 *
 * Line by line, each parsed by jansson and checked key by key: a log is
 * untrusted input (it may come from a ticket). Only what doc/LOG.md
 * promises is believed; unknown events and keys are skipped, so a newer
 * propwatch's log of the same schema version still renders.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "eventlog.h"
#include "gate.h"
#include "timeline.h"
#include "ttl.h"

#define MAX_LINE (1 << 20) /* a resolver's answer is a few hundred bytes */

struct reader {
	struct timeline *tl;
	const char *path;
	unsigned line;
	int want;           /* the session asked for, 0 the last */
	bool in;            /* inside the session asked for */
	json_t *truth_recs; /* the records of the last truth line */
	double *last_pred;  /* per resolver: the latest predicted_s, -1 none */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct reader *rd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(rd->err, rd->errlen, "%s:%u: %s", rd->path, rd->line, msg);
	return PW_EINVAL;
}

static void reset(struct reader *rd)
{
	struct timeline *tl = rd->tl;
	int sessions = tl->sessions;
	unsigned lines = tl->lines, cut = tl->cut;
	timeline_free(tl);
	tl->sessions = sessions;
	tl->lines = lines;
	tl->cut = cut;
	free(rd->last_pred);
	rd->last_pred = NULL;
	json_decref(rd->truth_recs);
	rd->truth_recs = NULL;
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return strdup(s ? s : "");
}

/* A number that is there and finite, or (null_ok) null, which gives -1. */
static int number(struct reader *rd, json_t *o, const char *key, bool null_ok, double *v)
{
	json_t *j = json_object_get(o, key);
	if (null_ok && (j == NULL || json_is_null(j))) {
		*v = -1;
		return PW_OK;
	}
	if (!json_is_number(j) || !isfinite(json_number_value(j)))
		return fail(rd, "'%s' is not a number", key);
	*v = json_number_value(j);
	return PW_OK;
}

/* The resolver a line names by "i". */
static int resolver_of(struct reader *rd, json_t *o, struct tl_resolver **r, size_t *idx)
{
	json_t *j = json_object_get(o, "i");
	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    (size_t)json_integer_value(j) >= rd->tl->n)
		return fail(rd, "%s", "'i' is not a resolver of this session");
	*idx = (size_t)json_integer_value(j);
	*r = &rd->tl->r[*idx];
	return PW_OK;
}

static int on_start(struct reader *rd, json_t *o, double t)
{
	struct timeline *tl = rd->tl;
	json_t *q = json_object_get(o, "query");
	json_t *n = json_object_get(o, "resolvers");
	if (!json_is_string(json_object_get(o, "mode")) || !json_is_object(q) ||
	    !json_is_string(json_object_get(q, "name")) ||
	    !json_is_string(json_object_get(q, "type")))
		return fail(rd, "%s",
		            "a start line needs 'mode' and 'query' with 'name' and 'type'");
	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    json_integer_value(n) > TL_MAX_RESOLVERS)
		return fail(rd, "%s", "'resolvers' is not a count of resolvers");
	reset(rd);
	tl->session = tl->sessions;
	tl->start_wall = t;
	tl->mode = dup_str(o, "mode");
	tl->version = dup_str(o, "version");
	tl->qname = dup_str(q, "name");
	tl->qtype = dup_str(q, "type");
	tl->threshold = -1;
	struct threshold th;
	const char *ths = json_string_value(json_object_get(o, "threshold"));
	if (ths && threshold_parse(ths, &th) == PW_OK && th.percent)
		tl->threshold = th.value;
	tl->n = (size_t)json_integer_value(n);
	tl->r = calloc(tl->n ? tl->n : 1, sizeof *tl->r);
	rd->last_pred = malloc((tl->n ? tl->n : 1) * sizeof *rd->last_pred);
	if (!tl->mode || !tl->version || !tl->qname || !tl->qtype || !tl->r || !rd->last_pred)
		return PW_ENOMEM;
	for (size_t i = 0; i < tl->n; i++) {
		tl->r[i].first_seen = tl->r[i].flipped = tl->r[i].predicted = -1;
		rd->last_pred[i] = -1;
	}
	return PW_OK;
}

static int on_resolver(struct reader *rd, json_t *o)
{
	struct tl_resolver *r;
	size_t i;
	int rc = resolver_of(rd, o, &r, &i);
	if (rc < 0)
		return rc;
	json_t *port = json_object_get(o, "port");
	if (!json_is_string(json_object_get(o, "address")) || !json_is_integer(port) ||
	    json_integer_value(port) < 0 || json_integer_value(port) > 65535)
		return fail(rd, "%s", "a resolver line needs 'address' and 'port'");
	free(r->address);
	free(r->label);
	free(r->operator_name);
	r->address = dup_str(o, "address");
	r->label = dup_str(o, "label");
	r->operator_name = dup_str(o, "operator");
	if (!r->address || !r->label || !r->operator_name)
		return PW_ENOMEM;
	const char *cc = json_string_value(json_object_get(o, "country"));
	snprintf(r->country, sizeof r->country, "%s", cc ? cc : "");
	r->port = (int)json_integer_value(port);
	r->seen = true;
	return PW_OK;
}

static int status_of(const char *name)
{
	for (int s = 0; name && s < ST_COUNT; s++)
		if (strcmp(name, status_name((enum pw_status)s)) == 0)
			return s;
	return -1;
}

/* Room for one more of n elements in *v (capacity *cap, doubled from first). */
static bool room(void **v, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return true;
	size_t want = *cap ? *cap * 2 : first;
	void *p = realloc(*v, want * size);
	if (p == NULL)
		return false;
	*v = p;
	*cap = want;
	return true;
}

static int add_share(struct timeline *tl, double s, double share)
{
	if (tl->nshare && tl->share[tl->nshare - 1].share == share)
		return PW_OK;
	if (!room((void **)&tl->share, &tl->capshare, tl->nshare, sizeof *tl->share, 64))
		return PW_ENOMEM;
	tl->share[tl->nshare++] = (struct tl_point){ s, share };
	return PW_OK;
}

static int add_span(struct tl_resolver *r, double s, enum pw_status st)
{
	if (r->nspans && r->spans[r->nspans - 1].status == st)
		return PW_OK;
	if (!room((void **)&r->spans, &r->capspans, r->nspans, sizeof *r->spans, 2))
		return PW_ENOMEM;
	r->spans[r->nspans++] = (struct tl_span){ s, st };
	return PW_OK;
}

static int on_answer(struct reader *rd, json_t *o, double s)
{
	struct tl_resolver *r;
	size_t i;
	double pred, share;
	int rc = resolver_of(rd, o, &r, &i);
	if (rc < 0)
		return rc;
	const char *name = json_string_value(json_object_get(o, "status"));
	int st = status_of(name);
	if (st < 0 || st == ST_PENDING)
		return fail(rd, "unknown status '%s'", name ? name : "(none)");
	if ((rc = number(rd, o, "predicted_s", true, &pred)) < 0 ||
	    (rc = number(rd, o, "share", false, &share)) < 0)
		return rc;
	if (share < 0 || share > 100)
		return fail(rd, "%s", "'share' is not a per cent");
	json_t *an = json_object_get(o, "anomalies");
	size_t k;
	json_t *v;
	json_array_foreach(an, k, v)
	{
		for (int b = 0; b < ANOM_COUNT; b++)
			if (json_is_string(v) &&
			    strcmp(json_string_value(v), ttl_anomaly_name(b)) == 0)
				r->anomalies |= 1u << b;
	}
	rd->tl->answers++;
	if (r->first_seen < 0)
		r->first_seen = s;
	bool was_new = r->nspans && r->spans[r->nspans - 1].status == ST_NEW;
	if (st == ST_NEW && !was_new) {
		/* The flip that counts is the last one into new: a resolver that
		 * went back to the old answer had not flipped for good. */
		r->flipped = s;
		r->predicted = rd->last_pred[i];
	} else if (st == ST_STALE) {
		r->was_old = true;
		r->flipped = -1;
	}
	if (pred >= 0)
		rd->last_pred[i] = pred;
	if ((rc = add_span(r, s, (enum pw_status)st)) < 0)
		return rc;
	return add_share(rd->tl, s, share);
}

static int on_truth(struct reader *rd, json_t *o, double s)
{
	struct timeline *tl = rd->tl;
	json_t *serial = json_object_get(o, "serial");
	json_t *recs = json_object_get(o, "records");
	if (serial != NULL && !json_is_null(serial) && !json_is_integer(serial))
		return fail(rd, "%s", "'serial' is not a number");
	if (recs != NULL && !json_is_null(recs) && !json_is_array(recs))
		return fail(rd, "%s", "'records' is not a list");
	if (!room((void **)&tl->truth, &tl->captruth, tl->ntruth, sizeof *tl->truth, 8))
		return PW_ENOMEM;
	bool changed = rd->truth_recs != NULL && !json_equal(rd->truth_recs, recs);
	tl->truth[tl->ntruth++] =
	        (struct tl_truth){ s, json_is_integer(serial) ? json_integer_value(serial) : -1,
		                   json_is_true(json_object_get(o, "disagree")), changed };
	json_decref(rd->truth_recs);
	rd->truth_recs = recs ? json_incref(recs) : json_null();
	return PW_OK;
}

static int on_verdict(struct reader *rd, json_t *o)
{
	struct timeline *tl = rd->tl;
	json_t *e = json_object_get(o, "exit");
	if (!json_is_string(json_object_get(o, "verdict")) || !json_is_integer(e))
		return fail(rd, "%s", "a verdict line needs 'verdict' and 'exit'");
	free(tl->verdict);
	tl->verdict = dup_str(o, "verdict");
	tl->exit_code = (int)json_integer_value(e);
	tl->interrupted = json_is_true(json_object_get(o, "interrupted"));
	return tl->verdict ? PW_OK : PW_ENOMEM;
}

/* One whole line, parsed. */
static int on_line(struct reader *rd, json_t *o)
{
	struct timeline *tl = rd->tl;
	json_t *v = json_object_get(o, "v");
	const char *ev = json_string_value(json_object_get(o, "ev"));
	double s, t;
	int rc;

	if (!json_is_object(o))
		return fail(rd, "%s", "not a JSON object");
	if (!json_is_integer(v))
		return fail(rd, "%s", "no schema version 'v': not a propwatch log?");
	if (json_integer_value(v) != EVENTLOG_VERSION) {
		return fail(rd, "schema version %lld is not known (this propwatch reads %d)",
		            (long long)json_integer_value(v), EVENTLOG_VERSION);
	}
	if (ev == NULL)
		return fail(rd, "%s", "no event name 'ev'");
	if ((rc = number(rd, o, "s", false, &s)) < 0 || (rc = number(rd, o, "t", false, &t)) < 0)
		return rc;
	if (strcmp(ev, "start") == 0) {
		tl->sessions++;
		rd->in = rd->want == 0 || tl->sessions == rd->want;
		return rd->in ? on_start(rd, o, t) : PW_OK;
	}
	if (tl->sessions == 0)
		return fail(rd, "'%s' before any start line", ev);
	if (!rd->in)
		return PW_OK;
	if (s > tl->end)
		tl->end = s;
	if (strcmp(ev, "resolver") == 0)
		return on_resolver(rd, o);
	if (strcmp(ev, "answer") == 0)
		return on_answer(rd, o, s);
	if (strcmp(ev, "truth") == 0)
		return on_truth(rd, o, s);
	if (strcmp(ev, "verdict") == 0)
		return on_verdict(rd, o);
	if (strcmp(ev, "change") == 0) {
		struct tl_resolver *r;
		size_t i;
		return resolver_of(rd, o, &r, &i);
	}
	return PW_OK; /* sweep, behaviour, and events of later versions */
}

int timeline_read(FILE *f, const char *path, int session, struct timeline *tl, char *err,
                  size_t errlen)
{
	/* cppcheck-suppress ctuuninitvar ; tl is only stored here, and cleared below */
	struct reader rd = { tl, path, 0, session, false, NULL, NULL, err, errlen };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned bad = 0; /* a line that did not parse: fine only if a session's last */
	char bad_why[200] = "";
	int rc = PW_OK;

	memset(tl, 0, sizeof *tl);
	err[0] = '\0';
	while (rc == PW_OK && (got = getline(&buf, &cap, f)) > 0) {
		rd.line++;
		tl->lines = rd.line;
		size_t len = (size_t)got;
		if (len > MAX_LINE) {
			rc = fail(&rd, "%s", "line too long");
			break;
		}
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		json_error_t je;
		json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
		if (o == NULL || !json_is_object(o)) {
			if (bad) {
				rd.line = bad;
				rc = fail(&rd, "%s", bad_why);
				json_decref(o);
				break;
			}
			bad = rd.line;
			snprintf(bad_why, sizeof bad_why, "not JSON (%.160s)",
			         o ? "not an object" : je.text);
			json_decref(o);
			continue;
		}
		if (bad) {
			/* A broken line is forgiven when the next starts a session: a
			 * crashed session's last line, with a new session after it. */
			const char *ev = json_string_value(json_object_get(o, "ev"));
			if (ev == NULL || strcmp(ev, "start") != 0) {
				rd.line = bad;
				rc = fail(&rd, "%s", bad_why);
				json_decref(o);
				break;
			}
			tl->cut = bad;
			bad = 0;
		}
		rc = on_line(&rd, o);
		json_decref(o);
	}
	if (rc == PW_OK && bad)
		tl->cut = bad; /* the last line, cut short */
	if (rc == PW_OK && tl->sessions == 0) {
		snprintf(err, errlen, "%s: no session in it (not a propwatch --log file?)", path);
		rc = PW_EINVAL;
	} else if (rc == PW_OK && session > tl->sessions) {
		snprintf(err, errlen, "%s: session %d asked for, the log has %d", path, session,
		         tl->sessions);
		rc = PW_EINVAL;
	}
	if (rc == PW_OK && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = PW_EIO;
	}
	if (rc == PW_ENOMEM && !err[0])
		snprintf(err, errlen, "%s: out of memory", path);
	for (size_t i = 0; rc == PW_OK && i < tl->n; i++)
		if (!tl->r[i].seen) {
			snprintf(err, errlen, "%s: session %d lists no resolver %zu", path,
			         tl->session, i);
			rc = PW_EINVAL;
		}
	free(buf);
	free(rd.last_pred);
	json_decref(rd.truth_recs);
	if (rc < 0)
		timeline_free(tl);
	return rc;
}

void timeline_free(struct timeline *tl)
{
	for (size_t i = 0; tl->r != NULL && i < tl->n; i++) {
		free(tl->r[i].address);
		free(tl->r[i].label);
		free(tl->r[i].operator_name);
		free(tl->r[i].spans);
	}
	free(tl->r);
	free(tl->share);
	free(tl->truth);
	free(tl->mode);
	free(tl->version);
	free(tl->qname);
	free(tl->qtype);
	free(tl->verdict);
	memset(tl, 0, sizeof *tl);
}

enum pw_status timeline_status_at(const struct tl_resolver *r, double s)
{
	enum pw_status st = ST_PENDING;
	for (size_t k = 0; k < r->nspans && r->spans[k].from <= s; k++)
		st = r->spans[k].status;
	return st;
}

static int by_flip(const void *a, const void *b, void *ctx)
{
	const struct timeline *tl = ctx;
	const struct tl_resolver *x = &tl->r[*(const size_t *)a];
	const struct tl_resolver *y = &tl->r[*(const size_t *)b];
	double fx = x->flipped >= 0 ? x->flipped : INFINITY;
	double fy = y->flipped >= 0 ? y->flipped : INFINITY;
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t *timeline_order(const struct timeline *tl)
{
	size_t *o = malloc((tl->n ? tl->n : 1) * sizeof *o);
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < tl->n; i++)
		o[i] = i;
	qsort_r(o, tl->n, sizeof *o, by_flip, (void *)tl);
	return o;
}
