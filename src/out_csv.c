/*
 * out_csv.c -- the report as CSV (RFC 4180 quoting), a row per resolver.
 */
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "report.h"
#include "reslist.h"
#include "ttl.h"

/* Quote a field when it holds a comma, quote or line break. */
static void field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void out_csv(FILE *f, const struct report *r)
{
	fputs("address,port,country,operator,anycast,label,status,rcode,aa,tc,ad,ra,ttl,neg_ttl,"
	      "latency_ms,transport,variant,records,auth_ttl,eta_s,anomalies,detail\n",
	      f);
	for (size_t i = 0; i < r->list->n; i++) {
		const struct resolver *v = &r->list->v[i];
		const struct answer *a = &r->answers[i];
		char buf[64], recs[4096] = "";
		int has = a->rcode >= 0;

		field(f, v->host, 0);
		snprintf(buf, sizeof buf, "%u", v->port);
		field(f, buf, 0);
		field(f, v->country, 0);
		field(f, v->operator_name, 0);
		field(f, v->anycast ? "1" : "0", 0);
		field(f, v->label, 0);
		field(f, status_name(a->status), 0);
		field(f, has ? out_rcode_name(a->rcode, buf, sizeof buf) : "", 0);
		static const unsigned bits[4] = { PW_F_AA, PW_F_TC, PW_F_AD, PW_F_RA };
		for (int k = 0; k < 4; k++)
			field(f, !has ? "" : (a->flags & bits[k]) ? "1" : "0", 0);
		snprintf(buf, sizeof buf, "%ld", a->ttl);
		field(f, a->ttl >= 0 ? buf : "", 0);
		snprintf(buf, sizeof buf, "%ld", a->neg_ttl);
		field(f, a->neg_ttl >= 0 ? buf : "", 0);
		snprintf(buf, sizeof buf, "%.3f", a->latency_ms);
		field(f, has ? buf : "", 0);
		field(f, a->transport == TR_TCP ? "tcp" : a->transport == TR_UDP ? "udp" : "", 0);
		snprintf(buf, sizeof buf, "%d", a->variant);
		field(f, a->variant >= 0 ? buf : "", 0);
		for (size_t k = 0; k < a->nrecords; k++) {
			size_t used = strlen(recs);
			snprintf(recs + used, sizeof recs - used, "%s%s", k ? "; " : "",
			         a->records[k]);
		}
		field(f, recs, 0);
		snprintf(buf, sizeof buf, "%ld", r->exp->auth_ttl);
		field(f, r->exp->auth_ttl >= 0 ? buf : "", 0);
		double eta = r->tracks && a->status != ST_NEW ? ttl_eta(&r->tracks[i], r->now) : -1;
		snprintf(buf, sizeof buf, "%.1f", eta);
		field(f, eta >= 0 ? buf : "", 0);
		char an[128] = "";
		if (r->tracks)
			ttl_anomaly_str(r->tracks[i].anomalies, an, sizeof an);
		field(f, an, 0);
		field(f, a->detail, 1);
	}
}
