/*
 * mail_dns.c -- the zone's servers for names in the zone, resolvers for
 * the rest, and the zone's DNSSEC state.
 */
#include <ctype.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "mail_dns.h"
#include "mail_lint_int.h"
#include "query.h"
#include "reslist.h"
#include "truth.h"

/* Lookups kept at most: far more than any mail setup needs, and a bound
 * on what hostile SPF records can make us ask. */
#define MAX_LOOKUPS 256

char *mail_dns_norm(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 2);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)name[i]);
	s[n] = '\0';
	if (n == 0 || s[n - 1] != '.')
		s[n] = '.', s[n + 1] = '\0';
	return s;
}

static void lookup_free(struct mail_lookup *l)
{
	if (l == NULL)
		return;
	free(l->name);
	expected_free(&l->truth);
	answer_free(&l->ans);
	free(l);
}

void mail_dns_close(struct mail_dns *d)
{
	for (size_t i = 0; i < d->n; i++)
		lookup_free(d->v[i]);
	for (size_t i = 0; i < d->nservers; i++)
		free(d->servers[i].name);
	free(d->v);
	free(d->servers);
	free(d->domain);
	free(d->zone);
	memset(d, 0, sizeof *d);
}

static struct mail_lookup *find(const struct mail_dns *d, const char *name, int type)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i]->type == type && strcmp(d->v[i]->name, name) == 0)
			return d->v[i];
	return NULL;
}

static struct mail_lookup *keep(struct mail_dns *d, char *name, int type)
{
	struct mail_lookup *l = calloc(1, sizeof *l), **nv;
	if (l == NULL || (nv = realloc(d->v, (d->n + 1) * sizeof *nv)) == NULL) {
		free(l);
		free(name);
		return NULL;
	}
	d->v = nv;
	l->name = name;
	l->type = type;
	l->truth.source = EXP_NONE;
	l->truth.rcode = -1;
	answer_init(&l->ans);
	d->v[d->n++] = l;
	return l;
}

/* The usable answer most of the resolvers gave (as truth.c's consensus),
 * and whether one of those that gave it validated it. */
static const struct answer *consensus(const struct answer *a, size_t n, bool *ad)
{
	const struct answer *best = NULL;
	size_t bestn = 0;
	*ad = false;
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		if (!answer_usable(&a[i]))
			continue;
		for (size_t j = 0; j < n; j++)
			c += answer_usable(&a[j]) && a[j].rcode == a[i].rcode &&
			     strcmp(a[j].key, a[i].key) == 0;
		if (c > bestn)
			best = &a[i], bestn = c;
	}
	for (size_t i = 0; best != NULL && i < n; i++)
		*ad |= answer_usable(&a[i]) && a[i].rcode == best->rcode &&
		       strcmp(a[i].key, best->key) == 0 && (a[i].flags & PW_F_AD);
	return best;
}

/* Say why no resolver gave a usable answer: "2 servfail, 1 timeout". */
static void failures(const struct answer *a, size_t n, char *buf, size_t len)
{
	static const struct expected none = { .source = EXP_NONE, .rcode = -1 };
	size_t count[ST_COUNT] = { 0 }, o = 0;
	for (size_t i = 0; i < n; i++)
		count[compare_status(&a[i], &none)]++;
	o = (size_t)snprintf(buf, len, "no usable answer from %zu resolver%s:", n,
	                     n == 1 ? "" : "s");
	for (int s = 0; s < ST_COUNT && o < len; s++)
		if (count[s])
			o += (size_t)snprintf(buf + o, len - o, " %zu %s", count[s],
			                      status_name((enum pw_status)s));
}

/* Ask the resolvers (RD=1, DO=1 for the AD bit). */
static int ask_resolvers(struct mail_dns *d, struct mail_lookup *l, const struct query_opts *o)
{
	struct query q;
	struct answer *a = calloc(d->nvia ? d->nvia : 1, sizeof *a);
	int rc = a == NULL ? PW_ENOMEM : query_new(&q, l->name, l->type, o);
	if (rc < 0) {
		free(a);
		snprintf(l->problem, sizeof l->problem, "%s", pw_strerror(rc));
		return rc == PW_ENOMEM ? rc : 0;
	}
	rc = engine_ask(d->eng, &q, d->via, NULL, d->nvia, a, NULL, NULL, NULL);
	query_free(&q);
	bool ad;
	const struct answer *best = rc == 0 ? consensus(a, d->nvia, &ad) : NULL;
	if (best != NULL) {
		rc = answer_copy(&l->ans, best);
		l->usable = rc == 0;
		l->ad = ad;
	} else if (rc == 0) {
		failures(a, d->nvia, l->problem, sizeof l->problem);
	}
	for (size_t i = 0; i < d->nvia; i++)
		answer_free(&a[i]);
	free(a);
	return rc;
}

/* Ask the zone's servers directly. Returns 0 whether or not they gave an
 * authoritative answer (l->auth says). */
static int ask_servers(struct mail_dns *d, struct mail_lookup *l)
{
	struct query q;
	struct truth_opts o = { d->via, d->nvia, d->servers, d->nservers, d->family };
	int rc = query_init(&q, l->name, l->type, false, false);
	if (rc < 0)
		return rc == PW_ENOMEM ? rc : 0;
	rc = truth_resolve(d->eng, &q, &o, &l->truth);
	query_free(&q);
	if (rc == 0 && l->truth.source == EXP_AUTH)
		l->auth = l->usable = true;
	else if (rc == 0)
		snprintf(l->problem, sizeof l->problem, "%s", l->truth.problem);
	return rc;
}

const struct mail_lookup *mail_dns_lookup(struct mail_dns *d, const char *name, int type)
{
	char *norm = mail_dns_norm(name);
	if (norm == NULL)
		return NULL;
	struct mail_lookup *l = find(d, norm, type);
	if (l != NULL) {
		free(norm);
		return l;
	}
	if (d->n >= MAX_LOOKUPS) {
		/* Kept as a failed lookup: the lint then judges nothing by it. */
		static struct mail_lookup refused = { .problem = "too many lookups" };
		free(norm);
		return &refused;
	}
	if ((l = keep(d, norm, type)) == NULL)
		return NULL;
	int rc = 0;
	if (d->zone != NULL && d->nservers > 0 && lint_in_zone(l->name, d->zone))
		rc = ask_servers(d, l);
	if (rc == 0 && !l->auth) {
		/* Outside the zone, or delegated away from its servers. */
		struct query_opts o;
		query_opts_default(&o);
		o.rd = true;
		o.dnssec = true;
		expected_free(&l->truth);
		l->truth.source = EXP_NONE;
		l->problem[0] = '\0';
		rc = ask_resolvers(d, l, &o);
	}
	return rc < 0 ? NULL : l;
}

int mail_dns_resolve(void *ctx, const char *name, int type, struct mail_rr *out)
{
	const struct mail_lookup *l = mail_dns_lookup(ctx, name, type);
	if (l == NULL)
		return PW_ENOMEM;
	out->rcode = -1;
	out->records = NULL;
	out->n = 0;
	out->ad = l->ad;
	if (l->auth) {
		out->rcode = l->truth.rcode;
		out->records = l->truth.records;
		out->n = l->truth.nrecords;
	} else if (l->usable) {
		out->rcode = l->ans.rcode;
		out->records = l->ans.records;
		out->n = l->ans.nrecords;
	}
	return 0;
}

int mail_dns_open(struct mail_dns *d, struct engine *eng, const struct resolver *const *via,
                  size_t nvia, int family, const char *domain)
{
	memset(d, 0, sizeof *d);
	d->eng = eng;
	d->via = via;
	d->nvia = nvia;
	d->family = family;
	if ((d->domain = mail_dns_norm(domain)) == NULL)
		return PW_ENOMEM;
	if (nvia == 0) {
		snprintf(d->problem, sizeof d->problem,
		         "no resolver of the list answered: cannot find the zone of %s", d->domain);
		return PW_EEMPTY;
	}
	char *name = strdup(d->domain);
	struct mail_lookup *l = name ? keep(d, name, LDNS_RR_TYPE_MX) : NULL;
	struct query q;
	struct truth_opts o = { via, nvia, NULL, 0, family };
	if (l == NULL || query_init(&q, d->domain, LDNS_RR_TYPE_MX, false, false) < 0)
		return PW_ENOMEM;
	int rc = truth_resolve(eng, &q, &o, &l->truth);
	query_free(&q);
	if (rc < 0)
		return rc;
	struct expected *e = &l->truth;
	if (e->source != EXP_AUTH || e->zone == NULL) {
		snprintf(d->problem, sizeof d->problem, "%s",
		         e->problem[0] ? e->problem : "the zone's servers gave no answer");
		return PW_EEMPTY;
	}
	l->auth = l->usable = true;
	if ((d->zone = mail_dns_norm(e->zone)) == NULL ||
	    (d->servers = calloc(e->nauth, sizeof *d->servers)) == NULL)
		return PW_ENOMEM;
	/* Only the servers that answered: a silent one would cost a timeout
	 * at every later lookup. */
	for (size_t i = 0; i < e->nauth; i++) {
		if (!e->auth[i].usable)
			continue;
		d->servers[d->nservers].addr = e->auth[i].addr;
		if ((d->servers[d->nservers].name = strdup(e->auth[i].name ? e->auth[i].name
		                                                           : "")) == NULL)
			return PW_ENOMEM;
		d->nservers++;
	}
	return PW_OK;
}

/* How one resolver judged the zone. */
enum verdict { V_UNKNOWN, V_SECURE, V_INSECURE, V_BOGUS };

int mail_dns_dnssec(struct mail_dns *d, enum mail_dnssec *state, char *note, size_t len)
{
	struct query q, qcd;
	struct query_opts o;
	size_t n = d->nvia, nf = 0, count[4] = { 0 };
	struct answer *a = calloc(n ? n : 1, sizeof *a), *b = calloc(n ? n : 1, sizeof *b);
	const struct resolver **failed = calloc(n ? n : 1, sizeof *failed);
	int rc = PW_ENOMEM;

	*state = DNSSEC_UNKNOWN;
	note[0] = '\0';
	query_opts_default(&o);
	o.dnssec = true;
	if (a == NULL || b == NULL || failed == NULL ||
	    query_new(&q, d->zone, LDNS_RR_TYPE_SOA, &o) < 0)
		goto out;
	o.cd = true;
	if ((rc = query_new(&qcd, d->zone, LDNS_RR_TYPE_SOA, &o)) < 0) {
		query_free(&q);
		goto out;
	}
	rc = engine_ask(d->eng, &q, d->via, NULL, n, a, NULL, NULL, NULL);
	/* Only the resolvers that failed are asked again, with CD. */
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (a[i].outcome == OUT_REPLY && a[i].rcode == LDNS_RCODE_SERVFAIL)
			failed[nf++] = d->via[i];
	if (rc == 0 && nf > 0)
		rc = engine_ask(d->eng, &qcd, failed, NULL, nf, b, NULL, NULL, NULL);
	query_free(&q);
	query_free(&qcd);
	for (size_t i = 0, k = 0; rc == 0 && i < n; i++) {
		enum verdict v = V_UNKNOWN;
		if (answer_usable(&a[i]))
			v = a[i].flags & PW_F_AD ? V_SECURE : V_INSECURE;
		else if (a[i].outcome == OUT_REPLY && a[i].rcode == LDNS_RCODE_SERVFAIL)
			v = answer_usable(&b[k++]) ? V_BOGUS : V_UNKNOWN;
		count[v]++;
	}
	if (rc == 0) {
		if (count[V_BOGUS] > 0 && count[V_BOGUS] >= count[V_SECURE])
			*state = DNSSEC_BOGUS;
		else if (count[V_SECURE] > 0)
			*state = DNSSEC_SECURE;
		else if (count[V_INSECURE] > 0)
			*state = DNSSEC_INSECURE;
		snprintf(note, len,
		         "(%zu resolver%s asked: %zu validated, %zu bogus, %zu without AD, %zu no "
		         "answer)",
		         n, n == 1 ? "" : "s", count[V_SECURE], count[V_BOGUS], count[V_INSECURE],
		         count[V_UNKNOWN]);
	}
out:
	for (size_t i = 0; a != NULL && b != NULL && i < n; i++) {
		answer_free(&a[i]);
		answer_free(&b[i]);
	}
	free(a);
	free(b);
	free(failed);
	return rc;
}
