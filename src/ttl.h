/*
 * ttl.h -- time: per-resolver TTL tracking, ETAs, anomalies, scheduling.
 *
 * Propagation is a matter of TTLs: a cache serving the old answer keeps it
 * until the TTL it reported runs out. Each observation of a resolver updates
 * its ttl_track; from two or more we tell when it will flip (ETA) and which
 * rules it bends (clamps, no countdown, serve-stale, refetch from a lagging
 * upstream). Times are monotonic seconds (clock_mono()).
 */
#ifndef PW_TTL_H
#define PW_TTL_H

#include <stdbool.h>
#include <stddef.h>

struct answer;

/* Anomalies, as bits of ttl_track.anomalies. */
#define ANOM_TTL_ABOVE_AUTH 0x01u /* TTL above the zone's: a minimum clamp or rewrite */
#define ANOM_TTL_CAPPED     0x02u /* refetched TTL well below the zone's: a maximum clamp */
#define ANOM_NO_COUNTDOWN   0x04u /* TTL did not decrease between queries */
#define ANOM_SERVE_STALE    0x08u /* old answer served after its TTL ran out */
#define ANOM_TTL_RESET      0x10u /* old answer refetched: an upstream still serves it */
#define ANOM_COUNT          5

struct ttl_track {
	bool seen;          /* at least one usable answer observed */
	double at;          /* when the last usable answer was observed */
	long ttl;           /* its TTL (or negative TTL), -1 if none */
	char *key;          /* its records (answer key) and rcode, to spot changes */
	bool positive;      /* it had records (not a negative answer) */
	int rcode;          /* its rcode */
	double expires;     /* at + ttl: when the cached answer should go */
	bool is_new;        /* the last answer was the expected one */
	double flipped_at;  /* when it was first seen new, -1 before */
	double predicted;   /* the ETA predicted for the flip (absolute), -1 none */
	long ttl_min_seen;  /* smallest TTL seen for this answer (spread) */
	long ttl_max_seen;  /* largest TTL seen for this answer (spread) */
	unsigned anomalies; /* ANOM_* bits, sticky */
	bool jumped;        /* the old answer came back with a fresh TTL after expiry;
	                        the next observation tells refetch from serve-stale */
};

void ttl_track_init(struct ttl_track *t);
void ttl_track_free(struct ttl_track *t);

/* Record an answer observed at `now`. auth_ttl is the zone's TTL for the
 * expected answer (-1 unknown); is_new says whether it is the expected one. */
void ttl_observe(struct ttl_track *t, const struct answer *a, bool is_new, long auth_ttl,
                 double now);

/* The ground truth changed: the tracked answer is (not) the new one now.
 * Flip and prediction times start over against the new truth. */
void ttl_rejudge(struct ttl_track *t, bool is_new, double now);

/* Seconds from `now` until a resolver serving a not-new answer should drop
 * it; 0 if overdue, -1 if unknown (no usable answer, or already new). */
double ttl_eta(const struct ttl_track *t, double now);

/* Anomaly names, comma-separated ("ttl-above-auth,serve-stale"), "" if none. */
const char *ttl_anomaly_str(unsigned mask, char *buf, size_t len);
/* The name of one anomaly bit index (0..ANOM_COUNT-1). */
const char *ttl_anomaly_name(int bit);

/* When to ask this resolver next: just after its cached answer should
 * expire when it serves an old one, else `interval` after the last ask;
 * never sooner than min_gap after the last ask. */
double ttl_next_due(const struct ttl_track *t, double last_ask, double interval, double min_gap);

/* Slack after the predicted expiry before re-asking: clocks and rounding of
 * TTLs to whole seconds make an earlier query see the old answer again. */
#define TTL_REQUERY_SLACK 0.5

#endif
