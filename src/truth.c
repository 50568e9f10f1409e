/*
 * truth.c -- find the authoritative servers and ask them directly.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "compare.h"
#include "engine.h"
#include "error.h"
#include "query.h"
#include "reslist.h"
#include "truth.h"

#define MAX_NS    8  /* name servers followed */
#define MAX_ADDRS 16 /* authoritative addresses asked */

/* Ask (name, type) of every target; answers go to out[]. */
static int ask(struct engine *eng, const char *name, int type, int rd,
               const struct resolver *const *t, size_t n, struct answer *out)
{
	struct query q;
	int rc = query_init(&q, name, type, rd, false);
	if (rc < 0)
		return rc;
	rc = engine_ask(eng, &q, t, NULL, n, out, NULL, NULL, NULL);
	query_free(&q);
	return rc;
}

static void free_answers(struct answer *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		answer_free(&a[i]);
}

/* The usable answer most resolvers gave; NULL if none was usable. */
static const struct answer *consensus(const struct answer *a, size_t n)
{
	const struct answer *best = NULL;
	size_t bestn = 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		if (!answer_usable(&a[i]))
			continue;
		for (size_t j = 0; j < n; j++)
			if (answer_usable(&a[j]) && a[j].rcode == a[i].rcode &&
			    strcmp(a[j].key, a[i].key) == 0)
				c++;
		if (c > bestn) {
			best = &a[i];
			bestn = c;
		}
	}
	return best;
}

/* Find the zone apex of q->name through the resolvers. */
static char *find_zone(struct engine *eng, const struct query *q, const struct truth_opts *o,
                       struct answer *buf, char *problem, size_t plen)
{
	char *zone = NULL;
	if (ask(eng, q->name, LDNS_RR_TYPE_SOA, 1, o->via, o->nvia, buf) < 0)
		return NULL;
	const struct answer *c = consensus(buf, o->nvia);
	if (c == NULL)
		snprintf(problem, plen, "no resolver answered the SOA query for %s", q->name);
	else if (c->soa_owner != NULL)
		zone = strdup(c->soa_owner);
	else
		snprintf(problem, plen, "no SOA for %s: cannot tell its zone", q->name);
	free_answers(buf, o->nvia);
	return zone;
}

/* Add the addresses of one NS name, in the families asked for. */
static size_t add_addresses(struct engine *eng, const char *ns, const struct truth_opts *o,
                            struct answer *buf, struct auth_server *servers, size_t count,
                            size_t max)
{
	static const int types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	static const int families[2] = { AF_INET, AF_INET6 };

	for (int f = 0; f < 2; f++) {
		if ((o->family && o->family != families[f]) ||
		    ask(eng, ns, types[f], 1, o->via, o->nvia, buf) < 0)
			continue;
		const struct answer *c = consensus(buf, o->nvia);
		for (size_t k = 0; c != NULL && k < c->nrecords && count < max; k++) {
			struct resolver r;
			memset(&r, 0, sizeof r);
			if (reslist_parse_addr(c->records[k], 53, &r) < 0)
				continue; /* a CNAME chain line, not an address */
			int dup = 0;
			for (size_t j = 0; j < count; j++)
				dup |= strcmp(servers[j].addr.host, r.host) == 0;
			if (dup || (servers[count].name = strdup(ns)) == NULL)
				continue;
			servers[count].addr = r;
			count++;
		}
		free_answers(buf, o->nvia);
	}
	return count;
}

/* Resolve the zone's NS names to addresses; fills servers[] (up to max). */
static size_t find_servers(struct engine *eng, const char *zone, const struct truth_opts *o,
                           struct answer *buf, struct auth_server *servers, size_t max,
                           char *problem, size_t plen)
{
	size_t count = 0, nns = 0;
	char *ns[MAX_NS];

	if (ask(eng, zone, LDNS_RR_TYPE_NS, 1, o->via, o->nvia, buf) < 0)
		return 0;
	const struct answer *c = consensus(buf, o->nvia);
	for (size_t i = 0; c != NULL && i < c->nrecords && nns < MAX_NS; i++)
		if ((ns[nns] = strdup(c->records[i])) != NULL)
			nns++;
	free_answers(buf, o->nvia);
	if (nns == 0) {
		snprintf(problem, plen, "no NS records found for zone %s", zone);
		return 0;
	}
	for (size_t i = 0; i < nns; i++)
		count = add_addresses(eng, ns[i], o, buf, servers, count, max);
	if (count == 0)
		snprintf(problem, plen, "the name servers of %s (%s...) have no address", zone,
		         ns[0]);
	for (size_t i = 0; i < nns; i++)
		free(ns[i]);
	return count;
}

/* What an authoritative server's answer says about it. */
static const char *server_state(const struct auth_server *s)
{
	static const struct expected none = { .source = EXP_NONE };
	if (s->usable)
		return s->agrees ? "ok" : "disagrees";
	if (answer_usable(&s->ans))
		return "not-authoritative";
	return status_name(compare_status(&s->ans, &none));
}

/* Choose the ground truth among the servers' answers: the usable one with
 * the newest serial. */
static int choose(const struct query *q, struct expected *e)
{
	int best = -1;
	(void)q;
	for (size_t i = 0; i < e->nauth; i++) {
		struct auth_server *s = &e->auth[i];
		s->usable = answer_usable(&s->ans) && (s->ans.flags & PW_F_AA);
		if (!s->usable)
			continue;
		if (best < 0 || (s->soa.has_soa &&
		                 (!e->auth[best].soa.has_soa ||
		                  serial_newer(s->soa.soa_serial, e->auth[best].soa.soa_serial))))
			best = (int)i;
	}
	if (best < 0) {
		for (size_t i = 0; i < e->nauth; i++)
			e->auth[i].state = server_state(&e->auth[i]);
		snprintf(e->problem, sizeof e->problem,
		         "no authoritative server gave an authoritative (AA) answer");
		return PW_OK;
	}
	const struct answer *t = &e->auth[best].ans;
	e->source = EXP_AUTH;
	e->rcode = t->rcode;
	e->auth_ttl = answer_cache_ttl(t);
	e->key = strdup(t->key);
	int copied = records_copy(t->records, t->nrecords, &e->records, &e->nrecords);
	if (e->zone == NULL && e->auth[best].soa.soa_owner != NULL)
		e->zone = strdup(e->auth[best].soa.soa_owner);
	for (size_t i = 0; i < e->nauth; i++) {
		struct auth_server *s = &e->auth[i];
		s->agrees = s->usable && s->ans.rcode == t->rcode &&
		            strcmp(s->ans.key, t->key) == 0;
		if (s->usable && !s->agrees)
			e->disagree = true;
		s->state = server_state(s);
	}
	if (e->disagree)
		snprintf(
		        e->problem, sizeof e->problem,
		        "authoritative servers disagree; using the answer of the newest serial (%u from %s)",
		        e->auth[best].soa.soa_serial, e->auth[best].addr.host);
	return e->key == NULL || copied < 0 ? PW_ENOMEM : PW_OK;
}

/* Ask every server directly, then choose. */
static int ask_servers(struct engine *eng, const struct query *q, struct expected *e)
{
	size_t n = e->nauth;
	const struct resolver **ptrs = calloc(n, sizeof *ptrs);
	struct answer *ans = calloc(n, sizeof *ans), *soa = calloc(n, sizeof *soa);
	int rc = PW_ENOMEM;

	if (ptrs == NULL || ans == NULL || soa == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &e->auth[i].addr;
	if ((rc = ask(eng, q->name, q->type, 0, ptrs, n, ans)) < 0)
		goto out;
	/* SOA of the name itself: at the apex it is the answer, below it the
	 * authority section carries it; either way we learn zone and serial. */
	if ((rc = ask(eng, q->name, LDNS_RR_TYPE_SOA, 0, ptrs, n, soa)) < 0) {
		free_answers(ans, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		e->auth[i].ans = ans[i];
		e->auth[i].soa = soa[i];
	}
	rc = choose(q, e);
out:
	free(ptrs);
	free(ans);
	free(soa);
	return rc;
}

int truth_resolve(struct engine *eng, const struct query *q, const struct truth_opts *o,
                  struct expected *e)
{
	memset(e, 0, sizeof *e);
	e->source = EXP_NONE;
	e->rcode = -1;
	e->auth_ttl = -1;

	if (o->nservers > 0) {
		e->auth = calloc(o->nservers, sizeof *e->auth);
		if (e->auth == NULL)
			return PW_ENOMEM;
		for (size_t i = 0; i < o->nservers; i++) {
			e->auth[i].addr = o->servers[i].addr;
			answer_init(&e->auth[i].ans);
			answer_init(&e->auth[i].soa);
			e->auth[i].name = strdup(o->servers[i].name ? o->servers[i].name
			                                            : "--auth");
			e->nauth++;
		}
	} else {
		struct answer *buf = calloc(o->nvia ? o->nvia : 1, sizeof *buf);
		if (buf == NULL)
			return PW_ENOMEM;
		if (o->nvia == 0) {
			snprintf(e->problem, sizeof e->problem,
			         "no resolver to find the zone through");
		} else if ((e->zone = find_zone(eng, q, o, buf, e->problem, sizeof e->problem)) !=
		           NULL) {
			e->auth = calloc(MAX_ADDRS, sizeof *e->auth);
			if (e->auth != NULL)
				e->nauth = find_servers(eng, e->zone, o, buf, e->auth, MAX_ADDRS,
				                        e->problem, sizeof e->problem);
		}
		free(buf);
		if (e->nauth == 0)
			return PW_OK;
	}
	return ask_servers(eng, q, e);
}
