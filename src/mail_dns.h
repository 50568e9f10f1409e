/*
 * mail_dns.h -- how `propwatch mail` reads a domain's records, and judges
 * its zone's DNSSEC.
 *
 * The lint must see the records as the zone's authoritative servers serve
 * them now, not as some cache remembers them: so the zone and its servers
 * are found once (truth.c, through a few resolvers that answered), and
 * every name inside the zone is then asked of those servers directly
 * (RD=0, AA required; truth_resolve() with the servers given). Names
 * outside the zone -- SPF include targets elsewhere, MX targets in other
 * zones, DMARC report domains -- are asked of the same few resolvers, and
 * the answer most of them give is taken. DNSSEC is judged through those
 * resolvers too, since only a validating resolver can tell. Every lookup
 * is kept (the JSON "records"; the propagation's ground truth) and asked
 * once. This module runs on one engine from one thread.
 */
#ifndef PW_MAIL_DNS_H
#define PW_MAIL_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "compare.h"
#include "mail_lint.h"

struct engine;
struct resolver;

/* One lookup and what came of it. */
struct mail_lookup {
	char *name;            /* absolute, lower case */
	int type;              /* RR type */
	bool auth;             /* from the zone's servers (truth); else through resolvers (ans) */
	struct expected truth; /* the servers' answer, when auth */
	struct answer ans;     /* the answer most resolvers gave, when not auth */
	bool usable;           /* an answer (NOERROR or NXDOMAIN) came */
	bool ad;               /* through resolvers: the answer was validated */
	char problem[256];     /* why not usable, "" if it is */
};

struct mail_dns {
	struct engine *eng;                /* asks everything */
	const struct resolver *const *via; /* resolvers for names outside the zone */
	size_t nvia;                       /* how many */
	int family;                        /* AF_INET/AF_INET6: servers of that family only */
	char *domain;                      /* absolute, lower case */
	char *zone;                        /* its zone's apex, once found */
	struct auth_server *servers;       /* the zone's servers that answered (name, addr) */
	size_t nservers;                   /* how many */
	struct mail_lookup **v;            /* every lookup, in order */
	size_t n;                          /* how many */
	char problem[320];                 /* why the zone or its servers were not found */
};

/* Find domain's zone and servers through via (a few resolvers that
 * answer), and ask them for its MX. Returns 0; PW_EEMPTY with d->problem
 * set when the zone or its servers cannot be reached; PW_ENOMEM. */
int mail_dns_open(struct mail_dns *d, struct engine *eng, const struct resolver *const *via,
                  size_t nvia, int family, const char *domain);
void mail_dns_close(struct mail_dns *d);

/* The lint's callback (mail_resolve_fn): ctx is the struct mail_dns. */
int mail_dns_resolve(void *ctx, const char *name, int type, struct mail_rr *out);
/* The lookup of (name, type), made now if it was not yet. NULL when out
 * of memory. */
const struct mail_lookup *mail_dns_lookup(struct mail_dns *d, const char *name, int type);

/* The zone's DNSSEC state through the resolvers: the zone's SOA asked
 * with DO; AD means validated; SERVFAIL without CD but an answer with CD
 * means bogus; the verdict of the most resolvers that validate, bogus on
 * a tie. note says who said what. Returns 0 or PW_ENOMEM. */
int mail_dns_dnssec(struct mail_dns *d, enum mail_dnssec *state, char *note, size_t len);

/* name as the lint writes names: absolute, lower case. NULL: no memory. */
char *mail_dns_norm(const char *name);

#endif
