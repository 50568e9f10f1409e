/*
 * report.h -- one sweep's outcome, as every view reads it.
 *
 * The check loop (check.c) and the dashboard's monitor fill a report; the
 * views (out_text.c, out_json.c, out_csv.c, ui/) only read it.
 */
#ifndef PW_REPORT_H
#define PW_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "answer.h"
#include "compare.h"
#include "engine.h"
#include "gate.h"

struct query;
struct reslist;
struct ttl_track;

struct report {
	const struct query *q;      /* the question */
	const struct reslist *list; /* resolvers, in the order of answers */
	struct answer *answers;     /* one per resolver */
	const struct expected *exp; /* what counts as new */
	struct variant *variants;   /* distinct usable answers, most common first */
	size_t nvariants;           /* length of variants */
	struct summary sum;         /* counts and verdict */
	struct engine_stats stats;  /* wire counters of the last sweep */
	unsigned sweeps;            /* sweeps so far */
	double elapsed;             /* seconds since the first sweep began */
	time_t when;                /* wall-clock time of the last sweep */
	double wall;      /* the same moment as `now`, Unix seconds: what ETAs count from */
	const char *note; /* why --wait stopped early, or NULL */
	const struct ttl_track *tracks; /* TTL history per resolver, NULL if none */
	double now;                     /* monotonic seconds the report speaks of (ETAs) */
	double eta_max;                 /* latest ETA among not-new answers, -1 if none known */
	size_t eta_unknown;             /* not-new usable answers without an ETA */
};

/* Classify answers against exp, build variants, decide, and (with tracks)
 * find the latest ETA. */
int report_build(struct report *r, const struct threshold *t, size_t min_answers);
/* Only the latest ETA, from tracks as they are now (report_build does it too). */
void report_eta(struct report *r);
void report_free_variants(struct report *r);

#endif
