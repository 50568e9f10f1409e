/*
 * tracker_int.h -- what the tracker's files share among themselves
 * (tracker.c, tracker_truth.c, tracker_sched.c, tracker_fleet.c).
 */
#ifndef PW_TRACKER_INT_H
#define PW_TRACKER_INT_H

#include "tracker.h"

/* The ground truth before there is any: nothing is new or stale. */
extern const struct expected tracker_no_truth;

/* Row i's status is now s (derived at `at`): count it, remember a change. */
void tracker_set_status(struct tracker *t, size_t i, enum pw_status s, double at);
/* Add a timeline point for the counts now. */
void tracker_sample(struct tracker *t, double now);

#endif
