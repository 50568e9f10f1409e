/*
 * rdtext.h -- a memo of records already turned into text.
 *
 * A sweep of 10,000 resolvers gets the same few records back 10,000
 * times, and ldns's presentation printer (a buffer, vsnprintf per field)
 * was the largest single cost of taking a reply. Each engine worker keeps
 * one memo: a record in canonical form, as bytes, maps to the text it
 * printed as, so it is printed once. The key is the record's canonical
 * wire bytes (owner included when it is shown), never its spelling alone,
 * so two records share a text only when they are the same record.
 *
 * Not thread-safe: one memo per thread.
 */
#ifndef PW_RDTEXT_H
#define PW_RDTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct ldns_struct_rr;
struct rdtext;

struct rdtext *rdtext_new(void);
void rdtext_free(struct rdtext *m);

/* A fresh copy of the text of canonical record rr (with its owner and
 * type when with_owner), from the memo or printed by `print` and kept;
 * NULL when out of memory. m may be NULL: then it is simply printed. */
char *rdtext_get(struct rdtext *m, const struct ldns_struct_rr *rr, bool with_owner,
                 char *(*print)(const struct ldns_struct_rr *rr, bool with_owner));

/* Lookups and hits so far (for the benchmark's report). */
void rdtext_counts(const struct rdtext *m, size_t *lookups, size_t *hits);

#endif
