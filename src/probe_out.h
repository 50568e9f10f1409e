/*
 * probe_out.h -- the views of `propwatch compare`: a table and groups for
 * people, JSON and CSV for programs. They print the verdicts of
 * probe_verdict.c and derive nothing.
 */
#ifndef PW_PROBE_OUT_H
#define PW_PROBE_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct behaviour;
struct probe_set;
struct session;

struct compare_view {
	const struct session *s;    /* the question and the resolvers */
	const struct probe_set *ps; /* the probes (names, counts) */
	const struct behaviour *b;  /* one per resolver */
	bool nx_confirmed;          /* the authoritative servers confirmed NXDOMAIN */
	double elapsed;             /* seconds the probes took */
	bool interrupted;           /* a signal cut them short */
};

/* Each returns 0, or PW_EIO when the output could not be written. */
int probe_out_text(FILE *f, const struct compare_view *v, bool color);
int probe_out_json(FILE *f, const struct compare_view *v);
int probe_out_csv(FILE *f, const struct compare_view *v);

#endif
