/*
 * answer.h -- what one resolver said, reduced to what we compare and show.
 *
 * A reply that passed validation (query.c) is turned into a struct answer:
 * the answer RRset in canonical presentation form, sorted, so two answers
 * compare by string; TTLs kept apart because cached TTLs count down and
 * that is not a difference.
 */
#ifndef PW_ANSWER_H
#define PW_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ldns_struct_pkt;

enum pw_status {
	ST_PENDING = 0, /* not asked or no outcome yet */
	ST_NEW,         /* serves the expected (new) answer */
	ST_STALE,       /* serves a different, usually old, answer */
	ST_NXDOMAIN,    /* says the name does not exist */
	ST_NODATA,      /* name exists, no records of the type */
	ST_SERVFAIL,
	ST_REFUSED,
	ST_TIMEOUT,     /* no valid reply within timeout x tries */
	ST_UNREACHABLE, /* ICMP unreachable / connection refused */
	ST_ERROR,       /* other rcode, malformed replies only, local failure */
	ST_COUNT
};

enum pw_transport { TR_NONE = 0, TR_UDP, TR_TCP };

#define PW_F_AA 0x1u
#define PW_F_TC 0x2u
#define PW_F_AD 0x4u
#define PW_F_RA 0x8u

struct answer {
	enum pw_status status;       /* classified outcome */
	int rcode;                   /* DNS rcode, -1 without a reply */
	unsigned flags;              /* PW_F_* header flags of the reply */
	char **records;              /* canonical answer records, sorted */
	size_t nrecords;             /* length of records */
	char *key;                   /* records joined by '\n': the comparison key */
	long ttl;                    /* smallest TTL in the answer, -1 if none */
	long neg_ttl;                /* negative-caching TTL from the SOA, -1 if none */
	char *soa_owner;             /* owner of an SOA in authority (the zone), or NULL */
	uint32_t soa_serial;         /* serial of an SOA in answer or authority */
	bool has_soa;                /* soa_serial is meaningful */
	double latency_ms;           /* send of the try that was answered to its reply */
	double at;                   /* monotonic seconds when the reply arrived, 0 if none */
	enum pw_transport transport; /* how the answer came */
	int tries;                   /* queries sent (UDP tries + TCP) */
	unsigned dropped;            /* replies from this server we rejected */
	char detail[96];             /* why, for errors and drops ("ID mismatch") */
	int variant;                 /* index into the variant table, -1 if none */
};

/* Fill `a` from a validated reply to (qname, qtype). Returns 0 or PW_ENOMEM. */
int answer_from_pkt(struct answer *a, const struct ldns_struct_pkt *pkt);

void answer_free(struct answer *a);
void answer_init(struct answer *a);

const char *status_name(enum pw_status s);
/* NOERROR or NXDOMAIN: counts toward the propagation share. */
bool status_usable(enum pw_status s);
/* Parse a status name; returns -1 if unknown. */
int status_parse(const char *s);

struct ldns_struct_rr_list;
struct ldns_struct_rdf;
/* Canonical, sorted presentation strings for `rrs` (shared with --expect
 * parsing): just the rdata when owner and type are qname/qtype, else
 * "owner TYPE rdata" (CNAME chains). minttl gets the smallest TTL, or -1. */
int records_from_rrlist(const struct ldns_struct_rr_list *rrs, const struct ldns_struct_rdf *qname,
                        int qtype, char ***out, size_t *n, long *minttl);
char *records_join(char **records, size_t n);
/* A deep copy of records[0..n) into out and nout (NULL and 0 for none).
 * Returns 0, or PW_ENOMEM with whatever was copied left for the caller
 * to free as usual. */
int records_copy(char *const *records, size_t n, char ***out, size_t *nout);

#endif
