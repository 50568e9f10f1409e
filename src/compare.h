/*
 * compare.h -- what "new" is, and how each answer measures up to it.
 *
 * Answers compare in canonical form (answer.c), so record order, name case
 * and TTL never make a difference. compare_status() is the one place an
 * answer's status is derived from what the engine recorded; the tracker
 * calls it once per answer (and again only when the ground truth changes).
 */
#ifndef PW_COMPARE_H
#define PW_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "reslist.h"

enum expect_source {
	EXP_NONE = 0, /* no ground truth: no verdict possible */
	EXP_USER,     /* --expect */
	EXP_AUTH,     /* the zone's authoritative servers */
};

/* An authoritative server asked for ground truth. */
struct auth_server {
	char *name;           /* NS name it was found under, or "--auth" */
	struct resolver addr; /* where it was asked (operator_name and label NULL) */
	struct answer ans;    /* its answer to the question (RD=0) */
	struct answer soa;    /* its answer to SOA of the zone: the serial */
	bool usable;          /* answered NOERROR/NXDOMAIN with AA set */
	bool agrees;          /* its answer equals the chosen ground truth */
	const char *state;    /* ok, disagrees, not-authoritative, timeout, servfail, ... */
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

/* The status of answer a against the ground truth e: new, stale, a
 * negative answer, or the failure the engine recorded. Without ground
 * truth a positive answer is "stale" (views say "answer"). */
enum pw_status compare_status(const struct answer *a, const struct expected *e);

/* Is a the expected answer? (false without ground truth) */
bool compare_is_new(const struct answer *a, const struct expected *e);
/* The same for an answer known only by rcode, key and whether it had
 * records (what a TTL track keeps). */
bool compare_key_is_new(int rcode, const char *key, bool positive, const struct expected *e);

/* Parse --expect values for (name, type) into e. "none" means a deletion.
 * On error returns a negative code and names the bad value in err. */
int expected_from_args(struct expected *e, const char *name, int type, const char *const *args,
                       size_t nargs, char *err, size_t errlen);

void expected_free(struct expected *e);
/* A deep copy; returns 0 or PW_ENOMEM (dst is then freed). */
int expected_copy(struct expected *dst, const struct expected *src);
/* Would answers be classified differently under b than under a? */
bool expected_differs(const struct expected *a, const struct expected *b);
/* The SOA serial of the newest usable authoritative answer; false if none. */
bool expected_serial(const struct expected *e, uint32_t *serial);

#endif
