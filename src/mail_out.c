/*
 * mail_out.c -- the findings by area, the records looked at, and the
 * propagation of each record: as text for people, as JSON for scripts.
 */
#include <jansson.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "error.h"
#include "mail_dns.h"
#include "mail_lint.h"
#include "mail_out.h"
#include "mail_prop.h"
#include "roles.h"
#include "tracker.h"

static const char *dnssec_name(enum mail_dnssec d)
{
	static const char *const names[] = { "unknown", "secure", "insecure", "bogus" };
	return (unsigned)d < 4 ? names[d] : "?";
}

static char *type_name(int type)
{
	char *t = ldns_rr_type2str((ldns_rr_type)type);
	return t ? t : strdup("?");
}

/* ---- text ------------------------------------------------------------------ */

static const char *paint(const struct mail_view *v, enum pw_role role, char *buf, size_t len)
{
	if (!v->color)
		return "";
	return role_ansi(role, buf, len);
}

static enum pw_role sev_role(enum mail_sev s)
{
	return s == SEV_ERROR ? ROLE_FAILING : s == SEV_WARNING ? ROLE_STALE : ROLE_NEGATIVE;
}

static void text_area(FILE *f, const struct mail_view *v, enum mail_area area)
{
	char c[32];
	size_t shown = 0;
	fprintf(f, "\n%s%s%s\n", paint(v, ROLE_TITLE, c, sizeof c), mail_area_name(area),
	        v->color ? ROLE_ANSI_RESET : "");
	for (size_t i = 0; i < v->report->n; i++) {
		const struct mail_finding *x = &v->report->v[i];
		if (mail_checks[x->check].area != area)
			continue;
		shown++;
		fprintf(f, "  %s%-7s%s %s  %s\n", paint(v, sev_role(x->sev), c, sizeof c),
		        mail_sev_name(x->sev), v->color ? ROLE_ANSI_RESET : "",
		        mail_checks[x->check].id, x->record);
		fprintf(f, "          %s\n          fix: %s\n", x->message, x->fix);
	}
	if (shown > 0)
		return;
	if (area == AREA_DKIM && v->nselectors == 0)
		fprintf(f, "  not checked: give the selectors with --dkim-selector\n");
	else if (area == AREA_DNSSEC && v->dnssec_note)
		fprintf(f, "  ok: %s %s\n", dnssec_name(v->dnssec), v->dnssec_note);
	else if (area != AREA_PROPAGATION)
		fprintf(f, "  ok\n");
}

static void text_record(FILE *f, const struct mail_view *v, const struct mail_record *r)
{
	const struct tracker *t = &r->p.t;
	const struct summary *sm = tracker_summary(t);
	char *type = type_name(r->q.type), label[600], c[32];
	snprintf(label, sizeof label, "%s %s", r->q.name, type);
	free(type);
	enum pw_role role = exit_role(sm->exit_code);
	fprintf(f, "  %-44s %s%-15s%s %zu/%zu new", label, paint(v, role, c, sizeof c),
	        sm->verdict ? sm->verdict : "-", v->color ? ROLE_ANSI_RESET : "", sm->count[ST_NEW],
	        sm->usable);
	if (sm->usable > 0)
		fprintf(f, " (%.1f%%)", sm->share);
	double eta = tracker_fleet_eta(t, v->now);
	if (!sm->propagated && eta >= 0) {
		char buf[32];
		fprintf(f, ", old answers expire in %s", duration_format(eta, buf, sizeof buf));
	}
	fputc('\n', f);
	if (sm->propagated)
		return;
	size_t nv;
	const struct variant *vs = tracker_variants(t, &nv);
	for (size_t k = 0; k < nv && k < 6; k++) {
		fprintf(f, "      %3zu %s ", vs[k].count, vs[k].is_new ? "new:" : "old:");
		if (vs[k].nrecords == 0)
			fprintf(f, "(%s, no records)",
			        vs[k].rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "NODATA");
		for (size_t j = 0; j < vs[k].nrecords; j++)
			fprintf(f, "%s%s", j ? " | " : "", vs[k].records[j]);
		fputc('\n', f);
	}
	if (!sm->propagated && sm->why[0])
		fprintf(f, "      %s\n", sm->why);
}

int mail_out_text(FILE *f, const struct mail_view *v)
{
	const struct mail_dns *d = v->dns;
	char c[32];

	fprintf(f, "mail DNS of %s", v->domain);
	if (d != NULL)
		fprintf(f, ": zone %s, %zu authoritative server%s%s%s", d->zone, d->nservers,
		        d->nservers == 1 ? "" : "s", d->nservers ? " (" : "",
		        d->nservers ? d->servers[0].addr.host : "");
	if (d != NULL && d->nservers > 1)
		fprintf(f, ", ...");
	if (d != NULL && d->nservers)
		fputc(')', f);
	fprintf(f, "; %zu resolvers\n", v->nresolvers);
	if (v->problem)
		fprintf(f, "\ncannot lint: %s\n", v->problem);
	for (int a = 0; !v->problem && a < AREA_PROPAGATION; a++)
		text_area(f, v, (enum mail_area)a);
	if (!v->problem) {
		text_area(f, v, AREA_PROPAGATION);
		for (size_t i = 0; i < v->prop->n; i++)
			text_record(f, v, v->prop->v[i]);
	}
	size_t done = 0;
	for (size_t i = 0; i < v->prop->n; i++)
		done += tracker_summary(&v->prop->v[i]->p.t)->propagated;
	if (v->note)
		fprintf(f, "\n%s\n", v->note);
	if (v->problem) {
		fprintf(f, "\n%snot linted (exit %d)%s\n",
		        paint(v, exit_role(v->exit_code), c, sizeof c), v->exit_code,
		        v->color ? ROLE_ANSI_RESET : "");
		return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
	}
	fprintf(f,
	        "\n%s%zu error%s, %zu warning%s, %zu info; %zu of %zu records propagated (exit %d)%s\n",
	        paint(v, exit_role(v->exit_code), c, sizeof c), mail_count(v->report, SEV_ERROR),
	        mail_count(v->report, SEV_ERROR) == 1 ? "" : "s",
	        mail_count(v->report, SEV_WARNING),
	        mail_count(v->report, SEV_WARNING) == 1 ? "" : "s", mail_count(v->report, SEV_INFO),
	        done, v->prop->n, v->exit_code, v->color ? ROLE_ANSI_RESET : "");
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *rcode_json(int rcode)
{
	char buf[32];
	return rcode < 0 ? json_null() : json_string(rcode_name(rcode, buf, sizeof buf));
}

/* {"NAME": {"TYPE": {"source", "rcode", "records", "ad"?, "problem"?}}} */
static json_t *records_json(const struct mail_dns *d)
{
	json_t *o = json_object();
	for (size_t i = 0; d != NULL && i < d->n; i++) {
		const struct mail_lookup *l = d->v[i];
		json_t *byname = json_object_get(o, l->name);
		if (byname == NULL) {
			byname = json_object();
			json_object_set_new(o, l->name, byname);
		}
		json_t *r = json_object();
		json_object_set_new(r, "source", json_string(l->auth ? "auth" : "resolvers"));
		if (l->auth) {
			json_object_set_new(r, "rcode", rcode_json(l->truth.rcode));
			json_object_set_new(r, "records",
			                    strings(l->truth.records, l->truth.nrecords));
			json_object_set_new(r, "ttl",
			                    l->truth.auth_ttl >= 0 ? json_integer(l->truth.auth_ttl)
			                                           : json_null());
		} else if (l->usable) {
			json_object_set_new(r, "rcode", rcode_json(l->ans.rcode));
			json_object_set_new(r, "records", strings(l->ans.records, l->ans.nrecords));
			json_object_set_new(r, "ad", json_boolean(l->ad));
		} else {
			json_object_set_new(r, "rcode", json_null());
			json_object_set_new(r, "records", json_null());
		}
		if (l->problem[0])
			json_object_set_new(r, "problem", json_string(l->problem));
		char *type = type_name(l->type);
		json_object_set_new(byname, type, r);
		free(type);
	}
	return o;
}

static json_t *findings_json(const struct mail_report *rep)
{
	json_t *a = json_array();
	for (size_t i = 0; i < rep->n; i++) {
		const struct mail_finding *x = &rep->v[i];
		json_array_append_new(
		        a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", mail_checks[x->check].id,
		                     "severity", mail_sev_name(x->sev), "area",
		                     mail_area_name(mail_checks[x->check].area), "record",
		                     x->record, "message", x->message, "fix", x->fix));
	}
	return a;
}

static json_t *real_or_null(double v, int digits)
{
	double scale = pow(10, digits);
	return v < 0 ? json_null() : json_real(round(v * scale) / scale);
}

static json_t *record_json(const struct mail_view *v, const struct mail_record *r)
{
	const struct tracker *t = &r->p.t;
	const struct summary *sm = tracker_summary(t);
	const struct expected *e = tracker_truth(t);
	char *type = type_name(r->q.type);
	size_t nv;
	const struct variant *vs = tracker_variants(t, &nv);
	json_t *vars = json_array();
	for (size_t k = 0; k < nv; k++) {
		json_t *o = json_object();
		json_object_set_new(o, "rcode", rcode_json(vs[k].rcode));
		json_object_set_new(o, "records", strings(vs[k].records, vs[k].nrecords));
		json_object_set_new(o, "count", json_integer((json_int_t)vs[k].count));
		json_object_set_new(o, "new", json_boolean(vs[k].is_new));
		json_array_append_new(vars, o);
	}
	json_t *o = json_pack("{s:s,s:s}", "name", r->q.name, "type", type);
	free(type);
	json_object_set_new(o, "share", json_real(round(sm->share * 100) / 100));
	json_object_set_new(o, "usable", json_integer((json_int_t)sm->usable));
	json_object_set_new(o, "new", json_integer((json_int_t)sm->count[ST_NEW]));
	json_object_set_new(o, "total", json_integer((json_int_t)sm->total));
	json_object_set_new(o, "propagated", json_boolean(sm->propagated));
	json_object_set_new(o, "verdict", json_string(sm->verdict ? sm->verdict : "undecidable"));
	json_object_set_new(o, "expected",
	                    e->source == EXP_NONE ? json_null() : strings(e->records, e->nrecords));
	json_object_set_new(o, "variants", vars);
	json_object_set_new(o, "eta_s", real_or_null(tracker_fleet_eta(t, v->now), 1));
	if (sm->why[0])
		json_object_set_new(o, "why", json_string(sm->why));
	return o;
}

int mail_out_json(FILE *f, const struct mail_view *v)
{
	const struct mail_dns *d = v->dns;
	json_t *root = json_object(), *servers = json_array(), *prop = json_array();

	json_object_set_new(root, "domain", json_string(v->domain));
	json_object_set_new(root, "zone", d ? json_string(d->zone) : json_null());
	for (size_t i = 0; d != NULL && i < d->nservers; i++)
		json_array_append_new(servers,
		                      json_pack("{s:s,s:s,s:i}", "name", d->servers[i].name,
		                                "address", d->servers[i].addr.host, "port",
		                                d->servers[i].addr.port));
	json_object_set_new(root, "servers", servers);
	json_object_set_new(root, "dnssec",
	                    json_pack("{s:s,s:s}", "state", dnssec_name(v->dnssec), "note",
	                              v->dnssec_note ? v->dnssec_note : ""));
	json_object_set_new(root, "problem", v->problem ? json_string(v->problem) : json_null());
	json_object_set_new(root, "findings", findings_json(v->report));
	json_object_set_new(root, "records", records_json(d));
	size_t done = 0;
	for (size_t i = 0; !v->problem && i < v->prop->n; i++) {
		json_array_append_new(prop, record_json(v, v->prop->v[i]));
		done += tracker_summary(&v->prop->v[i]->p.t)->propagated;
	}
	json_object_set_new(root, "propagation", prop);
	json_t *sum = json_object();
	json_object_set_new(sum, "errors",
	                    json_integer((json_int_t)mail_count(v->report, SEV_ERROR)));
	json_object_set_new(sum, "warnings",
	                    json_integer((json_int_t)mail_count(v->report, SEV_WARNING)));
	json_object_set_new(sum, "info", json_integer((json_int_t)mail_count(v->report, SEV_INFO)));
	json_object_set_new(sum, "exit", json_integer(v->exit_code));
	json_object_set_new(sum, "records",
	                    json_integer((json_int_t)(v->problem ? 0 : v->prop->n)));
	json_object_set_new(sum, "propagated", json_integer((json_int_t)done));
	json_object_set_new(sum, "resolvers", json_integer((json_int_t)v->nresolvers));
	json_object_set_new(sum, "note", v->note ? json_string(v->note) : json_null());
	json_object_set_new(sum, "interrupted", json_boolean(v->interrupted));
	json_object_set_new(root, "summary", sum);
	int err = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0;
	json_decref(root);
	err |= fputc('\n', f) == EOF;
	err |= fflush(f) != 0;
	return err || ferror(f) ? PW_EIO : PW_OK;
}
