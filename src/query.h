/*
 * query.h -- the question on the wire, and checking replies against it.
 *
 * A query is built once with ldns (ldns_pkt2wire allocates 64 KiB a call)
 * and each try gets a fresh random ID patched into its first two bytes and,
 * unless the server is known not to echo it, a random mix of upper and
 * lower case in the name (0x20, draft-vixie-dnsext-dns0x20): a reply is
 * believed only if its ID, QR bit and question match the try exactly, so
 * an off-path forger must guess the case as well as port and ID. The
 * caller checks source address, port and socket.
 */
#ifndef PW_QUERY_H
#define PW_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ldns_struct_pkt;
struct ldns_struct_rdf;

/* How to ask: the defaults (query_opts_default) are a recursive IN query
 * with EDNS0 and a 1232-byte buffer. */
struct query_opts {
	int qclass;              /* LDNS_RR_CLASS_IN (1), or CH (3) for identity names */
	bool rd;                 /* recursion desired */
	bool dnssec;             /* DO bit */
	bool cd;                 /* checking disabled */
	int edns;                /* EDNS version to send, -1 for no OPT record */
	bool nsid;               /* ask for the server's NSID (RFC 5001) */
	bool ecs;                /* send ECS (RFC 7871) for 198.51.100.0/24 */
	uint16_t unknown_option; /* an EDNS option code no server knows, 0 for none */
};

struct query {
	char *name;          /* the name as given, absolute, for messages and output */
	int type;            /* RR type (ldns_rr_type) */
	struct query_opts o; /* how it is asked */
	uint8_t *wire;       /* the query message, name in lower case */
	size_t wirelen;      /* length of wire */
	uint8_t qwire[272];  /* the question section (qname, qtype, qclass), lower case */
	size_t qwirelen;     /* length of qwire */
	unsigned nletters;   /* letters in the name: the bits 0x20 can mix */
};

/* Reasons a reply is rejected; the engine counts them. */
enum reply_verdict {
	REPLY_OK = 0,
	REPLY_SHORT,        /* fewer than 12 bytes */
	REPLY_BAD_ID,       /* ID does not match the outstanding query */
	REPLY_NOT_QR,       /* QR bit clear: a query, not a reply */
	REPLY_BAD_QUESTION, /* question differs from ours */
	REPLY_BAD_CASE,     /* question right but for the 0x20 case we sent */
	REPLY_MALFORMED,    /* ldns could not parse it */
	REPLY_VERDICT_COUNT
};

void query_opts_default(struct query_opts *o);

/* Build the query for name/type. Returns 0 or a negative PW_E* code
 * (PW_ENAME for a bad name). */
int query_new(struct query *q, const char *name, int type, const struct query_opts *o);
/* The common case: an IN query, EDNS0, rd and dnssec as given. */
int query_init(struct query *q, const char *name, int type, bool rd, bool dnssec);
void query_free(struct query *q);

/* Write the try's ID, and with case_seed != 0 its 0x20 spelling of the
 * name, into wire (a copy of q->wire). */
void query_prepare(const struct query *q, uint8_t *wire, uint16_t id, uint32_t case_seed);

/* Check a reply to the try with `id` and `case_seed` (0: the name was sent
 * in lower case, and any case is accepted back). On REPLY_OK, *pkt gets
 * the parsed message (caller frees with ldns_pkt_free). */
enum reply_verdict query_check_reply(const struct query *q, uint16_t id, uint32_t case_seed,
                                     const uint8_t *buf, size_t len, struct ldns_struct_pkt **pkt);

const char *reply_verdict_name(enum reply_verdict v);

/* ldns_wire2pkt for a message from the network: also refuses one that
 * would make ldns leak (more than one TSIG record). Returns an ldns_status. */
int query_wire2pkt(struct ldns_struct_pkt **pkt, const uint8_t *buf, size_t len);

/* `name` as an absolute domain name ("example.com" means "example.com.");
 * NULL if it is not a valid name. Free with ldns_rdf_deep_free(). */
struct ldns_struct_rdf *query_dname(const char *name);

/* Parse a type name ("MX", "TYPE65") into *type. Returns 0, PW_ETYPE, or
 * PW_EMETATYPE for a type that is no question about records (AXFR, OPT,
 * TSIG, ...). */
int query_parse_type(const char *s, int *type);

/* A random 16-bit ID, and a random non-zero 32-bit 0x20 seed, from the
 * kernel CSPRNG (buffered per thread). */
uint16_t query_random_id(void);
uint32_t query_random_seed(void);

#endif
