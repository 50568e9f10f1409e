/*
 * compare.h -- what "new" is, and how each answer measures up to it.
 *
 * Answers compare in canonical form (answer.c), so record order, name case
 * and TTL never make a difference. Distinct usable answers are grouped into
 * variants with counts, most common first.
 */
#ifndef PW_COMPARE_H
#define PW_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"

enum expect_source {
	EXP_NONE = 0, /* no ground truth: no verdict possible */
	EXP_USER,     /* --expect */
	EXP_AUTH,     /* the zone's authoritative servers */
};

/* An authoritative server asked for ground truth. */
struct auth_server {
	char *name;          /* NS name it was found under, or the --auth text */
	char host[64];       /* address as text */
	unsigned short port; /* port */
	struct answer ans;   /* its answer to the question (RD=0) */
	struct answer soa;   /* its answer to SOA of the zone: the serial */
	bool usable;         /* answered NOERROR/NXDOMAIN with AA set */
	bool agrees;         /* its answer equals the chosen ground truth */
};

struct expected {
	enum expect_source source; /* where it came from */
	int rcode;                 /* NOERROR, NXDOMAIN, or -1: "none" (either negative answer) */
	char **records;            /* canonical sorted records; none for a negative answer */
	size_t nrecords;           /* length of records */
	char *key;                 /* records joined, as answer.key */
	long auth_ttl; /* TTL the zone serves (negative TTL for a negative answer), -1 unknown */
	char *zone;    /* the zone's apex, when found */
	struct auth_server *auth; /* servers asked, when source is EXP_AUTH */
	size_t nauth;             /* length of auth */
	bool disagree;            /* the authoritative servers do not all agree */
	char problem[256];        /* why there is no ground truth, or what is wrong with it */
};

struct variant {
	int rcode;            /* NOERROR or NXDOMAIN */
	const char *key;      /* points into the first answer with it */
	char *const *records; /* likewise */
	size_t nrecords;      /* length of records */
	size_t count;         /* resolvers giving it */
	bool is_new;          /* it is the expected answer */
};

/* Turn a usable status into new/stale against `e` (no-op for others). */
void compare_classify(struct answer *a, const struct expected *e);

/* Group usable answers into variants (sorted by count, new first on ties);
 * sets each answer's .variant. *out is malloc'd. Returns 0 or PW_ENOMEM. */
int compare_variants(struct answer *answers, size_t n, const struct expected *e,
                     struct variant **out, size_t *nout);

/* Parse --expect values for (name, type) into e. "none" means a deletion.
 * On error returns a negative code and names the bad value in err. */
int expected_from_args(struct expected *e, const char *name, int type, const char *const *args,
                       size_t nargs, char *err, size_t errlen);

void expected_free(struct expected *e);

#endif
