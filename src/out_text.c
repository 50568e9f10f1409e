/*
 * out_text.c -- the report as a table for people.
 */
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "out.h"
#include "query.h"
#include "report.h"
#include "reslist.h"
#include "ttl.h"

#define NAME_W 30

static const char *status_color(enum pw_status s)
{
	switch (s) {
	case ST_NEW: return "\033[32m";
	case ST_STALE: return "\033[33m";
	case ST_NXDOMAIN:
	case ST_NODATA: return "\033[36m";
	case ST_PENDING: return "";
	default: return "\033[31m";
	}
}

/* Records on one line, " | " between them. */
static void print_records(FILE *f, char *const *records, size_t n, int rcode)
{
	char buf[32];
	if (n == 0) {
		fprintf(f, "(%s, no records)", out_rcode_name(rcode, buf, sizeof buf));
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " | " : "", records[i]);
}

static void print_header(FILE *f, const struct report *r)
{
	const struct expected *e = r->exp;
	char *tname = ldns_rr_type2str((ldns_rr_type)r->q->type);

	fprintf(f, "%s %s from %zu resolvers", r->q->name, tname ? tname : "?", r->list->n);
	free(tname);
	if (r->sweeps > 1)
		fprintf(f, ", sweep %u", r->sweeps);
	fputc('\n', f);
	if (e->source == EXP_USER) {
		fprintf(f, "expected (--expect): ");
		print_records(f, e->records, e->nrecords, e->rcode < 0 ? 3 : e->rcode);
		fputc('\n', f);
	} else if (e->source == EXP_AUTH) {
		fprintf(f, "expected (authoritative, zone %s", e->zone ? e->zone : "?");
		if (e->auth_ttl >= 0)
			fprintf(f, ", TTL %ld", e->auth_ttl);
		fprintf(f, "): ");
		print_records(f, e->records, e->nrecords, e->rcode);
		fputc('\n', f);
		for (size_t i = 0; i < e->nauth; i++) {
			const struct auth_server *s = &e->auth[i];
			fprintf(f, "  auth %-20s %-16s ", s->name ? s->name : "", s->host);
			if (s->soa.has_soa)
				fprintf(f, "serial %-10u ", s->soa.soa_serial);
			fprintf(f, "%s\n",
			        !s->usable  ? (s->ans.detail[0]    ? s->ans.detail
			                       : s->ans.rcode >= 0 ? "not authoritative (AA=0)"
			                                           : status_name(s->ans.status))
			        : s->agrees ? "agrees"
			                    : "DISAGREES");
		}
	}
	if (e->problem[0])
		fprintf(f, "note: %s\n", e->problem);
	fputc('\n', f);
}

void out_text(FILE *f, const struct report *r, bool color)
{
	const char *reset = color ? "\033[0m" : "";
	char addr[80], buf[32];

	print_header(f, r);
	fprintf(f, "%-*s %-2s %-22s %-11s %7s %8s %9s %-5s %s\n", NAME_W, "RESOLVER", "CC",
	        "ADDRESS", "STATUS", "TTL", "ETA", "LATENCY", "PROTO", "ANSWER");
	for (size_t i = 0; i < r->list->n; i++) {
		const struct resolver *v = &r->list->v[i];
		const struct answer *a = &r->answers[i];
		const char *name = v->label[0] ? v->label : v->operator_name;

		fprintf(f, "%-*.*s %-2s %-22s %s%-11s%s ", NAME_W, NAME_W, name, v->country,
		        resolver_addrstr(v, addr, sizeof addr),
		        color ? status_color(a->status) : "", status_name(a->status),
		        color && *status_color(a->status) ? reset : "");
		if (a->ttl >= 0)
			fprintf(f, "%7ld ", a->ttl);
		else if (a->neg_ttl >= 0)
			fprintf(f, "%6ldn ", a->neg_ttl);
		else
			fprintf(f, "%7s ", "-");
		double eta = r->tracks && a->status != ST_NEW ? ttl_eta(&r->tracks[i], r->now) : -1;
		fprintf(f, "%8s ", eta >= 0 ? duration_format(eta, buf, sizeof buf) : "-");
		if (a->rcode >= 0)
			fprintf(f, "%7.1fms %-5s ", a->latency_ms,
			        a->transport == TR_TCP ? "tcp" : "udp");
		else
			fprintf(f, "%9s %-5s ", "-", "-");
		if (a->variant >= 0)
			fprintf(f, "#%d", a->variant + 1);
		if (a->detail[0])
			fprintf(f, "%s%s", a->variant >= 0 ? " " : "", a->detail);
		if (r->tracks && r->tracks[i].anomalies) {
			char an[128];
			fprintf(f, " [%s]", ttl_anomaly_str(r->tracks[i].anomalies, an, sizeof an));
		}
		fputc('\n', f);
	}

	if (r->nvariants > 0)
		fprintf(f, "\nanswers:\n");
	for (size_t i = 0; i < r->nvariants; i++) {
		const struct variant *v = &r->variants[i];
		fprintf(f, "  #%-2zu %4zu %-4s ", i + 1, v->count, v->is_new ? "new" : "");
		print_records(f, v->records, v->nrecords, v->rcode);
		fputc('\n', f);
	}

	const struct summary *s = &r->sum;
	fprintf(f, "\n%zu/%zu usable answers new (%.1f%%)", s->count[ST_NEW], s->usable, s->share);
	for (int st = ST_NXDOMAIN; st < ST_COUNT; st++)
		if (s->count[st] && !(st == ST_NXDOMAIN || st == ST_NODATA))
			fprintf(f, ", %zu %s", s->count[st], status_name(st));
	fprintf(f, " in %s", duration_format(r->elapsed, buf, sizeof buf));
	if (engine_stats_dropped(&r->stats) > 0)
		fprintf(f, " (%lu invalid replies dropped)", engine_stats_dropped(&r->stats));
	fputc('\n', f);
	if (r->eta_max >= 0) {
		char at[16];
		time_t when = r->when + (time_t)ceil(r->eta_max);
		strftime(at, sizeof at, "%H:%M:%S", localtime(&when));
		fprintf(f, "%zu/%zu new; all stale caches expire by %s (in %s)%s\n",
		        s->count[ST_NEW], s->usable, at,
		        duration_format(r->eta_max, buf, sizeof buf),
		        r->eta_unknown ? ", some with no known TTL" : "");
	}
	if (r->note)
		fprintf(f, "%s\n", r->note);
	const char *vc = !color              ? ""
	                 : s->exit_code == 0 ? "\033[32m"
	                 : s->exit_code == 1 ? "\033[33m"
	                                     : "\033[31m";
	fprintf(f, "%s%s (exit %d)%s%s%s\n", vc, s->verdict, s->exit_code, color ? reset : "",
	        s->why[0] ? ": " : "", s->why);
}
