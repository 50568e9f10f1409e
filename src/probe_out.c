/*
 * probe_out.c -- the comparison as a table, JSON and CSV.
 */
#include <jansson.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "out.h"
#include "probe.h"
#include "probe_out.h"
#include "reslist.h"
#include "roles.h"
#include "setup.h"
#include "ttl.h"

#define LINE (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static const char *tri_text(enum pw_tri t, const char *yes, const char *no)
{
	return t == TRI_YES ? yes : t == TRI_NO ? no : "-";
}

static const char *ms_text(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 10)
		snprintf(buf, len, "%.1f", ms);
	else
		snprintf(buf, len, "%.0f", ms);
	return buf;
}

static const char *name_of(const struct resolver *r)
{
	return r->label[0] ? r->label : r->operator_name;
}

/* ---- text -------------------------------------------------------------- */

/* "validating: 4, not validating: 31" style counts with a few addresses. */
struct group {
	const char *what;
	size_t n;
	char who[256];
};

static void note(struct group *g, const struct resolver *r, const char *extra)
{
	size_t o = strlen(g->who);
	if (g->n++ < 4 && o + 1 < sizeof g->who) {
		char addr[80];
		snprintf(g->who + o, sizeof g->who - o, "%s%s%s%s", o ? ", " : "",
		         resolver_addrstr(r, addr, sizeof addr), extra ? " -> " : "",
		         extra ? extra : "");
	} else if (g->n == 5 && o + 4 < sizeof g->who)
		snprintf(g->who + o, sizeof g->who - o, ", ...");
}

static void groups(FILE *f, const struct compare_view *v)
{
	enum {
		VAL,
		NOVAL,
		BROKEN,
		REWRITES,
		NOTCP,
		NOEDNS,
		NOBADVERS,
		HONOURED,
		ECHOED,
		NOCASE,
		SILENT,
		ANOM,
		NGROUPS
	};
	struct group g[NGROUPS] = {
		{ "validating", 0, "" },
		{ "not validating", 0, "" },
		{ "DNSSEC broken", 0, "" },
		{ "rewrites NXDOMAIN", 0, "" },
		{ "no TCP", 0, "" },
		{ "no EDNS", 0, "" },
		{ "no BADVERS for EDNS 1", 0, "" },
		{ "ECS honoured", 0, "" },
		{ "ECS echoed (scope 0)", 0, "" },
		{ "0x20 case not preserved", 0, "" },
		{ "no answer at all", 0, "" },
		{ "TTL anomalies", 0, "" },
	};
	for (size_t i = 0; i < v->s->list.n; i++) {
		const struct behaviour *b = &v->b[i];
		const struct resolver *r = &v->s->list.v[i];
		if (!b->answered)
			note(&g[SILENT], r, NULL);
		if (b->dnssec == DNSSEC_VALIDATES)
			note(&g[VAL], r, NULL);
		if (b->dnssec == DNSSEC_NO)
			note(&g[NOVAL], r, NULL);
		if (b->dnssec == DNSSEC_BROKEN)
			note(&g[BROKEN], r, NULL);
		if (b->nxdomain == NX_REWRITES)
			note(&g[REWRITES], r, b->rewrite_to);
		if (b->answered && b->tcp == TRI_NO)
			note(&g[NOTCP], r, NULL);
		if (b->edns == TRI_NO)
			note(&g[NOEDNS], r, NULL);
		if (b->edns == TRI_YES && b->badvers == TRI_NO)
			note(&g[NOBADVERS], r, NULL);
		if (b->ecs == ECS_HONOURED)
			note(&g[HONOURED], r, NULL);
		if (b->ecs == ECS_ECHOED)
			note(&g[ECHOED], r, NULL);
		if (b->case_preserved == TRI_NO)
			note(&g[NOCASE], r, NULL);
		if (b->anomalies) {
			char an[128];
			note(&g[ANOM], r, ttl_anomaly_str(b->anomalies, an, sizeof an));
		}
	}
	fputc('\n', f);
	for (int k = 0; k < NGROUPS; k++)
		if (g[k].n > 0 || k <= BROKEN)
			fprintf(f, "%s: %zu%s%s%s\n", g[k].what, g[k].n,
			        g[k].n && (k > NOVAL) ? " (" : "",
			        g[k].n && (k > NOVAL) ? g[k].who : "",
			        g[k].n && (k > NOVAL) ? ")" : "");
}

int probe_out_text(FILE *f, const struct compare_view *v, bool color)
{
	char *tname = ldns_rr_type2str((ldns_rr_type)v->ps->o.type);
	char addr[80], p50[16], p95[16], loss[16], col[24];

	fprintf(f, "%s %s: %d samples per resolver, %zu queries each; signed %s, bogus %s\n",
	        v->ps->o.name, tname ? tname : "?", v->ps->o.samples,
	        v->s->list.n ? v->ps->njobs / v->s->list.n : 0, v->ps->o.signed_name,
	        v->ps->o.bogus_name);
	free(tname);
	fprintf(f, "%-24s %-22s %6s %6s %5s %-9s %-8s %-3s %-4s %-8s %-5s %s\n", "RESOLVER",
	        "ADDRESS", "P50ms", "P95ms", "LOSS", "DNSSEC", "NXDOMAIN", "TCP", "EDNS", "ECS",
	        "CASE", "SITE");
	for (size_t i = 0; i < v->s->list.n; i++) {
		const struct behaviour *b = &v->b[i];
		const struct resolver *r = &v->s->list.v[i];
		snprintf(loss, sizeof loss, "%.0f%%",
		         b->samples ? 100.0 * b->lost / b->samples : 0);
		role_ansi(b->answered ? ROLE_NORMAL : ROLE_FAILING, col, sizeof col);
		fprintf(f, "%s%-24.24s%s %-22s %6s %6s %5s %-9s %-8s %-3s %-4s %-8s %-5s %s\n",
		        color ? col : "", name_of(r), color && col[0] ? ROLE_ANSI_RESET : "",
		        resolver_addrstr(r, addr, sizeof addr),
		        ms_text(b->lat_p50, p50, sizeof p50), ms_text(b->lat_p95, p95, sizeof p95),
		        b->answered ? loss : "-", b->dnssec ? dnssec_name(b->dnssec) : "-",
		        b->nxdomain ? nx_name(b->nxdomain) : "-", tri_text(b->tcp, "yes", "no"),
		        tri_text(b->edns, "yes", "no"), b->ecs ? ecs_name(b->ecs) : "-",
		        tri_text(b->case_preserved, "yes", "no"), b->site[0] ? b->site : "-");
	}
	groups(f, v);
	fprintf(f, "%s in %.2fs%s\n",
	        v->nx_confirmed ? "NXDOMAIN under NAME confirmed by its "
	                          "authoritative servers"
	                        : "NXDOMAIN under NAME not confirmed "
	                          "(only the TLD probe judges rewriting)",
	        v->elapsed, v->interrupted ? "; interrupted" : "");
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *ms_json(double ms)
{
	return ms < 0 ? json_null() : json_real(round(ms * 1000) / 1000);
}

static json_t *tri_json(enum pw_tri t)
{
	return t == TRI_UNKNOWN ? json_null() : json_boolean(t == TRI_YES);
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *behaviour_json(const struct compare_view *v, size_t i)
{
	const struct behaviour *b = &v->b[i];
	const struct resolver *r = &v->s->list.v[i];
	json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:b,s:s}", "address", r->host, "port", r->port,
	                      "country", r->country, "operator", r->operator_name, "anycast",
	                      r->anycast, "label", r->label);
	json_object_set_new(o, "answered", json_boolean(b->answered));
	json_object_set_new(o, "latency_ms",
	                    b->lat_p50 < 0
	                            ? json_null()
	                            : json_pack("{s:o,s:o,s:o,s:o}", "min", ms_json(b->lat_min),
	                                        "p50", ms_json(b->lat_p50), "p95",
	                                        ms_json(b->lat_p95), "max", ms_json(b->lat_max)));
	json_object_set_new(o, "loss_pct",
	                    b->answered ? json_real(round(1000.0 * b->lost / b->samples) / 10)
	                                : json_null());
	json_object_set_new(o, "miss_latency_ms", ms_json(b->miss_ms));
	json_object_set_new(o, "dnssec",
	                    b->dnssec ? json_string(dnssec_name(b->dnssec)) : json_null());
	json_object_set_new(o, "dnssec_detail",
	                    json_pack("{s:o,s:o}", "signed_ad", tri_json(b->signed_ad),
	                              "signed_rrsig", tri_json(b->signed_rrsig)));
	json_object_set_new(o, "nxdomain",
	                    b->nxdomain ? json_string(nx_name(b->nxdomain)) : json_null());
	json_t *to = json_array();
	char buf[PROBE_TEXT];
	snprintf(buf, sizeof buf, "%s", b->rewrite_to);
	for (char *save, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(to, json_string(t));
	json_object_set_new(o, "rewrite_to", to);
	json_object_set_new(o, "tcp", tri_json(b->tcp));
	json_object_set_new(o, "edns",
	                    json_pack("{s:o,s:o,s:o,s:o}", "ok", tri_json(b->edns), "udp_size",
	                              b->udp_size < 0 ? json_null() : json_integer(b->udp_size),
	                              "badvers", tri_json(b->badvers), "unknown_option_ok",
	                              tri_json(b->unknown_option_ok)));
	json_object_set_new(
	        o, "identity",
	        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "nsid", str_or_null(b->nsid),
	                  "id_server", str_or_null(b->id_server), "hostname_bind",
	                  str_or_null(b->hostname_bind), "version",
	                  str_or_null(b->version_bind[0] ? b->version_bind : b->version_server),
	                  "version_bind", str_or_null(b->version_bind), "version_server",
	                  str_or_null(b->version_server), "site", str_or_null(b->site), "software",
	                  str_or_null(b->software)));
	json_object_set_new(o, "ecs", b->ecs ? json_string(ecs_name(b->ecs)) : json_null());
	json_object_set_new(o, "case_preserved", tri_json(b->case_preserved));
	json_t *an = json_array();
	for (int k = 0; k < ANOM_COUNT; k++)
		if (b->anomalies & (1u << k))
			json_array_append_new(an, json_string(ttl_anomaly_name(k)));
	json_object_set_new(o, "anomalies",
	                    b->anomalies_known ? an : (json_decref(an), json_null()));
	return o;
}

int probe_out_json(FILE *f, const struct compare_view *v)
{
	char *tname = ldns_rr_type2str((ldns_rr_type)v->ps->o.type);
	size_t n = v->s->list.n, answered = 0, counts[4] = { 0 }, rewrites = 0;
	int err = 0;

	json_t *head = json_pack("{s:s,s:s}", "name", v->ps->o.name, "type", tname ? tname : "?");
	free(tname);
	json_t *probes = json_pack("{s:s,s:s,s:i,s:I,s:b}", "signed", v->ps->o.signed_name, "bogus",
	                           v->ps->o.bogus_name, "samples", v->ps->o.samples,
	                           "queries_per_resolver", (json_int_t)(n ? v->ps->njobs / n : 0),
	                           "nx_confirmed", v->nx_confirmed);
	err |= fputs("{\"query\": ", f) < 0 || json_dumpf(head, f, LINE) < 0;
	err |= fputs(",\n \"probes\": ", f) < 0 || json_dumpf(probes, f, LINE) < 0;
	json_decref(head);
	json_decref(probes);
	err |= fputs(",\n \"resolvers\": [", f) < 0;
	for (size_t i = 0; i < n && !err; i++) {
		json_t *o = behaviour_json(v, i);
		err |= fputs(i ? ",\n  " : "\n  ", f) < 0 || json_dumpf(o, f, LINE) < 0;
		json_decref(o);
		answered += v->b[i].answered;
		counts[v->b[i].dnssec]++;
		rewrites += v->b[i].nxdomain == NX_REWRITES;
	}
	json_t *sum = json_pack(
	        "{s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:b,s:i}", "total", (json_int_t)n, "answered",
	        (json_int_t)answered, "validating", (json_int_t)counts[DNSSEC_VALIDATES],
	        "not_validating", (json_int_t)counts[DNSSEC_NO], "dnssec_broken",
	        (json_int_t)counts[DNSSEC_BROKEN], "rewrites_nxdomain", (json_int_t)rewrites,
	        "elapsed_s", round(v->elapsed * 1000) / 1000, "interrupted", v->interrupted, "exit",
	        v->interrupted ? -1
	        : answered     ? 0
	                       : EXIT_UNDECIDABLE);
	err |= fputs("\n ],\n \"summary\": ", f) < 0 || json_dumpf(sum, f, LINE) < 0;
	json_decref(sum);
	err |= fputs("}\n", f) < 0;
	return err || fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}

/* ---- CSV -------------------------------------------------------------------- */

int probe_out_csv(FILE *f, const struct compare_view *v)
{
	fputs("address,port,country,operator,label,answered,p50_ms,p95_ms,loss_pct,miss_ms,dnssec,"
	      "nxdomain,rewrite_to,tcp,edns,udp_size,badvers,unknown_option_ok,nsid,id_server,"
	      "hostname_bind,version,site,ecs,case_preserved,anomalies\n",
	      f);
	for (size_t i = 0; i < v->s->list.n; i++) {
		const struct behaviour *b = &v->b[i];
		const struct resolver *r = &v->s->list.v[i];
		char buf[64], an[128] = "";
		csv_field(f, r->host, false);
		snprintf(buf, sizeof buf, "%u", r->port);
		csv_field(f, buf, false);
		csv_field(f, r->country, false);
		csv_field(f, r->operator_name, false);
		csv_field(f, r->label, false);
		csv_field(f, b->answered ? "1" : "0", false);
		csv_field(f, b->lat_p50 < 0 ? "" : ms_text(b->lat_p50, buf, sizeof buf), false);
		csv_field(f, b->lat_p95 < 0 ? "" : ms_text(b->lat_p95, buf, sizeof buf), false);
		snprintf(buf, sizeof buf, "%.1f", b->samples ? 100.0 * b->lost / b->samples : 0);
		csv_field(f, b->answered ? buf : "", false);
		csv_field(f, b->miss_ms < 0 ? "" : ms_text(b->miss_ms, buf, sizeof buf), false);
		csv_field(f, b->dnssec ? dnssec_name(b->dnssec) : "", false);
		csv_field(f, b->nxdomain ? nx_name(b->nxdomain) : "", false);
		csv_field(f, b->rewrite_to, false);
		csv_field(f, tri_text(b->tcp, "1", "0"), false);
		csv_field(f, tri_text(b->edns, "1", "0"), false);
		snprintf(buf, sizeof buf, "%d", b->udp_size);
		csv_field(f, b->udp_size < 0 ? "" : buf, false);
		csv_field(f, tri_text(b->badvers, "1", "0"), false);
		csv_field(f, tri_text(b->unknown_option_ok, "1", "0"), false);
		csv_field(f, b->nsid, false);
		csv_field(f, b->id_server, false);
		csv_field(f, b->hostname_bind, false);
		csv_field(f, b->software, false);
		csv_field(f, b->site, false);
		csv_field(f, b->ecs ? ecs_name(b->ecs) : "", false);
		csv_field(f, tri_text(b->case_preserved, "1", "0"), false);
		csv_field(f, ttl_anomaly_str(b->anomalies, an, sizeof an), true);
	}
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}
