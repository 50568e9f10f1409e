/*
 * vantage_json.h -- the measurement networks' JSON, both ways: requests
 * built, responses decoded into probes and struct answers.
 *
 * Every function here is pure (no I/O, no clock: times are passed in), so
 * the unit tests and the fuzz harness call them on the fixture bodies and
 * on anything at all. Responses are untrusted: a missing or mistyped field
 * is a decoding error or an unknown value, never a crash, and text from
 * them is cut to size and stripped of control characters before it goes
 * anywhere a person reads.
 *
 * Answers go through the same code as a local reply: an Atlas abuf is DNS
 * wire that ldns parses and answer_from_pkt() reduces; Globalping's
 * records are parsed by ldns into a packet that answer_from_pkt() reduces
 * the same way, so TTLs, canonical records and rcodes mean the same.
 */
#ifndef PW_VANTAGE_JSON_H
#define PW_VANTAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "vantage.h"

struct query;

/* One probe's part of one measurement. */
struct vantage_result {
	struct vantage_probe probe; /* who, as this measurement describes it */
	struct answer ans;          /* what it said (outcome, rcode, records, TTL, ...) */
};

void vantage_results_free(struct vantage_result *r, size_t n);

/* The error envelope of either network: Globalping {error: {type,
 * message}}, Atlas {error: {status, code, title, detail, errors[]}}. kind
 * gets the type (or title), msg the message (or detail, then each
 * errors[].detail). Returns 0, or PW_EMALFORMED when there is none. */
int vantage_decode_error(const char *body, size_t len, char *kind, size_t klen, char *msg,
                         size_t mlen);

/* Is this text, once an address, a private one (RFC 1918, CGNAT,
 * link-local, loopback, ULA), or the word "private"? */
bool vantage_private_resolver(const char *s);

/* ---- Globalping -------------------------------------------------------- */

/* Record types Globalping's DNS test can ask. */
bool gp_type_supported(int type);

/*
 * The POST body. locations: a JSON array text made by vantage_parse_from()
 * (NULL: anywhere); reuse_id: a measurement whose probes to ask again
 * (then locations and limit are not sent). Returns a malloc'd string or
 * NULL (out of memory).
 */
char *gp_request(const struct query *q, const char *locations, const char *reuse_id, long limit,
                 const char *resolver);

/* The 202 body: the measurement id (only [A-Za-z0-9], at most idlen-1
 * long) and how many probes run it (-1 unknown). */
int gp_decode_created(const char *body, size_t len, char *id, size_t idlen, long *probes, char *err,
                      size_t errlen);

/*
 * A GET /v1/measurements/{id} body. *done: the status is final (anything
 * but "in-progress"). Only when done are the results decoded, one per
 * test, in order, answers stamped `at` (monotonic: when the body came).
 */
int gp_decode_measurement(const char *body, size_t len, const struct query *q, double at,
                          bool *done, struct vantage_result **out, size_t *n, char *err,
                          size_t errlen);

/* ---- RIPE Atlas -------------------------------------------------------- */

/*
 * The POST body. sources: a JSON array text of probe sources made by
 * vantage_parse_from(), or NULL with probe_ids ("1001,1003") to ask those
 * probes again. Returns a malloc'd string or NULL.
 */
char *atlas_request(const struct query *q, const char *sources, const char *probe_ids,
                    long requested, const char *resolver, int family, bool dnssec);

/* The 201 body: {"measurements": [ID]}. */
int atlas_decode_created(const char *body, size_t len, long *id, char *err, size_t errlen);

/* A GET /api/v2/measurements/{id}/ body: status.name into name, and
 * probes_scheduled (-1 unknown). */
int atlas_decode_status(const char *body, size_t len, char *name, size_t nlen, long *scheduled,
                        char *err, size_t errlen);

/* Is an Atlas status name final? */
bool atlas_status_final(const char *name);

/*
 * A results body: one entry per probe and resolver asked (resultset
 * entries, or the top-level result of a measurement with a target).
 * Timestamps (Unix) become monotonic through mono_now and wall_now, never
 * later than mono_now nor earlier than wall_floor.
 */
int atlas_decode_results(const char *body, size_t len, const struct query *q, double mono_now,
                         double wall_now, double wall_floor, struct vantage_result **out, size_t *n,
                         char *err, size_t errlen);

/* A GET /api/v2/probes/{id}/ body: country_code and the ASN of family af
 * into p (fields it lacks are left as they are). */
int atlas_decode_probe(const char *body, size_t len, int af, struct vantage_probe *p);

/* A GET /api/v2/credits/ body: current_balance, -1 if absent. */
long atlas_decode_credits(const char *body, size_t len);

/*
 * An abuf (base64 DNS wire) into a: a reply to q's question (QR set, the
 * same name, type and class), reduced by answer_from_pkt(); otherwise
 * OUT_ERROR with the reason in a->detail. Returns 0 or PW_ENOMEM.
 */
int atlas_answer_from_abuf(const char *b64, const struct query *q, struct answer *a);

#endif
