/*
 * spf.h -- SPF records (RFC 7208): the parser, and the counter of DNS
 * lookups through include and redirect.
 *
 * The parser checks a record's syntax term by term (section 12's ABNF:
 * mechanisms, qualifiers, modifiers, domain-specs with macros, networks
 * and CIDR lengths) and keeps the terms. The counter walks a record and
 * every record it includes or redirects to, counting the terms that make
 * a receiver query the DNS (the limit is 10, 4.6.4) and the lookups that
 * find nothing ("void", limit 2), and reports what it met on the way:
 * loops, targets without an SPF record, syntax errors further down. It
 * asks its questions through a callback, so that unit tests can run it
 * over a table in memory; what it is told is untrusted, and the walk is
 * bounded however the records are written.
 */
#ifndef PW_SPF_H
#define PW_SPF_H

#include <stdbool.h>
#include <stddef.h>

enum spf_mech {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
	SPF_REDIRECT, /* modifiers from here on */
	SPF_EXP,
	SPF_MODIFIER, /* an unknown modifier, name=value: ignored by receivers */
	SPF_MECH_COUNT
};

struct spf_term {
	enum spf_mech mech;
	char qualifier; /* '+', '-', '~' or '?' ('+' when none is written); 0 for modifiers */
	char *arg;      /* domain-spec, network, or modifier value; NULL if none */
	char *name;     /* an unknown modifier's name, else NULL */
	int cidr4;      /* /N after a, mx or ip4; -1 if none */
	int cidr6;      /* //N after a or mx, /N after ip6; -1 if none */
};

struct spf_record {
	struct spf_term *terms; /* in the order written */
	size_t n;               /* how many */
};

/* Is text an SPF record: "v=spf1" (any case) alone or before a space? */
bool spf_is_record(const char *text);

/* Parse text (an SPF record, joined TXT strings). Returns 0, PW_EINVAL
 * with what is wrong in err, or PW_ENOMEM. r is always safe to free. */
int spf_parse(const char *text, struct spf_record *r, char *err, size_t errlen);
void spf_free(struct spf_record *r);

/* The term's mechanism or modifier name ("include", "redirect"). */
const char *spf_mech_name(enum spf_mech m);
/* Does the term make a receiver query the DNS (4.6.4)? */
bool spf_term_queries(const struct spf_term *t);
/* The first term of mechanism m, or NULL. */
const struct spf_term *spf_find(const struct spf_record *r, enum spf_mech m);

/* ---- counting lookups --------------------------------------------------- */

/* One answer as the counter reads it. */
struct spf_rr {
	int rcode;            /* 0 NOERROR, 3 NXDOMAIN, -1 no usable answer */
	char *const *records; /* canonical records (answer.h): TXT in presentation form */
	size_t n;             /* how many */
};
/* Look up (name, type); out's pointers must stay valid until spf_count()
 * returns. Returns 0, or a negative code that ends the count. */
typedef int (*spf_resolve_fn)(void *ctx, const char *name, int type, struct spf_rr *out);

enum spf_problem_kind {
	SPF_P_SYNTAX,   /* an included or redirected record does not parse */
	SPF_P_MULTIPLE, /* ... or is one of several SPF records */
	SPF_P_MISSING,  /* an include or redirect target has no SPF record */
	SPF_P_LOOP,     /* an include or redirect leads back to a record on the way (detail: it) */
	SPF_P_PTR,      /* ptr is used (discouraged, 5.5) */
	SPF_P_UNRESOLVED, /* a lookup got no usable answer: the count is a lower bound */
};

#define SPF_MAX_PROBLEMS 16

struct spf_problem {
	enum spf_problem_kind kind;
	char name[256];   /* the record (domain) it concerns */
	char detail[256]; /* what, for the message */
};

struct spf_count {
	unsigned lookups;                              /* DNS-querying terms, recursively */
	unsigned voids;                                /* lookups that found nothing */
	char void_names[256];                          /* the first of them, ", " between */
	struct spf_problem problems[SPF_MAX_PROBLEMS]; /* what was met, in order */
	size_t nproblems;                              /* how many kept */
	bool truncated; /* the walk stopped at its bounds: more lookups may follow */
};

/* Walk top (the record of domain, already parsed) and what it includes
 * and redirects to. Returns 0 or the callback's negative code. */
int spf_count(const char *domain, const struct spf_record *top, spf_resolve_fn fn, void *ctx,
              struct spf_count *c);

#endif
