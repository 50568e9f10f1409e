/*
 * gate.h -- the verdict: has the change propagated, by the user's threshold?
 *
 * The share counts only resolvers that gave a usable answer (NOERROR or
 * NXDOMAIN); failures are counted apart so a broken resolver cannot hold a
 * pipeline hostage, and --min-answers keeps a handful of answers from
 * passing for a verdict.
 */
#ifndef PW_GATE_H
#define PW_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"

/* Exit statuses, documented in README and --help. */
enum pw_exit {
	EXIT_PROPAGATED = 0,
	EXIT_NOT_PROPAGATED = 1,
	EXIT_USAGE = 2,
	EXIT_UNDECIDABLE = 3,
	EXIT_OUTPUT = 4, /* the verdict could not be written (stdout closed or full) */
	/* Interrupted by a signal: 128 + its number (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
};

struct threshold {
	bool percent; /* value is a share in per cent, else a count */
	double value; /* 100 by default */
};

struct summary {
	size_t total;           /* resolvers asked */
	size_t count[ST_COUNT]; /* resolvers per status */
	size_t usable;          /* NOERROR or NXDOMAIN answers */
	double share;           /* per cent of usable that are new, 0 when none */
	bool propagated;        /* the gate passes */
	int exit_code;          /* enum pw_exit */
	const char *verdict;    /* "propagated", "not propagated", "undecidable" */
	char why[320];          /* reason for undecidable, or what is missing */
};

/* Parse "100%", "95.5%", "40" into t. Returns 0 or a negative code. */
int threshold_parse(const char *s, struct threshold *t);

/* Decide from s->total and s->count[] (set by the caller): usable, share,
 * verdict. has_truth false makes the verdict undecidable. */
void gate_decide(struct summary *s, bool has_truth, const struct threshold *t, size_t min_answers);

/* How many of `usable` answers must be new to pass t. */
double gate_need(const struct threshold *t, size_t usable);

#endif
