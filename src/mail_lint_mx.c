/*
 * mail_lint_mx.c -- the MX checks: null MX, targets that are IP literals,
 * CNAMEs, unresolvable or doubled by a missing trailing dot, duplicates,
 * backups, shared preferences, IPv6.
 */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "mail_lint.h"
#include "mail_lint_int.h"

#define MAX_MX    32 /* records looked at */
#define MAX_CHASE 4  /* CNAME hops followed out of an answer */

struct mx {
	unsigned pref;
	char target[256];
};

/* What the A or AAAA answers of one name say about it. */
struct addrs {
	size_t n;        /* address records, at the name or at the end of its CNAMEs */
	bool cname;      /* the name itself is a CNAME */
	char first[256]; /* what it is a CNAME to */
	char last[256];  /* the last CNAME target in the answer */
	bool nxdomain;   /* the name does not exist */
	bool answered;   /* some answer was usable */
};

static void inspect(const struct mail_rr *rr, const char *name, struct addrs *a)
{
	if (rr->rcode < 0)
		return;
	a->answered = true;
	a->nxdomain |= rr->rcode == LDNS_RCODE_NXDOMAIN && rr->n == 0;
	for (size_t i = 0; i < rr->n; i++) {
		char owner[256], type[16], data[256];
		if (strchr(rr->records[i], ' ') == NULL) {
			a->n++; /* the address itself: owner and type are the question's */
			continue;
		}
		if (sscanf(rr->records[i], "%255s %15s %255s", owner, type, data) != 3)
			continue;
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
			a->n++;
		} else if (strcmp(type, "CNAME") == 0) {
			if (strcasecmp(owner, name) == 0 && !a->cname) {
				a->cname = true;
				snprintf(a->first, sizeof a->first, "%s", data);
			}
			snprintf(a->last, sizeof a->last, "%s", data);
		}
	}
}

/* Look up type for name, following CNAMEs the answer leaves dangling
 * (an authoritative server does not chase them out of its zone). */
static int lookup(const struct mail_input *in, const char *name, int type, struct addrs *a)
{
	struct mail_rr rr;
	int rc = lint_resolve(in, name, type, &rr);
	if (rc < 0)
		return rc;
	inspect(&rr, name, a);
	for (int hop = 0; hop < MAX_CHASE && a->n == 0 && a->last[0]; hop++) {
		char next[256];
		snprintf(next, sizeof next, "%s", a->last);
		a->last[0] = '\0';
		if ((rc = lint_resolve(in, next, type, &rr)) < 0)
			return rc;
		struct addrs b = { 0 };
		inspect(&rr, next, &b);
		a->n += b.n;
		snprintf(a->last, sizeof a->last, "%s", b.last);
	}
	return 0;
}

static int parse_mx(const struct mail_rr *rr, struct mx *v, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < rr->n && *n < MAX_MX; i++) {
		if (sscanf(rr->records[i], "%u %255s", &v[*n].pref, v[*n].target) == 2 &&
		    v[*n].pref <= 65535)
			(*n)++;
	}
	return 0;
}

static bool is_ip_literal(const char *target)
{
	char buf[256];
	unsigned char a[16];
	snprintf(buf, sizeof buf, "%s", target);
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

/* Does target end in suffix twice ("mx1.example.com.example.com.")? If
 * so, fixed gets the name as meant: the target without the second copy. */
static bool doubled(const char *target, const char *suffix, char *fixed, size_t len)
{
	char twice[520];
	size_t sl = strlen(suffix);
	if (sl < 2 || sl > 255)
		return false;
	snprintf(twice, sizeof twice, "%.*s.%s", (int)(sl - 1), suffix, suffix);
	size_t tl = strlen(target), wl = strlen(twice);
	if (tl < wl || strcasecmp(target + tl - wl, twice) != 0 ||
	    (tl > wl && target[tl - wl - 1] != '.'))
		return false;
	snprintf(fixed, len, "%.*s", (int)(tl - sl), target);
	return true;
}

static int add_target(struct mail_report *r, const char *name, bool addresses, bool cname)
{
	struct mail_target *nv = realloc(r->targets, (r->ntargets + 1) * sizeof *nv);
	if (nv == NULL)
		return PW_ENOMEM;
	r->targets = nv;
	if ((nv[r->ntargets].name = strdup(name)) == NULL)
		return PW_ENOMEM;
	nv[r->ntargets].addresses = addresses;
	nv[r->ntargets].cname = cname;
	r->ntargets++;
	return 0;
}

/* One distinct target: literal, doubling, CNAME, addresses. */
static int check_target(const struct mail_input *in, struct mail_report *r, const char *target,
                        bool *v4, bool *v6)
{
	char rec[300], fix[400], fixed[256];
	struct addrs a4 = { 0 }, a6 = { 0 };
	int rc;

	snprintf(rec, sizeof rec, "%s MX", in->domain);
	if (is_ip_literal(target)) {
		snprintf(fix, sizeof fix,
		         "name a host instead, e.g. `mail.%s` with an A record for that address",
		         in->domain);
		mail_add(r, CK_MX_TARGET_IP, rec, fix,
		         "the target %s is an IP address; an MX names a host (RFC 5321 5.1)",
		         target);
	}
	if (doubled(target, in->zone, fixed, sizeof fixed) ||
	    (strcasecmp(in->zone, in->domain) != 0 &&
	     doubled(target, in->domain, fixed, sizeof fixed))) {
		snprintf(fix, sizeof fix, "add the trailing dot: `%s`", fixed);
		mail_add(
		        r, CK_MX_TARGET_DOUBLED, rec, fix,
		        "the target %s repeats the zone name: the zone file has the name without its "
		        "trailing dot",
		        target);
	}
	if ((rc = lookup(in, target, LDNS_RR_TYPE_A, &a4)) < 0 ||
	    (rc = lookup(in, target, LDNS_RR_TYPE_AAAA, &a6)) < 0)
		return rc;
	bool cname = a4.cname || a6.cname;
	if (cname) {
		snprintf(fix, sizeof fix, "point the MX at the host's own name: `%s`",
		         a4.cname ? a4.first : a6.first);
		mail_add(
		        r, CK_MX_TARGET_CNAME, rec, fix,
		        "the target %s is a CNAME (to %s); an MX must name the host itself (RFC 2181 "
		        "10.3)",
		        target, a4.cname ? a4.first : a6.first);
	}
	if (a4.n == 0 && a6.n == 0 && (a4.answered || a6.answered)) {
		snprintf(fix, sizeof fix,
		         "give %s an A (and AAAA) record, or point the MX at a host that has one",
		         target);
		mail_add(r, CK_MX_TARGET_UNRESOLVABLE, rec, fix, "the target %s %s", target,
		         a4.nxdomain || a6.nxdomain ? "does not exist (NXDOMAIN)"
		                                    : "has no A or AAAA record");
	}
	*v4 |= a4.n > 0;
	*v6 |= a6.n > 0;
	if (!is_ip_literal(target))
		return add_target(r, target, a4.n > 0 || a6.n > 0, cname);
	return 0;
}

/* The shape of the RRset: null MX, duplicates, backups, preferences. */
static void check_set(const struct mail_input *in, struct mail_report *r, const struct mx *v,
                      size_t n, size_t nnull)
{
	char rec[300], fix[400];
	snprintf(rec, sizeof rec, "%s MX", in->domain);
	if (nnull > 0 && n > nnull)
		mail_add(r, CK_MX_NULL_CONFLICT, rec,
		         "remove `0 .` if the domain takes mail, else remove the other MX records",
		         "a null MX (\"0 .\", no mail at all) beside %zu other MX record%s",
		         n - nnull, n - nnull == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		size_t same = 0, first = i;
		for (size_t j = 0; j < n; j++)
			if (strcasecmp(v[i].target, v[j].target) == 0 && strcmp(v[i].target, ".")) {
				same++;
				first = j < first ? j : first;
			}
		if (same > 1 && first == i) {
			snprintf(fix, sizeof fix, "keep one MX record for %s", v[i].target);
			mail_add(r, CK_MX_DUPLICATE, rec, fix,
			         "the target %s appears in %zu MX records", v[i].target, same);
		}
	}
	if (n - nnull == 1)
		mail_add(r, CK_MX_SINGLE, rec,
		         "add a second MX with a higher preference on another host, if mail must "
		         "queue elsewhere while this one is down",
		         "one MX record (%u %s): no backup exchanger", v[0].pref,
		         strcmp(v[0].target, ".") ? v[0].target : v[n - 1].target);
	for (size_t i = 0; i < n; i++) {
		bool shared = false, earlier = false;
		for (size_t j = 0; j < n; j++) {
			shared |= j != i && v[j].pref == v[i].pref && strcmp(v[j].target, ".");
			earlier |= j < i && v[j].pref == v[i].pref && strcmp(v[j].target, ".");
		}
		if (shared && !earlier && strcmp(v[i].target, ".")) {
			mail_add(
			        r, CK_MX_SAME_PREFERENCE, rec,
			        "nothing to do if the load sharing is meant; else give the backup a "
			        "higher preference",
			        "several MX records share preference %u: mail is shared among them "
			        "rather than one backing up another",
			        v[i].pref);
		}
	}
}

int lint_mx(const struct mail_input *in, struct mail_report *r)
{
	struct mail_rr rr;
	struct mx v[MAX_MX];
	size_t n, nnull = 0;
	char rec[300];
	int rc;

	snprintf(rec, sizeof rec, "%s MX", in->domain);
	if ((rc = lint_resolve(in, in->domain, LDNS_RR_TYPE_MX, &rr)) < 0)
		return rc;
	if (rr.rcode < 0)
		return 0; /* nothing to judge by */
	parse_mx(&rr, v, &n);
	if (n == 0) {
		char fix[400];
		snprintf(fix, sizeof fix,
		         "add an MX record (e.g. `10 mail.%s`), or a null MX `0 .` if the domain "
		         "takes no mail",
		         in->domain);
		mail_add(
		        r, CK_MX_MISSING, rec, fix,
		        "no MX record%s: senders fall back to the domain's own A/AAAA (RFC 5321 5.1)",
		        rr.rcode == LDNS_RCODE_NXDOMAIN ? " (the name does not exist)" : "");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		nnull += strcmp(v[i].target, ".") == 0;
	if (nnull == n) {
		mail_add(
		        r, CK_MX_NULL, rec,
		        "nothing to do if the domain takes no mail; else replace it with MX records "
		        "naming your mail hosts",
		        "a null MX (\"0 .\", RFC 7505): the domain says it takes no mail");
		return 0;
	}
	check_set(in, r, v, n, nnull);
	bool v4 = false, v6 = false;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= strcasecmp(v[i].target, v[j].target) == 0;
		if (seen || strcmp(v[i].target, ".") == 0)
			continue;
		if ((rc = check_target(in, r, v[i].target, &v4, &v6)) < 0)
			return rc;
	}
	if (v4 && !v6)
		mail_add(r, CK_MX_NO_IPV6, rec,
		         "give the MX hosts AAAA records, if they can take mail over IPv6",
		         "no MX target has an AAAA record: IPv6-only senders cannot deliver");
	return 0;
}
