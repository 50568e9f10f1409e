/*
 * query.h -- the question on the wire, and checking replies against it.
 *
 * A query is built once per sweep with ldns (ldns_pkt2wire allocates 64 KiB
 * a call) and each try gets a fresh random ID patched into its first two
 * bytes. A reply is believed only if its ID, QR bit and question match the
 * query we sent; the caller checks source address and port.
 */
#ifndef PW_QUERY_H
#define PW_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ldns_struct_pkt;
struct ldns_struct_rdf;

struct query {
	char *name;         /* the name as given, for messages and output */
	int type;           /* RR type (ldns_rr_type) */
	bool dnssec;        /* DO bit set */
	bool rd;            /* recursion desired (false for authoritative probes) */
	uint8_t *wire;      /* the query message, ID bytes 0-1 rewritten per try */
	size_t wirelen;     /* length of wire */
	uint8_t qwire[272]; /* the question section (qname, qtype, qclass) */
	size_t qwirelen;    /* length of qwire */
};

/* Reasons a reply is rejected; the engine counts them. */
enum reply_verdict {
	REPLY_OK = 0,
	REPLY_SHORT,        /* fewer than 12 bytes */
	REPLY_BAD_ID,       /* ID does not match the outstanding query */
	REPLY_NOT_QR,       /* QR bit clear: a query, not a reply */
	REPLY_BAD_QUESTION, /* question differs from ours */
	REPLY_MALFORMED,    /* ldns could not parse it */
	REPLY_VERDICT_COUNT
};

/* Build the query for name/type. Returns 0 or a negative PW_E* code
 * (PW_ENAME for a bad name). EDNS0 with a 1232-byte buffer is always on. */
int query_init(struct query *q, const char *name, int type, bool rd, bool dnssec);
void query_free(struct query *q);

/* Set the ID of q->wire (or a copy of it). */
void query_set_id(uint8_t *wire, uint16_t id);

/* Check a reply to the try with `id`. On REPLY_OK, *pkt gets the parsed
 * message (caller frees with ldns_pkt_free). */
enum reply_verdict query_check_reply(const struct query *q, uint16_t id, const uint8_t *buf,
                                     size_t len, struct ldns_struct_pkt **pkt);

const char *reply_verdict_name(enum reply_verdict v);

/* `name` as an absolute domain name ("example.com" means "example.com.");
 * NULL if it is not a valid name. Free with ldns_rdf_deep_free(). */
struct ldns_struct_rdf *query_dname(const char *name);

/* Parse a type name ("MX", "TYPE65") into *type. Returns 0 or PW_ETYPE. */
int query_parse_type(const char *s, int *type);

/* A random 16-bit ID from the kernel CSPRNG (buffered per thread). */
uint16_t query_random_id(void);

#endif
