/*
 * out_json.c -- the model as one JSON object, built with jansson so that
 * escaping is never our problem.
 *
 * The top level is written key by key and the resolvers one at a time,
 * each object built, dumped and freed, so memory stays flat with 10,000
 * resolvers; jansson still does every bit of encoding and escaping.
 */
#include <jansson.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "out.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"
#include "vantage.h"

#define LINE (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static json_t *records_json(char *const *records, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(records[i]));
	return a;
}

static json_t *rcode_json(int rcode)
{
	char buf[32];
	return rcode < 0 ? json_null() : json_string(rcode_name(rcode, buf, sizeof buf));
}

/* A number rounded to `digits` decimals, or null when negative (unknown). */
static json_t *real_or_null(double v, int digits)
{
	double scale = pow(10, digits);
	return v < 0 ? json_null() : json_real(round(v * scale) / scale);
}

/* What the wire said: rcode, flags, records, TTLs, latency, transport. */
static void answer_json(const struct answer *a, json_t *o)
{
	bool reply = a->outcome == OUT_REPLY;
	json_object_set_new(o, "rcode", rcode_json(a->rcode));
	if (reply) {
		json_object_set_new(o, "flags",
		                    json_pack("{s:b,s:b,s:b,s:b}", "aa", !!(a->flags & PW_F_AA),
		                              "tc", !!(a->flags & PW_F_TC), "ad",
		                              !!(a->flags & PW_F_AD), "ra",
		                              !!(a->flags & PW_F_RA)));
		json_object_set_new(o, "records", records_json(a->records, a->nrecords));
	} else {
		json_object_set_new(o, "flags", json_null());
		json_object_set_new(o, "records", json_null());
	}
	json_object_set_new(o, "ttl", a->ttl >= 0 ? json_integer(a->ttl) : json_null());
	json_object_set_new(o, "neg_ttl", a->neg_ttl >= 0 ? json_integer(a->neg_ttl) : json_null());
	json_object_set_new(o, "latency_ms", reply ? real_or_null(a->latency_ms, 3) : json_null());
	json_object_set_new(o, "transport",
	                    a->transport == TR_TCP   ? json_string("tcp")
	                    : a->transport == TR_UDP ? json_string("udp")
	                                             : json_null());
	json_object_set_new(o, "tries", json_integer(a->tries));
	if (a->case_fallback)
		json_object_set_new(o, "case_preserved", json_false());
	if (a->detail[0])
		json_object_set_new(o, "detail", json_string(a->detail));
}

static json_t *expected_json(const struct expected *e)
{
	static const char *const sources[] = { "none", "expect", "auth" };
	json_t *o = json_object();

	json_object_set_new(o, "source", json_string(sources[e->source]));
	json_object_set_new(o, "rcode", e->source == EXP_NONE ? json_null() : rcode_json(e->rcode));
	json_object_set_new(o, "records",
	                    e->source == EXP_NONE ? json_null()
	                                          : records_json(e->records, e->nrecords));
	json_object_set_new(o, "auth_ttl",
	                    e->auth_ttl >= 0 ? json_integer(e->auth_ttl) : json_null());
	json_object_set_new(o, "zone", e->zone ? json_string(e->zone) : json_null());
	if (e->problem[0])
		json_object_set_new(o, "problem", json_string(e->problem));
	json_t *auth = json_array();
	for (size_t i = 0; i < e->nauth; i++) {
		const struct auth_server *s = &e->auth[i];
		json_t *a = json_pack("{s:s,s:s,s:i}", "name", s->name ? s->name : "", "address",
		                      s->addr.host, "port", s->addr.port);
		answer_json(&s->ans, a);
		json_object_set_new(a, "status", json_string(s->state ? s->state : "pending"));
		json_object_set_new(a, "aa", json_boolean(s->ans.flags & PW_F_AA));
		json_object_set_new(a, "serial",
		                    s->soa.has_soa ? json_integer(s->soa.soa_serial) : json_null());
		json_object_set_new(a, "usable", json_boolean(s->usable));
		json_object_set_new(a, "agrees", json_boolean(s->agrees));
		json_array_append_new(auth, a);
	}
	json_object_set_new(o, "auth_servers", auth);
	json_object_set_new(o, "auth_disagree", json_boolean(e->disagree));
	return o;
}

static json_t *text_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* Who asked, when a probe did: its network, id, place and resolver. */
static void probe_json(const struct vantage_probe *p, json_t *o)
{
	json_object_set_new(o, "via", json_string(vantage_net_key(p->net)));
	json_object_set_new(o, "probe_id", json_string(p->id));
	json_object_set_new(o, "continent", text_or_null(p->continent));
	json_object_set_new(o, "city", text_or_null(p->city));
	json_object_set_new(o, "asn", p->asn >= 0 ? json_integer(p->asn) : json_null());
	json_object_set_new(o, "network", text_or_null(p->network));
	json_object_set_new(o, "probe_resolver", text_or_null(p->resolver));
	json_object_set_new(o, "private_resolver", json_boolean(p->private_resolver));
}

static json_t *resolver_json(const struct view *v, size_t i)
{
	const struct tracker *t = v->t;
	const struct resolver *r = &t->cfg.list->v[i];
	const struct ttl_track *k = tracker_track(t, i);
	json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:b,s:s}", "address", r->host, "port", r->port,
	                      "country", r->country, "operator", r->operator_name, "anycast",
	                      r->anycast, "label", r->label);
	if (r->probe != NULL)
		probe_json(r->probe, o);
	json_object_set_new(o, "status", json_string(status_name(tracker_status(t, i))));
	answer_json(tracker_answer(t, i), o);
	int var = tracker_variant(t, i);
	json_object_set_new(o, "variant", var >= 0 ? json_integer(var) : json_null());
	long auth_ttl = tracker_truth(t)->auth_ttl;
	json_object_set_new(o, "auth_ttl", auth_ttl >= 0 ? json_integer(auth_ttl) : json_null());
	json_object_set_new(o, "eta_s", real_or_null(tracker_eta(t, i, v->now), 1));
	json_t *an = json_array();
	for (int b = 0; b < ANOM_COUNT; b++)
		if (tracker_anomalies(t, i) & (1u << b))
			json_array_append_new(an, json_string(ttl_anomaly_name(b)));
	json_object_set_new(o, "anomalies", an);
	if (k->ttl_min_seen >= 0)
		json_object_set_new(o, "ttl_seen",
		                    json_pack("{s:I,s:I}", "min", (json_int_t)k->ttl_min_seen,
		                              "max", (json_int_t)k->ttl_max_seen));
	return o;
}

static json_t *variants_json(const struct tracker *t)
{
	size_t n;
	const struct variant *vs = tracker_variants(t, &n);
	json_t *vars = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:i}", "id", (int)i);
		json_object_set_new(o, "rcode", rcode_json(vs[i].rcode));
		json_object_set_new(o, "records", records_json(vs[i].records, vs[i].nrecords));
		json_object_set_new(o, "count", json_integer((json_int_t)vs[i].count));
		json_object_set_new(o, "new", json_boolean(vs[i].is_new));
		json_array_append_new(vars, o);
	}
	return vars;
}

/* The share of each country's rows, for a fleet of probes. */
static json_t *countries_json(const struct tracker *t)
{
	struct country_share *cs = calloc(t->n ? t->n : 1, sizeof *cs);
	json_t *a = json_array();
	size_t n = cs ? tracker_countries(t, cs, t->n) : 0;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:I,s:f}", "country",
		                                   cs[i].country, "rows", (json_int_t)cs[i].rows,
		                                   "new", (json_int_t)cs[i].fresh, "usable",
		                                   (json_int_t)cs[i].usable, "share",
		                                   round(cs[i].share * 100) / 100));
	free(cs);
	return a;
}

static json_t *long_or_null(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* What the network said is left; never the credential. */
static json_t *vantage_json(const struct vantage_report *r)
{
	const struct http_limits *l = &r->lim;
	json_t *o = json_pack("{s:s,s:s,s:i,s:I}", "via", vantage_net_key(r->net), "network",
	                      vantage_net_name(r->net), "measurements", (int)r->measurements,
	                      "probes", (json_int_t)r->probes);
	json_object_set_new(o, "first_measurement", text_or_null(r->first_id));
	json_object_set_new(o, "last_measurement", text_or_null(r->last_id));
	if (l->rl_limit >= 0 || l->rl_remaining >= 0 || l->rl_reset >= 0)
		json_object_set_new(o, "rate_limit",
		                    json_pack("{s:o,s:o,s:o}", "limit", long_or_null(l->rl_limit),
		                              "remaining", long_or_null(l->rl_remaining), "reset_s",
		                              long_or_null(l->rl_reset)));
	else
		json_object_set_new(o, "rate_limit", json_null());
	json_object_set_new(o, "credits_remaining", long_or_null(r->credits));
	return o;
}

static json_t *summary_json(const struct view *v)
{
	const struct tracker *t = v->t;
	const struct summary *s = tracker_summary(t);
	json_t *sum = json_object();

	json_object_set_new(sum, "total", json_integer((json_int_t)s->total));
	json_object_set_new(sum, "usable", json_integer((json_int_t)s->usable));
	for (int st = ST_NEW; st < ST_COUNT; st++)
		json_object_set_new(sum, status_name(st), json_integer((json_int_t)s->count[st]));
	json_object_set_new(sum, "share", json_real(round(s->share * 100) / 100));
	json_object_set_new(sum, "propagated", json_boolean(s->propagated));
	json_object_set_new(sum, "verdict", json_string(s->verdict));
	json_object_set_new(sum, "exit", json_integer(s->exit_code));
	if (s->why[0])
		json_object_set_new(sum, "why", json_string(s->why));
	if (v->note)
		json_object_set_new(sum, "note", json_string(v->note));
	json_object_set_new(sum, "interrupted", json_boolean(v->interrupted));
	double eta = tracker_fleet_eta(t, v->now);
	json_object_set_new(sum, "eta_s", real_or_null(eta, 1));
	if (eta >= 0) {
		char at[32];
		struct tm tm;
		time_t when = (time_t)ceil(clock_wall_at(v->now + eta));
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S%z", localtime_r(&when, &tm));
		json_object_set_new(sum, "eta_at", json_string(at));
	}
	/* ETAs count from this moment; scripts can turn them into clock times. */
	json_object_set_new(sum, "time", json_real(round(clock_wall_at(v->now) * 1000) / 1000));
	json_object_set_new(sum, "sweeps", json_integer(t->rounds));
	json_object_set_new(sum, "elapsed_s", json_real(round((v->now - t->start) * 1000) / 1000));
	json_object_set_new(sum, "dropped", json_integer((json_int_t)t->dropped));
	json_object_set_new(sum, "stray", json_integer((json_int_t)t->stray));
	if (view_has_probes(v))
		json_object_set_new(sum, "by_country", countries_json(t));
	if (v->vantage != NULL)
		json_object_set_new(sum, "vantage", vantage_json(v->vantage));
	return sum;
}

/* Write `"key": value` (value consumed); first says whether a comma goes before. */
static int put(FILE *f, const char *key, json_t *value, int first)
{
	json_t *k = json_string(key);
	int rc = fputs(first ? "\n  " : ",\n  ", f) < 0 || json_dumpf(k, f, JSON_ENCODE_ANY) < 0 ||
	         fputs(": ", f) < 0 || json_dumpf(value, f, LINE | JSON_ENCODE_ANY) < 0;
	json_decref(k);
	json_decref(value);
	return rc;
}

int out_json(FILE *f, const struct view *v)
{
	const struct tracker *t = v->t;
	const struct query *q = t->cfg.q;
	char *tname = ldns_rr_type2str((ldns_rr_type)q->type);
	int err = 0;

	err |= fputc('{', f) == EOF;
	err |= put(f, "query",
	           json_pack("{s:s,s:s,s:b}", "name", q->name, "type", tname ? tname : "?",
	                     "dnssec", q->o.dnssec),
	           1);
	free(tname);
	err |= put(f, "expected", expected_json(tracker_truth(t)), 0);
	err |= fputs(",\n  \"resolvers\": [", f) < 0;
	for (size_t i = 0; i < t->n && !err; i++) {
		json_t *o = resolver_json(v, i);
		err |= fputs(i ? ",\n    " : "\n    ", f) < 0;
		err |= json_dumpf(o, f, LINE) < 0;
		json_decref(o);
	}
	err |= fputs(t->n ? "\n  ]" : "]", f) < 0;
	err |= put(f, "variants", variants_json(t), 0);
	err |= put(f, "summary", summary_json(v), 0);
	err |= fputs("\n}\n", f) < 0;
	err |= fflush(f) != 0;
	return err || ferror(f) ? PW_EIO : PW_OK;
}
