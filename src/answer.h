/*
 * answer.h -- what one server said, as the engine recorded it.
 *
 * The engine hands up raw outcomes only: whether a reply came (or a
 * timeout, an ICMP error, a local failure), its rcode, flags, EDNS details
 * and records. Records are kept in canonical presentation form, sorted, so
 * two answers compare by string; TTLs are kept apart, because cached TTLs
 * count down and that is not a difference. What an answer *means* (new,
 * stale, ...) is derived elsewhere, once (compare.c via the tracker).
 */
#ifndef PW_ANSWER_H
#define PW_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ldns_struct_pkt;
struct rdtext;

/* What happened to one query on the wire. */
enum pw_outcome {
	OUT_NONE = 0,    /* not asked, or no outcome yet */
	OUT_REPLY,       /* a reply was believed: rcode and the rest are set */
	OUT_TIMEOUT,     /* no valid reply within timeout x tries */
	OUT_UNREACHABLE, /* ICMP unreachable, or TCP connection refused */
	OUT_ERROR,       /* only invalid replies, or a local failure: see detail */
};

/* A resolver's status against the ground truth (derived, never recorded). */
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

#define PW_F_AA 0x01u
#define PW_F_TC 0x02u
#define PW_F_AD 0x04u
#define PW_F_RA 0x08u
#define PW_F_CD 0x10u

/* The OPT record of a reply (RFC 6891) and the options we look at. */
struct answer_edns {
	bool present;      /* the reply carried an OPT record */
	uint16_t udp_size; /* the size it advertises */
	uint8_t version;   /* its EDNS version */
	bool do_bit;       /* DO echoed */
	int ext_rcode;     /* the full 12-bit rcode (BADVERS is 16), -1 without OPT */
	char *nsid;        /* NSID (RFC 5001), printable, or NULL (answers of 60,000
	                      resolvers are kept: no room for what only compare asks) */
	bool has_nsid;     /* an NSID option came back (possibly empty) */
	int ecs_scope;     /* ECS (RFC 7871) scope prefix echoed, -1 if no ECS option */
	int ecs_source;    /* ECS source prefix echoed, -1 if none */
};

struct answer {
	enum pw_outcome outcome;     /* what happened */
	int rcode;                   /* DNS rcode, -1 without a reply */
	unsigned flags;              /* PW_F_* header flags of the reply */
	char **records;              /* canonical answer records, sorted, without RRSIGs */
	size_t nrecords;             /* length of records */
	size_t nrrsig;               /* RRSIGs in the answer section (DNSSEC probes) */
	char *key;                   /* records joined by '\n': the comparison key */
	long ttl;                    /* smallest TTL in the answer, -1 if none */
	long neg_ttl;                /* negative-caching TTL from the SOA, -1 if none */
	char *soa_owner;             /* owner of an SOA in authority (the zone), or NULL */
	uint32_t soa_serial;         /* serial of an SOA in answer or authority */
	bool has_soa;                /* soa_serial is meaningful */
	struct answer_edns edns;     /* the reply's OPT record */
	double latency_ms;           /* send of the try that was answered to its reply */
	double at;                   /* clock_mono() when the reply arrived, 0 if none */
	enum pw_transport transport; /* how the answer came */
	int tries;                   /* queries sent (UDP tries + TCP) */
	unsigned dropped;            /* replies from this server we rejected */
	bool case_fallback;          /* the server did not echo 0x20 case: asked again without */
	bool case_checked;           /* the reply echoed a mixed-case question exactly */
	char *detail;                /* why, for errors and drops ("ID mismatch"), or NULL:
	                                set with answer_set_detail(), read with answer_detail() */
};

/* Fill `a` from a validated reply, which is canonicalized on the way (it
 * is the caller's to free). memo, when not NULL, saves printing records
 * seen before (rdtext.h). Returns 0 or PW_ENOMEM. */
int answer_from_pkt(struct answer *a, struct ldns_struct_pkt *pkt, struct rdtext *memo);

void answer_init(struct answer *a);
/* Why, as printf would write it; "" clears it. Out of memory keeps none. */
void answer_set_detail(struct answer *a, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* The detail, "" when there is none. */
const char *answer_detail(const struct answer *a);
void answer_free(struct answer *a);
/* A deep copy; returns 0 or PW_ENOMEM (dst is then freed and re-inited). */
int answer_copy(struct answer *dst, const struct answer *src);

/* The TTL a cache keeps this answer for: the records' TTL, or the
 * negative TTL for an empty answer; -1 if none. */
long answer_cache_ttl(const struct answer *a);

/* A reply whose rcode says something about the records (NOERROR or
 * NXDOMAIN): it counts toward the propagation share. */
bool answer_usable(const struct answer *a);

/* A DNS rcode's name ("NOERROR", "BADVERS"), "-" for none. */
const char *rcode_name(int rcode, char *buf, size_t len);

const char *status_name(enum pw_status s);
/* NOERROR or NXDOMAIN statuses: count toward the propagation share. */
bool status_usable(enum pw_status s);
/* Parse a status name; returns -1 if unknown. */
int status_parse(const char *s);

/* RFC 1982 serial arithmetic: is a newer than b? */
static inline bool serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

struct ldns_struct_rr_list;
struct ldns_struct_rdf;
/* Canonical, sorted presentation strings for `rrs` (shared with --expect
 * parsing): just the rdata when owner and type are qname/qtype, else
 * "owner TYPE rdata" (CNAME chains). minttl gets the smallest TTL, or -1.
 * The records are put in canonical form in place; memo may be NULL. */
int records_from_rrlist(struct ldns_struct_rr_list *rrs, const struct ldns_struct_rdf *qname,
                        int qtype, struct rdtext *memo, char ***out, size_t *n, long *minttl);
char *records_join(char **records, size_t n);
/* A deep copy of records[0..n) into out and nout (NULL and 0 for none).
 * Returns 0, or PW_ENOMEM with whatever was copied left for the caller
 * to free as usual. */
int records_copy(char *const *records, size_t n, char ***out, size_t *nout);
void records_free(char **records, size_t n);

#endif
