/*
 * ui_detail.c -- the detail pane's lines for the selected resolver: its
 * last answer, TTL and flip, when it is asked next, the probe it is with
 * --via, its records and its status changes. Text only, from the model
 * the frame holds; ui_draw.c places it.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "reslist.h"
#include "ttl.h"
#include "ui/ui_draw.h"
#include "vantage.h"

/* A monotonic moment as the wall clock showed it, HH:MM:SS. */
static const char *clock_text(double mono, char *buf, size_t len)
{
	time_t t = (time_t)floor(clock_wall_at(mono) + 0.5);
	struct tm tm;
	strftime(buf, len, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

static void flags_str(unsigned fl, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", fl & PW_F_AA ? "aa " : "", fl & PW_F_TC ? "tc " : "",
	         fl & PW_F_AD ? "ad " : "", fl & PW_F_RA ? "ra" : "");
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

int ui_detail_lines(const struct ui_frame *f, size_t i, char (*out)[512], int max)
{
	const struct tracker *t = f->t;
	const struct answer *a = tracker_answer(t, i);
	const struct track_row *in = tracker_row(t, i);
	const struct ui_rowdata *r = &f->rows[i];
	enum pw_status st = tracker_status(t, i);
	char rc[32], t1[32], an[128];
	int n = 0;

#define LINE(...)                                             \
	do {                                                  \
		if (n < max)                                  \
			snprintf(out[n++], 512, __VA_ARGS__); \
	} while (0)
	if (a->outcome == OUT_REPLY) {
		char fl[32];
		flags_str(a->flags, fl, sizeof fl);
		LINE(" status %s  rcode %s  flags %s  via %s in %s, %d tr%s%s%s",
		     ui_status_label(st, r->has_truth), rcode_name(a->rcode, rc, sizeof rc), fl,
		     a->transport == TR_TCP ? "tcp" : "udp",
		     ui_fmt_latency(a->latency_ms, t1, sizeof t1), a->tries,
		     a->tries == 1 ? "y" : "ies", a->detail ? "  " : "", answer_detail(a));
	} else {
		LINE(" status %s%s%s  (%d tr%s)", ui_status_label(st, r->has_truth),
		     a->detail ? ": " : "", answer_detail(a), a->tries,
		     a->tries == 1 ? "y" : "ies");
	}
	if (tracker_site(t, i) != NULL)
		LINE(" answered by site %s (its NSID)", tracker_site(t, i));
	if (status_usable(st)) {
		char eta[64] = "", t2[32];
		const char *when = clock_text(a->at > 0 ? a->at : in->last_ask, t2, sizeof t2);
		if (r->eta >= 0) {
			char t3[32];
			snprintf(eta, sizeof eta, "  flips in %s",
			         ui_fmt_eta(st, r->eta, t3, sizeof t3));
		}
		LINE(" TTL %s left of %ld%s (answered %s)%s", ui_fmt_ttl(r->ttl, t1, sizeof t1),
		     answer_cache_ttl(a), a->nrecords ? "" : " (negative)", when, eta);
	} else if (r->eta >= 0) {
		LINE(" its cache last held an old answer: flips in %s",
		     ui_fmt_eta(ST_STALE, r->eta, t1, sizeof t1));
	}
	ttl_anomaly_str(tracker_anomalies(t, i), an, sizeof an);
	LINE(" asked %u time%s, %s%s", in->asked, in->asked == 1 ? "" : "s",
	     in->busy          ? "query in flight"
	     : f->live->paused ? "paused"
	                       : "next in ",
	     in->busy || f->live->paused
	             ? ""
	             : ui_fmt_ttl(in->next_due - f->now > 0 ? in->next_due - f->now : 0, t1,
	                          sizeof t1));
	if (an[0])
		LINE(" TTL anomalies: %s", an);
	const struct vantage_probe *p = f->s->list.v[i].probe;
	if (p != NULL) {
		char asn[24] = "";
		if (p->asn >= 0)
			snprintf(asn, sizeof asn, "AS%ld ", p->asn);
		LINE(" %s probe %s: %s%s%s%s%s%s; %s%s", vantage_net_name(p->net), p->id,
		     p->city[0] ? p->city : "", p->city[0] ? ", " : "", p->country,
		     p->continent[0] ? " (continent " : "", p->continent,
		     p->continent[0] ? ")" : "", asn, p->network);
		LINE(" it asked %s%s", p->resolver[0] ? p->resolver : "its own resolver",
		     p->private_resolver ? " (a private resolver)" : "");
	}
	if (a->case_fallback)
		LINE(" does not echo the 0x20 case of the question: asked in lower case");
	if (a->has_soa)
		LINE(" SOA serial in the reply: %u%s%s%s", a->soa_serial,
		     a->soa_owner ? " (zone " : "", a->soa_owner ? a->soa_owner : "",
		     a->soa_owner ? ")" : "");
	if (status_usable(st)) {
		size_t nv;
		tracker_variants(t, &nv);
		if (tracker_variant(t, i) >= 0)
			LINE(" answer #%d of %zu:", tracker_variant(t, i) + 1, nv);
		else
			LINE(" answer:");
		if (a->nrecords == 0)
			LINE("   (%s, no records)", rcode_name(a->rcode, rc, sizeof rc));
		for (size_t k = 0; k < a->nrecords; k++)
			LINE("   %s", a->records[k]);
	}
	if (in->nchanges > 0)
		LINE(" status changes%s:", in->nchanges > TRACK_HISTORY ? " (latest)" : "");
	for (size_t k = 0; tracker_change(in, k) != NULL; k++) {
		const struct track_change *c = tracker_change(in, k);
		char ttlb[48] = "";
		if (c->ttl >= 0)
			snprintf(ttlb, sizeof ttlb, "  (TTL %ld)", c->ttl);
		LINE("   %s  %s -> %s%s", clock_text(c->at, t1, sizeof t1), status_name(c->from),
		     status_name(c->to), ttlb);
	}
#undef LINE
	return n;
}
