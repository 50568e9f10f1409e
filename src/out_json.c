/*
 * out_json.c -- the report as one JSON object, built with jansson so that
 * escaping is never our problem.
 */
#include <jansson.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "error.h"
#include "out.h"
#include "query.h"
#include "report.h"
#include "reslist.h"
#include "ttl.h"

const char *out_rcode_name(int rcode, char *buf, size_t len)
{
	if (rcode < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	char *s = ldns_pkt_rcode2str((ldns_pkt_rcode)rcode);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

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
	return rcode < 0 ? json_null() : json_string(out_rcode_name(rcode, buf, sizeof buf));
}

static json_t *answer_json(const struct answer *a, json_t *o)
{
	json_object_set_new(o, "status", json_string(status_name(a->status)));
	json_object_set_new(o, "rcode", rcode_json(a->rcode));
	if (a->rcode >= 0) {
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
	json_object_set_new(o, "latency_ms",
	                    a->rcode >= 0 ? json_real(round(a->latency_ms * 1000) / 1000)
	                                  : json_null());
	json_object_set_new(o, "transport",
	                    a->transport == TR_TCP   ? json_string("tcp")
	                    : a->transport == TR_UDP ? json_string("udp")
	                                             : json_null());
	json_object_set_new(o, "tries", json_integer(a->tries));
	if (a->detail[0])
		json_object_set_new(o, "detail", json_string(a->detail));
	return o;
}

static json_t *expected_json(const struct report *r)
{
	const struct expected *e = r->exp;
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
		                      s->host, "port", s->port);
		answer_json(&s->ans, a);
		/* A server's own status says how it stands to the ground truth. */
		const char *st = s->usable ? (s->agrees ? "ok" : "disagrees")
		                 : s->ans.rcode >= 0 && !(s->ans.flags & PW_F_AA)
		                         ? "not-authoritative"
		                         : status_name(s->ans.status);
		json_object_set_new(a, "status", json_string(st));
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

/* ETA, anomalies and TTL spread of resolver i. */
static void ttl_json(const struct report *r, size_t i, json_t *o)
{
	const struct ttl_track *t = r->tracks ? &r->tracks[i] : NULL;
	double eta = t && r->answers[i].status != ST_NEW ? ttl_eta(t, r->now) : -1;
	json_t *an = json_array();

	json_object_set_new(o, "auth_ttl",
	                    r->exp->auth_ttl >= 0 ? json_integer(r->exp->auth_ttl) : json_null());
	json_object_set_new(o, "eta_s", eta >= 0 ? json_real(round(eta * 10) / 10) : json_null());
	for (int b = 0; t && b < ANOM_COUNT; b++)
		if (t->anomalies & (1u << b))
			json_array_append_new(an, json_string(ttl_anomaly_name(b)));
	json_object_set_new(o, "anomalies", an);
	if (t && t->ttl_min_seen >= 0)
		json_object_set_new(o, "ttl_seen",
		                    json_pack("{s:I,s:I}", "min", (json_int_t)t->ttl_min_seen,
		                              "max", (json_int_t)t->ttl_max_seen));
}

/* Write `"key": value` (value consumed); first says whether a comma goes before. */
static int put(FILE *f, const char *key, json_t *value, int first, size_t flags)
{
	json_t *k = json_string(key);
	int rc = fputs(first ? "\n  " : ",\n  ", f) < 0 || json_dumpf(k, f, JSON_ENCODE_ANY) < 0 ||
	         fputs(": ", f) < 0 || json_dumpf(value, f, flags | JSON_ENCODE_ANY) < 0;
	json_decref(k);
	json_decref(value);
	return rc;
}

static json_t *resolver_json(const struct report *r, size_t i)
{
	const struct resolver *v = &r->list->v[i];
	json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:b,s:s}", "address", v->host, "port", v->port,
	                      "country", v->country, "operator", v->operator_name, "anycast",
	                      v->anycast, "label", v->label);
	answer_json(&r->answers[i], o);
	json_object_set_new(o, "variant",
	                    r->answers[i].variant >= 0 ? json_integer(r->answers[i].variant)
	                                               : json_null());
	ttl_json(r, i, o);
	return o;
}

static json_t *summary_json(const struct report *r)
{
	const struct summary *s = &r->sum;
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
	if (r->note)
		json_object_set_new(sum, "note", json_string(r->note));
	json_object_set_new(sum, "eta_s",
	                    r->eta_max >= 0 ? json_real(round(r->eta_max * 10) / 10) : json_null());
	if (r->eta_max >= 0) {
		char at[32];
		time_t when = r->when + (time_t)ceil(r->eta_max);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S%z", localtime(&when));
		json_object_set_new(sum, "eta_at", json_string(at));
	}
	/* ETAs count from this moment; scripts can turn them into clock times. */
	json_object_set_new(sum, "time", json_real(round(r->wall * 1000) / 1000));
	json_object_set_new(sum, "sweeps", json_integer(r->sweeps));
	json_object_set_new(sum, "elapsed_s", json_real(round(r->elapsed * 1000) / 1000));
	json_object_set_new(sum, "dropped",
	                    json_integer((json_int_t)engine_stats_dropped(&r->stats)));
	json_object_set_new(sum, "stray", json_integer((json_int_t)r->stats.stray));
	return sum;
}

/*
 * The top level is written key by key and the resolvers one at a time, each
 * object built, dumped and freed, so memory stays flat with 10,000
 * resolvers; jansson still does every bit of encoding and escaping.
 */
int out_json(FILE *f, const struct report *r)
{
	const size_t line = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
	char *tname = ldns_rr_type2str((ldns_rr_type)r->q->type);
	int err = 0;

	fputc('{', f);
	err |= put(f, "query",
	           json_pack("{s:s,s:s,s:b}", "name", r->q->name, "type", tname ? tname : "?",
	                     "dnssec", r->q->dnssec),
	           1, line);
	free(tname);
	err |= put(f, "expected", expected_json(r), 0, line);
	fputs(",\n  \"resolvers\": [", f);
	for (size_t i = 0; i < r->list->n; i++) {
		json_t *o = resolver_json(r, i);
		fputs(i ? ",\n    " : "\n    ", f);
		err |= json_dumpf(o, f, line) < 0;
		json_decref(o);
	}
	fputs(r->list->n ? "\n  ]" : "]", f);

	json_t *vars = json_array();
	for (size_t i = 0; i < r->nvariants; i++) {
		const struct variant *v = &r->variants[i];
		json_t *o = json_pack("{s:i}", "id", (int)i);
		json_object_set_new(o, "rcode", rcode_json(v->rcode));
		json_object_set_new(o, "records", records_json(v->records, v->nrecords));
		json_object_set_new(o, "count", json_integer((json_int_t)v->count));
		json_object_set_new(o, "new", json_boolean(v->is_new));
		json_array_append_new(vars, o);
	}
	err |= put(f, "variants", vars, 0, line);
	err |= put(f, "summary", summary_json(r), 0, line);
	fputs("\n}\n", f);
	return err || ferror(f) ? PW_EIO : PW_OK;
}
