/*
 * probe.c -- the probes of `propwatch compare`, as one sweep of jobs.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "probe.h"
#include "reslist.h"

/* Probes whose answer depends on NAME being cached go after the warm-up,
 * one every STAGGER: a forwarder that merges identical questions in
 * flight (dnsmasq without cache) would answer them all with one reply. */
#define AFTER_WARM 0.2
#define STAGGER    0.03
/* The DNSSEC names are asked at once to fill the validator's chain (a
 * cold pdns-recursor fails the first look), and judged when asked again. */
#define DNSSEC_JUDGED 0.5
/* The latency samples: the first at SAMPLE_START, then one every SAMPLE_GAP. */
#define SAMPLE_START 0.55
#define SAMPLE_GAP   0.02
/* An EDNS option code from the range for local and experimental use. */
#define UNKNOWN_OPTION 65001

static const char *const ch_names[] = {
	[PR_ID_SERVER] = "id.server",
	[PR_HOSTNAME_BIND] = "hostname.bind",
	[PR_VERSION_BIND] = "version.bind",
	[PR_VERSION_SERVER] = "version.server",
};

/* "pw<10 hex>.<parent>": a label no cache can hold. */
static void random_under(char *buf, size_t len, const char *parent)
{
	uint32_t a = query_random_seed(), b = query_random_seed();
	bool root = strcmp(parent, ".") == 0 || parent[0] == '\0';
	snprintf(buf, len, "pw%08x%02x.%s", a, b & 0xff, root ? "" : parent);
}

/* The TLD of name ("test." for "www.signed.test"), or "" for the root
 * when name is a TLD or the root itself. */
static void tld_of(const char *name, char *buf, size_t len)
{
	char n[300];
	snprintf(n, sizeof n, "%s", name);
	size_t l = strlen(n);
	while (l > 0 && n[l - 1] == '.')
		n[--l] = '\0';
	const char *dot = strrchr(n, '.');
	snprintf(buf, len, "%s", dot ? dot + 1 : "");
}

static int build_shared(struct probe_set *ps, char *err, size_t errlen)
{
	const struct probe_opts *o = &ps->o;
	struct query_opts qo;
	int rc;

#define Q(kind, name, type)                                                         \
	do {                                                                        \
		if ((rc = query_new(&ps->q[kind], (name), (type), &qo)) < 0) {      \
			snprintf(err, errlen, "'%s': %s", (name), pw_strerror(rc)); \
			return rc;                                                  \
		}                                                                   \
	} while (0)
	query_opts_default(&qo);
	Q(PR_WARM, o->name, o->type);
	Q(PR_SAMPLE, o->name, o->type);
	Q(PR_TCP, o->name, o->type);
	qo.dnssec = true;
	Q(PR_SIGNED, o->signed_name, LDNS_RR_TYPE_A);
	Q(PR_BOGUS, o->bogus_name, LDNS_RR_TYPE_A);
	qo.cd = true;
	Q(PR_BOGUS_CD, o->bogus_name, LDNS_RR_TYPE_A);
	query_opts_default(&qo);
	qo.edns = 1;
	Q(PR_EDNS1, o->name, o->type);
	query_opts_default(&qo);
	qo.unknown_option = UNKNOWN_OPTION;
	Q(PR_UNKNOWN_OPT, o->name, o->type);
	query_opts_default(&qo);
	qo.nsid = true;
	Q(PR_NSID, o->name, o->type);
	query_opts_default(&qo);
	qo.ecs = true;
	Q(PR_ECS, o->name, o->type);
	query_opts_default(&qo);
	qo.qclass = LDNS_RR_CLASS_CH;
	for (int k = PR_ID_SERVER; k <= PR_VERSION_SERVER; k++)
		Q(k, ch_names[k], LDNS_RR_TYPE_TXT);
#undef Q
	return PW_OK;
}

/* Resolver r's own random labels: under NAME, and under its TLD. */
static int build_own(struct probe_set *ps, size_t r)
{
	char name[300], tld[300];
	random_under(name, sizeof name, ps->o.name);
	int rc = query_init(&ps->own[2 * r], name, LDNS_RR_TYPE_A, true, false);
	if (rc < 0)
		return rc;
	tld_of(ps->o.name, tld, sizeof tld);
	random_under(name, sizeof name, tld);
	return query_init(&ps->own[2 * r + 1], name, LDNS_RR_TYPE_A, true, false);
}

static void add(struct probe_set *ps, const struct resolver *res, size_t r, enum probe_kind k,
                int index, const struct query *q, unsigned flags, double delay)
{
	size_t j = ps->njobs++;
	ps->jobs[j] = (struct engine_job){ res, q, flags, delay };
	ps->refs[j] = (struct probe_ref){ (uint32_t)r, (uint8_t)k, (uint8_t)index };
	if (index == 0)
		ps->index[r][k] = j;
}

int probe_build(struct probe_set *ps, const struct probe_opts *o,
                const struct resolver *const *targets, size_t n, char *err, size_t errlen)
{
	static const enum probe_kind first[] = { PR_WARM, PR_NX_ZONE, PR_SIGNED, PR_BOGUS,
		                                 PR_BOGUS_CD };
	static const enum probe_kind dnssec[] = { PR_SIGNED, PR_BOGUS, PR_BOGUS_CD };
	static const enum probe_kind later[] = {
		PR_EDNS1,        PR_UNKNOWN_OPT,    PR_NSID, PR_ID_SERVER, PR_HOSTNAME_BIND,
		PR_VERSION_BIND, PR_VERSION_SERVER, PR_TCP,  PR_ECS
	};
	size_t per = sizeof first / sizeof first[0] + sizeof later / sizeof later[0] +
	             sizeof dnssec / sizeof dnssec[0] + (size_t)o->samples + 1;
	int rc;

	memset(ps, 0, sizeof *ps);
	ps->o = *o;
	ps->nres = n;
	ps->own = calloc(2 * n + 1, sizeof *ps->own);
	ps->jobs = calloc(per * n + 1, sizeof *ps->jobs);
	ps->refs = calloc(per * n + 1, sizeof *ps->refs);
	ps->out = calloc(per * n + 1, sizeof *ps->out);
	ps->index = calloc(n + 1, sizeof *ps->index);
	if (!ps->own || !ps->jobs || !ps->refs || !ps->out || !ps->index) {
		probe_free(ps);
		return PW_ENOMEM;
	}
	if ((rc = build_shared(ps, err, errlen)) < 0) {
		probe_free(ps);
		return rc;
	}
	random_under(ps->nx_probe, sizeof ps->nx_probe, o->name);
	for (size_t r = 0; r < n; r++)
		if ((rc = build_own(ps, r)) < 0) {
			snprintf(err, errlen, "NAME '%s': too long for a probe label", o->name);
			probe_free(ps);
			return rc;
		}
	/* In order of delay: first what goes at once (the DNSSEC names only
	 * to warm: index 1, never judged), then what needs NAME cached, the
	 * DNSSEC names again, then the timed samples, a round at a time. */
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < sizeof first / sizeof first[0]; k++) {
			enum probe_kind kind = first[k];
			const struct query *q = kind == PR_NX_ZONE ? &ps->own[2 * r] : &ps->q[kind];
			bool warm = kind == PR_SIGNED || kind == PR_BOGUS || kind == PR_BOGUS_CD;
			add(ps, targets[r], r, kind, warm, q, 0, 0);
		}
	for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
		for (size_t r = 0; r < n; r++)
			add(ps, targets[r], r, later[k], 0, &ps->q[later[k]],
			    later[k] == PR_TCP ? JOB_TCP : 0, AFTER_WARM + STAGGER * (double)k);
	for (size_t k = 0; k < sizeof dnssec / sizeof dnssec[0]; k++)
		for (size_t r = 0; r < n; r++)
			add(ps, targets[r], r, dnssec[k], 0, &ps->q[dnssec[k]], 0, DNSSEC_JUDGED);
	for (int i = 0; i < o->samples; i++)
		for (size_t r = 0; r < n; r++)
			add(ps, targets[r], r, PR_SAMPLE, i, &ps->q[PR_SAMPLE], JOB_NO_RETRY,
			    SAMPLE_START + SAMPLE_GAP * i);
	/* Last: the NXDOMAIN proof of a TLD's zone can poison an aggressive
	 * NSEC cache (pdns-recursor 4.8 then denies names under delegations
	 * of that zone, www.signed.test in the lab), so nothing is asked of
	 * that resolver after it. */
	for (size_t r = 0; r < n; r++)
		add(ps, targets[r], r, PR_NX_TLD, 0, &ps->own[2 * r + 1], 0,
		    SAMPLE_START + SAMPLE_GAP * o->samples);
	return PW_OK;
}

void probe_free(struct probe_set *ps)
{
	for (int k = 0; k < PR_COUNT; k++)
		query_free(&ps->q[k]);
	for (size_t i = 0; ps->own != NULL && i < 2 * ps->nres; i++)
		query_free(&ps->own[i]);
	for (size_t i = 0; ps->out != NULL && i < ps->njobs; i++)
		answer_free(&ps->out[i]);
	free(ps->own);
	free(ps->jobs);
	free(ps->refs);
	free(ps->out);
	free(ps->index);
	memset(ps, 0, sizeof *ps);
}

const struct answer *probe_answer(const struct probe_set *ps, size_t r, enum probe_kind k, int i)
{
	size_t j = ps->index[r][k];
	if (k == PR_SAMPLE)
		j += (size_t)i * ps->nres;
	return &ps->out[j];
}
