/*
 * probe_verdict.c -- what the probes' answers say about a resolver.
 *
 * Rules, per probe (an answer that never came makes a verdict unknown,
 * never a "no"):
 * - DNSSEC: validates when the bogus name is SERVFAIL without CD, answered
 *   with CD, and the signed name answered with AD; no when the bogus name
 *   is answered without AD (and the signed one without AD); broken for
 *   everything else that answered (AD on bogus data, the signed name
 *   failing, ...); unknown when an answer that would decide was lost,
 *   unless the signed name failed.
 * - NXDOMAIN: an address in the answer for a label that cannot exist is
 *   rewriting (under NAME only when its authoritative servers confirmed
 *   NXDOMAIN; under a TLD always); NXDOMAIN is ok.
 * - EDNS: OPT echoed on NAME, its UDP size; BADVERS (rcode 16) for version
 *   1; the unknown option ignored unless the reply is FORMERR or BADVERS.
 * - ECS: honoured with scope > 0, echoed with scope 0, absent without one.
 * - 0x20: preserved when a reply echoed a mixed-case question exactly, not
 *   when the engine had to fall back to lower case.
 */
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

const char *dnssec_name(enum pw_dnssec d)
{
	static const char *const n[] = { "unknown", "validates", "no", "broken" };
	return (unsigned)d < 4 ? n[d] : "?";
}

const char *nx_name(enum pw_nx x)
{
	static const char *const n[] = { "unknown", "ok", "rewrites" };
	return (unsigned)x < 3 ? n[x] : "?";
}

const char *ecs_name(enum pw_ecs e)
{
	static const char *const n[] = { "unknown", "honoured", "echoed", "absent" };
	return (unsigned)e < 4 ? n[e] : "?";
}

static bool replied(const struct answer *a)
{
	return a->outcome == OUT_REPLY;
}

static bool has_data(const struct answer *a)
{
	return replied(a) && a->rcode == LDNS_RCODE_NOERROR && a->nrecords > 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, int n, double p)
{
	int k = (int)ceil(p / 100.0 * n) - 1;
	return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

static void latency(const struct probe_set *ps, size_t r, struct behaviour *b)
{
	double v[256];
	int n = 0;
	b->samples = ps->o.samples;
	b->lost = 0;
	for (int i = 0; i < ps->o.samples; i++) {
		const struct answer *a = probe_answer(ps, r, PR_SAMPLE, i);
		if (replied(a) && n < 256)
			v[n++] = a->latency_ms;
		else if (a->outcome == OUT_TIMEOUT)
			b->lost++;
	}
	b->lat_min = b->lat_p50 = b->lat_p95 = b->lat_max = -1;
	if (n > 0) {
		qsort(v, (size_t)n, sizeof v[0], cmp_double);
		b->lat_min = v[0];
		b->lat_max = v[n - 1];
		b->lat_p50 = percentile(v, n, 50);
		b->lat_p95 = percentile(v, n, 95);
	}
	const struct answer *m = probe_answer(ps, r, PR_NX_ZONE, 0);
	b->miss_ms = replied(m) ? m->latency_ms : -1;
}

static void dnssec(const struct probe_set *ps, size_t r, struct behaviour *b)
{
	const struct answer *s = probe_answer(ps, r, PR_SIGNED, 0);
	const struct answer *x = probe_answer(ps, r, PR_BOGUS, 0);
	const struct answer *cd = probe_answer(ps, r, PR_BOGUS_CD, 0);
	bool usable = replied(s) || replied(x);

	b->signed_ad = has_data(s) ? ((s->flags & PW_F_AD) ? TRI_YES : TRI_NO) : TRI_UNKNOWN;
	b->signed_rrsig = has_data(s) ? (s->nrrsig > 0 ? TRI_YES : TRI_NO) : TRI_UNKNOWN;
	/* A server that refuses everything tells nothing about validation. */
	if (!usable || (replied(s) && s->rcode == LDNS_RCODE_REFUSED && replied(x) &&
	                x->rcode == LDNS_RCODE_REFUSED)) {
		b->dnssec = DNSSEC_UNKNOWN;
		return;
	}
	bool bogus_fails = replied(x) && x->rcode == LDNS_RCODE_SERVFAIL;
	bool bogus_with_cd = has_data(cd);
	/* A lost answer that would decide (the bogus name's; when it fails, the
	 * CD one's or the signed name's) leaves validation untold, unless the
	 * signed name fails, which is broken either way. */
	bool signed_fails = replied(s) && s->rcode == LDNS_RCODE_SERVFAIL;
	if ((!replied(x) || (bogus_fails && (!replied(cd) || !replied(s)))) && !signed_fails) {
		b->dnssec = DNSSEC_UNKNOWN;
		return;
	}
	if (bogus_fails && bogus_with_cd && b->signed_ad == TRI_YES)
		b->dnssec = DNSSEC_VALIDATES;
	else if (has_data(x) && !(x->flags & PW_F_AD) && b->signed_ad != TRI_YES)
		b->dnssec = DNSSEC_NO;
	else
		b->dnssec = DNSSEC_BROKEN;
}

/* The addresses in a into buf, space-separated: the A records (bare
 * rdata), and the A/AAAA at the end of a CNAME chain ("owner A rdata"). */
static void addresses(const struct answer *a, char *buf, size_t len)
{
	for (size_t i = 0; i < a->nrecords; i++) {
		const char *rec = a->records[i], *rd = rec;
		const char *sp = strchr(rec, ' ');
		if (sp != NULL) {
			if (strncmp(sp, " A ", 3) != 0 && strncmp(sp, " AAAA ", 6) != 0)
				continue; /* a CNAME link */
			rd = strrchr(rec, ' ') + 1;
		}
		size_t o = strlen(buf);
		if (strstr(buf, rd) == NULL)
			snprintf(buf + o, len - o, "%s%s", o ? " " : "", rd);
	}
}

static void nxdomain(const struct probe_set *ps, size_t r, bool nx_confirmed, struct behaviour *b)
{
	const struct answer *z = probe_answer(ps, r, PR_NX_ZONE, 0);
	const struct answer *t = probe_answer(ps, r, PR_NX_TLD, 0);
	b->rewrite_to[0] = '\0';
	if ((has_data(z) && nx_confirmed) || has_data(t)) {
		b->nxdomain = NX_REWRITES;
		if (has_data(z) && nx_confirmed)
			addresses(z, b->rewrite_to, sizeof b->rewrite_to);
		if (has_data(t))
			addresses(t, b->rewrite_to, sizeof b->rewrite_to);
	} else if ((replied(z) && z->rcode == LDNS_RCODE_NXDOMAIN) ||
	           (replied(t) && t->rcode == LDNS_RCODE_NXDOMAIN)) {
		b->nxdomain = NX_OK;
	} else {
		b->nxdomain = NX_UNKNOWN;
	}
}

static enum pw_tri tri(bool known, bool yes)
{
	return !known ? TRI_UNKNOWN : yes ? TRI_YES : TRI_NO;
}

static void edns(const struct probe_set *ps, size_t r, struct behaviour *b)
{
	const struct answer *w = probe_answer(ps, r, PR_WARM, 0);
	const struct answer *v1 = probe_answer(ps, r, PR_EDNS1, 0);
	const struct answer *u = probe_answer(ps, r, PR_UNKNOWN_OPT, 0);
	const struct answer *n = probe_answer(ps, r, PR_NSID, 0);

	b->edns = tri(replied(w), w->edns.present);
	b->udp_size = replied(w) && w->edns.present ? w->edns.udp_size : -1;
	b->badvers = tri(replied(v1), v1->rcode == 16);
	b->unknown_option_ok = tri(replied(u), u->rcode != LDNS_RCODE_FORMERR && u->rcode != 16);
	snprintf(b->nsid, sizeof b->nsid, "%s",
	         replied(n) && n->edns.has_nsid && n->edns.nsid ? n->edns.nsid : "");
}

/* The first TXT string of a CH answer, unquoted. */
static void ch_text(const struct answer *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!has_data(a))
		return;
	const char *s = a->records[0];
	size_t o = 0;
	if (*s == '"')
		s++;
	for (; *s && *s != '"' && o + 1 < len; s++) {
		if (*s == '\\' && s[1])
			s++;
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

static void identity(const struct probe_set *ps, size_t r, struct behaviour *b)
{
	ch_text(probe_answer(ps, r, PR_ID_SERVER, 0), b->id_server, sizeof b->id_server);
	ch_text(probe_answer(ps, r, PR_HOSTNAME_BIND, 0), b->hostname_bind,
	        sizeof b->hostname_bind);
	ch_text(probe_answer(ps, r, PR_VERSION_BIND, 0), b->version_bind, sizeof b->version_bind);
	ch_text(probe_answer(ps, r, PR_VERSION_SERVER, 0), b->version_server,
	        sizeof b->version_server);
	snprintf(b->site, sizeof b->site, "%s",
	         b->nsid[0]        ? b->nsid
	         : b->id_server[0] ? b->id_server
	                           : b->hostname_bind);
	snprintf(b->software, sizeof b->software, "%s",
	         b->version_bind[0] ? b->version_bind : b->version_server);
}

static void ecs(const struct probe_set *ps, size_t r, struct behaviour *b)
{
	const struct answer *e = probe_answer(ps, r, PR_ECS, 0);
	b->ecs_scope = replied(e) ? e->edns.ecs_scope : -1;
	/* Even a refusal says what the server does with the option. */
	if (!replied(e))
		b->ecs = ECS_UNKNOWN;
	else if (e->edns.ecs_scope > 0)
		b->ecs = ECS_HONOURED;
	else if (e->edns.ecs_scope == 0)
		b->ecs = ECS_ECHOED;
	else
		b->ecs = ECS_ABSENT;
}

void probe_judge(const struct probe_set *ps, size_t r, bool nx_confirmed, struct behaviour *b)
{
	memset(b, 0, sizeof *b);
	for (size_t j = 0; j < ps->njobs; j++)
		if (ps->refs[j].res == r)
			b->answered |= replied(&ps->out[j]);
	/* 0x20 from the probes that go alone, each with its own name: a
	 * forwarder merging identical questions in flight answers the later
	 * ones with the first one's spelling, which says nothing of case. */
	static const enum probe_kind alone[] = { PR_WARM, PR_NX_ZONE, PR_NX_TLD };
	b->case_preserved = TRI_UNKNOWN;
	for (size_t k = 0; k < sizeof alone / sizeof alone[0]; k++) {
		const struct answer *a = probe_answer(ps, r, alone[k], 0);
		if (a->case_fallback) {
			b->case_preserved = TRI_NO;
			break;
		}
		if (a->case_checked)
			b->case_preserved = TRI_YES;
	}
	latency(ps, r, b);
	dnssec(ps, r, b);
	nxdomain(ps, r, nx_confirmed, b);
	const struct answer *t = probe_answer(ps, r, PR_TCP, 0);
	b->tcp = replied(t) && t->transport == TR_TCP ? TRI_YES : TRI_NO;
	edns(ps, r, b);
	identity(ps, r, b);
	ecs(ps, r, b);
}
