/*
 * out_json.c -- the model as one JSON object, streamed through jsonw (which
 * leaves the escaping to jansson): one line per resolver, so memory stays
 * flat and 10,000 resolvers take milliseconds, not a tree each.
 */
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "jsonw.h"
#include "out.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"
#include "vantage.h"

static void rcode_json(struct jw *w, int rcode)
{
	char buf[32];
	jw_str(w, rcode < 0 ? NULL : rcode_name(rcode, buf, sizeof buf));
}

static void ttl_json(struct jw *w, const char *key, long ttl)
{
	jw_key(w, key);
	jw_int_or_null(w, ttl);
}

/* What the wire said: rcode, flags, records, TTLs, latency, transport. */
static void answer_json(struct jw *w, const struct answer *a)
{
	bool reply = a->outcome == OUT_REPLY;
	jw_key(w, "rcode");
	rcode_json(w, a->rcode);
	jw_key(w, "flags");
	if (reply) {
		jw_obj(w);
		jw_kbool(w, "aa", a->flags & PW_F_AA);
		jw_kbool(w, "tc", a->flags & PW_F_TC);
		jw_kbool(w, "ad", a->flags & PW_F_AD);
		jw_kbool(w, "ra", a->flags & PW_F_RA);
		jw_end(w);
		jw_key(w, "records");
		jw_strv(w, a->records, a->nrecords);
	} else {
		jw_null(w);
		jw_knull(w, "records");
	}
	ttl_json(w, "ttl", a->ttl);
	ttl_json(w, "neg_ttl", a->neg_ttl);
	jw_key(w, "latency_ms");
	jw_real_or_null(w, reply ? a->latency_ms : -1, 3);
	jw_kstr(w, "transport",
	        a->transport == TR_TCP   ? "tcp"
	        : a->transport == TR_UDP ? "udp"
	                                 : NULL);
	jw_kint(w, "tries", a->tries);
	if (a->case_fallback)
		jw_kbool(w, "case_preserved", false);
	if (a->detail)
		jw_kstr(w, "detail", a->detail);
}

static void auth_json(struct jw *w, const struct auth_server *s)
{
	jw_obj(w);
	jw_kstr(w, "name", s->name ? s->name : "");
	jw_kstr(w, "address", s->addr.host);
	jw_kint(w, "port", s->addr.port);
	answer_json(w, &s->ans);
	jw_kstr(w, "status", s->state ? s->state : "pending");
	jw_kbool(w, "aa", s->ans.flags & PW_F_AA);
	jw_key(w, "serial");
	if (s->soa.has_soa)
		jw_int(w, (long long)s->soa.soa_serial);
	else
		jw_null(w);
	jw_kbool(w, "usable", s->usable);
	jw_kbool(w, "agrees", s->agrees);
	jw_end(w);
}

static void expected_json(struct jw *w, const struct expected *e)
{
	static const char *const sources[] = { "none", "expect", "auth" };
	bool none = e->source == EXP_NONE;

	jw_obj(w);
	jw_kstr(w, "source", sources[e->source]);
	jw_key(w, "rcode");
	rcode_json(w, none ? -1 : e->rcode);
	jw_key(w, "records");
	if (none)
		jw_null(w);
	else
		jw_strv(w, e->records, e->nrecords);
	ttl_json(w, "auth_ttl", e->auth_ttl);
	jw_kstr(w, "zone", e->zone);
	if (e->problem[0])
		jw_kstr(w, "problem", e->problem);
	jw_key(w, "auth_servers");
	jw_arr(w);
	for (size_t i = 0; i < e->nauth; i++)
		auth_json(w, &e->auth[i]);
	jw_end(w);
	jw_kbool(w, "auth_disagree", e->disagree);
	jw_end(w);
}

/* Who asked, when a probe did: its network, id, place and resolver. */
static void probe_json(struct jw *w, const struct vantage_probe *p)
{
	jw_kstr(w, "via", vantage_net_key(p->net));
	jw_kstr(w, "probe_id", p->id);
	jw_key(w, "continent");
	jw_str_or_null(w, p->continent);
	jw_key(w, "city");
	jw_str_or_null(w, p->city);
	ttl_json(w, "asn", p->asn);
	jw_key(w, "network");
	jw_str_or_null(w, p->network);
	jw_key(w, "probe_resolver");
	jw_str_or_null(w, p->resolver);
	jw_kbool(w, "private_resolver", p->private_resolver);
}

void out_json_resolver(struct jw *w, const struct resolver *r)
{
	jw_kstr(w, "address", r->host);
	jw_kint(w, "port", r->port);
	jw_kstr(w, "country", r->country);
	jw_kstr(w, "operator", r->operator_name);
	jw_kbool(w, "anycast", r->anycast);
	jw_kstr(w, "label", r->label);
	if (r->probe != NULL)
		probe_json(w, r->probe);
}

static void resolver_json(struct jw *w, const struct view *v, size_t i, long sweep)
{
	const struct tracker *t = v->t;
	const struct resolver *r = &t->cfg.list->v[i];
	const struct ttl_track *k = tracker_track(t, i);

	jw_obj(w);
	out_json_resolver(w, r);
	jw_kstr(w, "status", status_name(tracker_status(t, i)));
	answer_json(w, tracker_answer(t, i));
	jw_kstr(w, "site", tracker_site(t, i));
	int var = tracker_variant(t, i);
	ttl_json(w, "variant", var);
	ttl_json(w, "auth_ttl", tracker_truth(t)->auth_ttl);
	jw_key(w, "eta_s");
	jw_real_or_null(w, tracker_eta(t, i, v->now), 1);
	jw_key(w, "anomalies");
	jw_arr(w);
	for (int b = 0; b < ANOM_COUNT; b++)
		if (tracker_anomalies(t, i) & (1u << b))
			jw_str(w, ttl_anomaly_name(b));
	jw_end(w);
	if (k->ttl_min_seen >= 0) {
		jw_key(w, "ttl_seen");
		jw_obj(w);
		jw_kint(w, "min", k->ttl_min_seen);
		jw_kint(w, "max", k->ttl_max_seen);
		jw_end(w);
	}
	if (sweep >= 0)
		jw_kint(w, "sweep", sweep);
	jw_end(w);
}

static void variants_json(struct jw *w, const struct tracker *t)
{
	size_t n;
	const struct variant *vs = tracker_variants(t, &n);
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(w);
		jw_kint(w, "id", (long long)i);
		jw_key(w, "rcode");
		rcode_json(w, vs[i].rcode);
		jw_key(w, "records");
		jw_strv(w, vs[i].records, vs[i].nrecords);
		jw_kint(w, "count", (long long)vs[i].count);
		jw_kbool(w, "new", vs[i].is_new);
		jw_end(w);
	}
	jw_end(w);
}

/* The share of each country's rows, for a fleet of probes. */
static void countries_json(struct jw *w, const struct tracker *t)
{
	struct country_share *cs = calloc(t->n ? t->n : 1, sizeof *cs);
	size_t n = cs ? tracker_countries(t, cs, t->n) : 0;
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(w);
		jw_kstr(w, "country", cs[i].country);
		jw_kint(w, "rows", (long long)cs[i].rows);
		jw_kint(w, "new", (long long)cs[i].fresh);
		jw_kint(w, "usable", (long long)cs[i].usable);
		jw_key(w, "share");
		jw_real(w, cs[i].share, 2);
		jw_end(w);
	}
	jw_end(w);
	free(cs);
}

/* What the network said is left; never the credential. */
static void vantage_json(struct jw *w, const struct vantage_report *r)
{
	const struct http_limits *l = &r->lim;
	jw_obj(w);
	jw_kstr(w, "via", vantage_net_key(r->net));
	jw_kstr(w, "network", vantage_net_name(r->net));
	jw_kint(w, "measurements", r->measurements);
	jw_kint(w, "probes", (long long)r->probes);
	jw_key(w, "first_measurement");
	jw_str_or_null(w, r->first_id);
	jw_key(w, "last_measurement");
	jw_str_or_null(w, r->last_id);
	jw_key(w, "rate_limit");
	if (l->rl_limit >= 0 || l->rl_remaining >= 0 || l->rl_reset >= 0) {
		jw_obj(w);
		ttl_json(w, "limit", l->rl_limit);
		ttl_json(w, "remaining", l->rl_remaining);
		ttl_json(w, "reset_s", l->rl_reset);
		jw_end(w);
	} else {
		jw_null(w);
	}
	ttl_json(w, "credits_remaining", r->credits);
	jw_end(w);
}

static void summary_json(struct jw *w, const struct view *v)
{
	const struct tracker *t = v->t;
	const struct summary *s = tracker_summary(t);

	jw_obj(w);
	jw_kint(w, "total", (long long)s->total);
	jw_kint(w, "usable", (long long)s->usable);
	for (int st = ST_NEW; st < ST_COUNT; st++)
		jw_kint(w, status_name(st), (long long)s->count[st]);
	jw_key(w, "share");
	jw_real(w, s->share, 2);
	jw_kbool(w, "propagated", s->propagated);
	jw_kstr(w, "verdict", s->verdict);
	jw_kint(w, "exit", s->exit_code);
	if (s->why[0])
		jw_kstr(w, "why", s->why);
	if (v->note)
		jw_kstr(w, "note", v->note);
	jw_kbool(w, "interrupted", v->interrupted);
	double eta = tracker_fleet_eta(t, v->now);
	jw_key(w, "eta_s");
	jw_real_or_null(w, eta, 1);
	if (eta >= 0) {
		char at[32];
		struct tm tm;
		time_t when = (time_t)ceil(clock_wall_at(v->now + eta));
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S%z", localtime_r(&when, &tm));
		jw_kstr(w, "eta_at", at);
	}
	/* ETAs count from this moment; scripts can turn them into clock times. */
	jw_key(w, "time");
	jw_real(w, clock_wall_at(v->now), 3);
	jw_kint(w, "sweeps", t->rounds);
	jw_key(w, "elapsed_s");
	jw_real(w, v->now - t->start, 3);
	jw_kint(w, "dropped", (long long)t->dropped);
	jw_kint(w, "stray", (long long)t->stray);
	if (view_has_probes(v)) {
		jw_key(w, "by_country");
		countries_json(w, t);
	}
	if (v->vantage != NULL) {
		jw_key(w, "vantage");
		vantage_json(w, v->vantage);
	}
	jw_end(w);
}

int out_json(FILE *f, const struct view *v)
{
	const struct tracker *t = v->t;
	const struct query *q = t->cfg.q;
	struct jw *w = jw_open(f);
	if (w == NULL)
		return PW_ENOMEM;

	char *tname = ldns_rr_type2str((ldns_rr_type)q->type);
	jw_obj(w);
	jw_break(w, 2);
	jw_key(w, "query");
	jw_obj(w);
	jw_kstr(w, "name", q->name);
	jw_kstr(w, "type", tname ? tname : "?");
	jw_kbool(w, "dnssec", q->o.dnssec);
	jw_end(w);
	free(tname);
	jw_break(w, 2);
	jw_key(w, "expected");
	expected_json(w, tracker_truth(t));
	jw_break(w, 2);
	jw_key(w, "resolvers");
	jw_arr(w);
	for (size_t i = 0; i < t->n; i++) {
		jw_break(w, 4);
		resolver_json(w, v, i, -1);
	}
	if (t->n)
		jw_break(w, 2);
	jw_end(w);
	jw_break(w, 2);
	jw_key(w, "variants");
	variants_json(w, t);
	jw_break(w, 2);
	jw_key(w, "summary");
	summary_json(w, v);
	jw_break(w, 0);
	jw_end(w);
	jw_break(w, 0);
	/* The closing newline: a break with nothing after it is not written. */
	int rc = jw_close(w);
	if (rc == PW_OK && (fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f)))
		rc = PW_EIO;
	return rc;
}

int out_ndjson_row(struct jw *w, const struct view *v, size_t i)
{
	resolver_json(w, v, i, (long)v->t->rounds + 1);
	return jw_line_end(w);
}

int out_ndjson_summary(struct jw *w, const struct view *v)
{
	jw_obj(w);
	jw_key(w, "summary");
	summary_json(w, v);
	jw_end(w);
	return jw_line_end(w);
}
