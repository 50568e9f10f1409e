/*
 * out_csv.c -- the model as CSV (RFC 4180 quoting), a row per resolver.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "out.h"
#include "reslist.h"
#include "tracker.h"
#include "vantage.h"

void csv_field(FILE *f, const char *s, int last)
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

/* The vantage columns of a row (empty for a row that is no probe). */
static void probe_fields(FILE *f, const struct vantage_probe *p)
{
	char asn[24] = "";
	if (p != NULL && p->asn >= 0)
		snprintf(asn, sizeof asn, "%ld", p->asn);
	csv_field(f, p ? vantage_net_key(p->net) : "", 0);
	csv_field(f, p ? p->id : "", 0);
	csv_field(f, p ? p->continent : "", 0);
	csv_field(f, p ? p->city : "", 0);
	csv_field(f, asn, 0);
	csv_field(f, p ? p->network : "", 0);
	csv_field(f, p ? p->resolver : "", 0);
	csv_field(f, p ? (p->private_resolver ? "1" : "0") : "", 1);
}

int out_csv(FILE *f, const struct view *view)
{
	const struct tracker *t = view->t;
	long auth_ttl = tracker_truth(t)->auth_ttl;

	bool probes = view_has_probes(view);

	fputs("address,port,country,operator,anycast,label,status,rcode,aa,tc,ad,ra,ttl,neg_ttl,"
	      "latency_ms,transport,variant,records,auth_ttl,eta_s,anomalies,detail,site",
	      f);
	/* Probes add who asked, at the end, so the columns before keep their places. */
	fputs(probes ? ",via,probe_id,continent,city,asn,network,probe_resolver,private_resolver\n"
	             : "\n",
	      f);
	for (size_t i = 0; i < t->n; i++) {
		const struct resolver *v = &t->cfg.list->v[i];
		const struct answer *a = tracker_answer(t, i);
		char buf[64], recs[4096] = "";
		int has = a->outcome == OUT_REPLY;

		csv_field(f, v->host, 0);
		snprintf(buf, sizeof buf, "%u", v->port);
		csv_field(f, buf, 0);
		csv_field(f, v->country, 0);
		csv_field(f, v->operator_name, 0);
		csv_field(f, v->anycast ? "1" : "0", 0);
		csv_field(f, v->label, 0);
		csv_field(f, status_name(tracker_status(t, i)), 0);
		csv_field(f, has ? rcode_name(a->rcode, buf, sizeof buf) : "", 0);
		static const unsigned bits[4] = { PW_F_AA, PW_F_TC, PW_F_AD, PW_F_RA };
		for (int k = 0; k < 4; k++)
			csv_field(f, !has ? "" : (a->flags & bits[k]) ? "1" : "0", 0);
		snprintf(buf, sizeof buf, "%ld", a->ttl);
		csv_field(f, a->ttl >= 0 ? buf : "", 0);
		snprintf(buf, sizeof buf, "%ld", a->neg_ttl);
		csv_field(f, a->neg_ttl >= 0 ? buf : "", 0);
		snprintf(buf, sizeof buf, "%.3f", a->latency_ms);
		csv_field(f, has ? buf : "", 0);
		csv_field(f,
		          a->transport == TR_TCP   ? "tcp"
		          : a->transport == TR_UDP ? "udp"
		                                   : "",
		          0);
		snprintf(buf, sizeof buf, "%d", tracker_variant(t, i));
		csv_field(f, tracker_variant(t, i) >= 0 ? buf : "", 0);
		for (size_t k = 0; k < a->nrecords; k++) {
			size_t used = strlen(recs);
			snprintf(recs + used, sizeof recs - used, "%s%s", k ? "; " : "",
			         a->records[k]);
		}
		csv_field(f, recs, 0);
		snprintf(buf, sizeof buf, "%ld", auth_ttl);
		csv_field(f, auth_ttl >= 0 ? buf : "", 0);
		double eta = tracker_eta(t, i, view->now);
		snprintf(buf, sizeof buf, "%.1f", eta);
		csv_field(f, eta >= 0 ? buf : "", 0);
		char an[128];
		csv_field(f, ttl_anomaly_str(tracker_anomalies(t, i), an, sizeof an), 0);
		csv_field(f, answer_detail(a), 0);
		const char *site = tracker_site(t, i);
		csv_field(f, site ? site : "", !probes);
		if (probes)
			probe_fields(f, v->probe);
	}
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}
