/*
 * out_text.c -- the model as a table for people.
 */
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "duration.h"
#include "error.h"
#include "out.h"
#include "query.h"
#include "reslist.h"
#include "roles.h"
#include "tracker.h"
#include "vantage.h"

#define NAME_W 30
/* Countries listed on the "by country" line at most. */
#define COUNTRIES_MAX 64

bool view_has_probes(const struct view *v)
{
	return v->t->n > 0 && v->t->cfg.list->v[0].probe != NULL;
}

/* Records on one line, " | " between them. */
static void print_records(FILE *f, char *const *records, size_t n, int rcode)
{
	if (n == 0) {
		char buf[32];
		fprintf(f, "(%s, no records)",
		        rcode < 0 ? "NXDOMAIN or NODATA" : rcode_name(rcode, buf, sizeof buf));
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " | " : "", records[i]);
}

/* What an authoritative server's line ends with. */
static const char *server_word(const struct auth_server *s)
{
	if (s->usable)
		return s->agrees ? "agrees" : "DISAGREES";
	if (s->ans.detail)
		return s->ans.detail;
	return s->state && strcmp(s->state, "not-authoritative") == 0 ? "not authoritative (AA=0)"
	       : s->state                                             ? s->state
	                                                              : "-";
}

static void print_header(FILE *f, const struct view *v)
{
	const struct tracker *t = v->t;
	const struct expected *e = tracker_truth(t);
	char *tname = ldns_rr_type2str((ldns_rr_type)t->cfg.q->type);

	if (view_has_probes(v))
		fprintf(f, "%s %s from %zu %s probes", t->cfg.q->name, tname ? tname : "?", t->n,
		        vantage_net_name(t->cfg.list->v[0].probe->net));
	else
		fprintf(f, "%s %s from %zu resolvers", t->cfg.q->name, tname ? tname : "?", t->n);
	free(tname);
	if (t->rounds > 1)
		fprintf(f, ", sweep %u", t->rounds);
	fputc('\n', f);
	if (e->source == EXP_USER) {
		fprintf(f, "expected (--expect): ");
		print_records(f, e->records, e->nrecords, e->rcode);
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
			fprintf(f, "  auth %-20s %-16s ", s->name ? s->name : "", s->addr.host);
			if (s->soa.has_soa)
				fprintf(f, "serial %-10u ", s->soa.soa_serial);
			fprintf(f, "%s\n", server_word(s));
		}
	}
	if (e->problem[0])
		fprintf(f, "note: %s\n", e->problem);
	fputc('\n', f);
}

static void print_row(FILE *f, const struct view *v, size_t i)
{
	const struct tracker *t = v->t;
	const struct resolver *r = &t->cfg.list->v[i];
	const struct answer *a = tracker_answer(t, i);
	enum pw_status st = tracker_status(t, i);
	const char *name = r->label[0] ? r->label : r->operator_name;
	char addr[80], buf[32], col[24];

	role_ansi(status_role(st), col, sizeof col);
	fprintf(f, "%-*.*s %-2s %-22s %s%-11s%s ", NAME_W, NAME_W, name, r->country,
	        resolver_addrstr(r, addr, sizeof addr), v->color ? col : "", status_name(st),
	        v->color && col[0] ? ROLE_ANSI_RESET : "");
	if (a->ttl >= 0)
		fprintf(f, "%7ld ", a->ttl);
	else if (a->neg_ttl >= 0)
		fprintf(f, "%6ldn ", a->neg_ttl);
	else
		fprintf(f, "%7s ", "-");
	double eta = tracker_eta(t, i, v->now);
	fprintf(f, "%8s ", eta >= 0 ? duration_format(eta, buf, sizeof buf) : "-");
	if (a->outcome == OUT_REPLY)
		fprintf(f, "%7.1fms %-5s ", a->latency_ms, a->transport == TR_TCP ? "tcp" : "udp");
	else
		fprintf(f, "%9s %-5s ", "-", "-");
	int var = tracker_variant(t, i);
	const char *sep = "";
	if (var >= 0) {
		fprintf(f, "#%d", var + 1);
		sep = " ";
	}
	if (a->detail) {
		fprintf(f, "%s%s", sep, a->detail);
		sep = " ";
	}
	if (r->probe != NULL && r->probe->private_resolver) {
		fprintf(f, "%s(private resolver)", sep);
		sep = " ";
	}
	if (tracker_site(t, i) != NULL)
		fprintf(f, "%ssite %s", sep, tracker_site(t, i));
	if (tracker_anomalies(t, i)) {
		char an[128];
		fprintf(f, " [%s]", ttl_anomaly_str(tracker_anomalies(t, i), an, sizeof an));
	}
	fputc('\n', f);
}

/* "by country: AU 0/1, DE 1/1 (100%), ...": where the change has got to. */
static void print_countries(FILE *f, const struct tracker *t)
{
	struct country_share cs[COUNTRIES_MAX];
	size_t n = tracker_countries(t, cs, COUNTRIES_MAX);
	fprintf(f, "\nby country:");
	for (size_t i = 0; i < n && i < COUNTRIES_MAX; i++)
		fprintf(f, "%s %s %zu/%zu new", i ? "," : "", cs[i].country, cs[i].fresh,
		        cs[i].usable);
	if (n > COUNTRIES_MAX)
		fprintf(f, ", and %zu more", n - COUNTRIES_MAX);
	fputc('\n', f);
}

/* What the measurement network said is left. */
static void print_vantage(FILE *f, const struct vantage_report *r)
{
	char lim[160];
	const struct http_limits *l = &r->lim;
	struct http_limits c = *l;
	if (r->credits >= 0)
		c.credits_remaining = r->credits;
	vantage_limits_text(&c, lim, sizeof lim);
	fprintf(f, "%s: %u measurement%s (first %s)%s%s\n", vantage_net_name(r->net),
	        r->measurements, r->measurements == 1 ? "" : "s",
	        r->first_id[0] ? r->first_id : "-", lim[0] ? "; " : "", lim);
}

static void print_summary(FILE *f, const struct view *v)
{
	const struct tracker *t = v->t;
	const struct summary *s = tracker_summary(t);
	char buf[32], col[24];

	fprintf(f, "\n%zu/%zu usable answers new (%.1f%%)", s->count[ST_NEW], s->usable, s->share);
	for (int st = ST_NXDOMAIN; st < ST_COUNT; st++)
		if (s->count[st] && !(st == ST_NXDOMAIN || st == ST_NODATA))
			fprintf(f, ", %zu %s", s->count[st], status_name(st));
	fprintf(f, " in %s", duration_format(v->now - t->start, buf, sizeof buf));
	if (t->dropped > 0)
		fprintf(f, " (%lu invalid replies dropped)", t->dropped);
	fputc('\n', f);
	double eta = tracker_fleet_eta(t, v->now);
	if (eta >= 0) {
		char at[16];
		struct tm tm;
		time_t when = (time_t)ceil(clock_wall_at(v->now + eta));
		strftime(at, sizeof at, "%H:%M:%S", localtime_r(&when, &tm));
		fprintf(f, "%zu/%zu new; all stale caches expire by %s (in %s)%s\n",
		        s->count[ST_NEW], s->usable, at, duration_format(eta, buf, sizeof buf),
		        tracker_eta_unknown(t) ? ", some with no known TTL" : "");
	}
	if (v->vantage != NULL)
		print_vantage(f, v->vantage);
	if (v->note)
		fprintf(f, "%s\n", v->note);
	role_ansi(exit_role(s->exit_code), col, sizeof col);
	fprintf(f, "%s%s (exit %d)%s%s%s\n", v->color ? col : "", s->verdict, s->exit_code,
	        v->color ? ROLE_ANSI_RESET : "", s->why[0] ? ": " : "", s->why);
}

int out_text(FILE *f, const struct view *v)
{
	const struct tracker *t = v->t;
	size_t nv;
	const struct variant *vs = tracker_variants(t, &nv);

	print_header(f, v);
	fprintf(f, "%-*s %-2s %-22s %-11s %7s %8s %9s %-5s %s\n", NAME_W, "RESOLVER", "CC",
	        "ADDRESS", "STATUS", "TTL", "ETA", "LATENCY", "PROTO", "ANSWER");
	for (size_t i = 0; i < t->n; i++)
		print_row(f, v, i);
	if (nv > 0)
		fprintf(f, "\nanswers:\n");
	for (size_t i = 0; i < nv; i++) {
		fprintf(f, "  #%-2zu %4zu %-4s ", i + 1, vs[i].count, vs[i].is_new ? "new" : "");
		print_records(f, vs[i].records, vs[i].nrecords, vs[i].rcode);
		fputc('\n', f);
	}
	if (view_has_probes(v))
		print_countries(f, t);
	print_summary(f, v);
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}
