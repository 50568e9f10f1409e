/*
 * tracker_sched.c -- who is due, and what to do next.
 *
 * A resolver serving the old answer is asked again just after its cached
 * TTL should run out (ttl_next_due), the others every --interval, never
 * one resolver twice within --min-interval. The ground truth has its own
 * due time (tracker_truth.c). Both modes take their steps from here.
 */
#include <math.h>

#include "tracker.h"

/* Due within this much of `now` counts as due: one round, not several. */
#define DUE_SLACK 0.01

enum track_step tracker_next(const struct tracker *t, double now, bool with_truth, size_t *due,
                             size_t *ndue, double *until)
{
	size_t k = 0;
	double next = INFINITY;

	*ndue = 0;
	*until = INFINITY;
	if (with_truth && tracker_truth_ready(t, now, NULL))
		return STEP_TRUTH;
	if (with_truth && t->rounds > 0 && !t->truth_busy && t->truth_due < next)
		next = t->truth_due;
	for (size_t i = 0; i < t->n; i++) {
		const struct track_row *r = &t->rows[i];
		if (r->busy)
			continue;
		if (r->next_due <= now + DUE_SLACK)
			due[k++] = i;
		else if (r->next_due < next)
			next = r->next_due;
	}
	if (k > 0) {
		*ndue = k;
		return STEP_ASK;
	}
	*until = next;
	return STEP_IDLE;
}

void tracker_kick(struct tracker *t, double now)
{
	for (size_t i = 0; i < t->n; i++) {
		struct track_row *r = &t->rows[i];
		double earliest = r->last_ask < 0 ? now : r->last_ask + t->cfg.min_gap;
		r->next_due = earliest > now ? earliest : now;
	}
	if (t->cfg.user_expect == NULL && t->truth_due > now)
		t->truth_due = now;
	t->version++;
}
