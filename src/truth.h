/*
 * truth.h -- ground truth: what the zone's authoritative servers serve now.
 *
 * Without known servers, the zone and its servers are found through
 * resolvers (SOA of the name for the zone, NS of the zone, A/AAAA of each
 * server); then every authoritative address is asked directly with RD=0
 * and must answer with AA set. When they disagree, the answer from the
 * highest SOA serial wins (the newest zone) and the disagreement is
 * reported. Which servers to ask, and when to look again, is the
 * tracker's policy (tracker_truth.c); this module only does the asking.
 */
#ifndef PW_TRUTH_H
#define PW_TRUTH_H

#include <stddef.h>

struct auth_server;
struct engine;
struct expected;
struct query;
struct resolver;

struct truth_opts {
	const struct resolver *const *via; /* resolvers used to find the servers */
	size_t nvia;                       /* how many (a few suffice) */
	const struct auth_server *servers; /* servers to ask (name and addr used); NULL: find them */
	size_t nservers;                   /* how many */
	int family;                        /* AF_INET/AF_INET6 to use only that, 0 = both */
};

/* Fill e (source EXP_AUTH, or EXP_NONE with e->problem saying why).
 * Returns 0, or PW_ENOMEM. */
int truth_resolve(struct engine *eng, const struct query *q, const struct truth_opts *o,
                  struct expected *e);

#endif
