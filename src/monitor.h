/*
 * monitor.h -- the dashboard's model, and the scheduler thread that fills it.
 *
 * The scheduler thread owns the engine (engine_run() is not re-entrant). It
 * asks each resolver when ttl_next_due() says -- just after a stale cache's
 * TTL runs out, the others every --interval, never one resolver twice within
 * --min-interval -- and looks at the ground truth again every --interval.
 * The engine's workers post each final answer into the model under the
 * lock, as it comes; every change bumps the model's version and writes to
 * an eventfd, so the UI thread, polling that fd beside the terminal, wakes,
 * copies the model into a snapshot and draws from the copy, never holding
 * the lock while it draws. Nothing here knows about curses.
 */
#ifndef PW_MONITOR_H
#define PW_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "answer.h"
#include "compare.h"
#include "ttl.h"

struct monitor;
struct session;

/* Status changes kept per resolver for the detail pane. */
#define MON_HISTORY 16

/* One status change of one resolver. */
struct mon_change {
	double at;           /* monotonic seconds of the answer that showed it */
	enum pw_status from; /* status before (ST_PENDING for the first answer) */
	enum pw_status to;   /* status after */
	long ttl;            /* TTL of that answer: how long it stays cached, -1 none */
};

/* What the monitor knows of one resolver besides its answer and TTL track. */
struct mon_rowinfo {
	double last_ask;                     /* when it was last asked (monotonic), -1 never */
	double next_due;                     /* when the scheduler will ask it next */
	double changed_at;                   /* when its status last changed, -1 never */
	bool busy;                           /* a query to it is in flight */
	unsigned asked;                      /* times it was asked */
	struct mon_change hist[MON_HISTORY]; /* its latest status changes, oldest first */
	size_t nhist;                        /* entries used in hist */
	size_t nchanges;                     /* changes in all; hist keeps the latest */
};

/* One point of the timeline of the propagated share. */
struct mon_sample {
	double at;     /* monotonic seconds */
	double share;  /* per cent of the usable answers that were new */
	size_t fresh;  /* new answers then */
	size_t usable; /* usable answers then */
};

/* A consistent copy of the model, owned by the UI thread. */
struct mon_snapshot {
	unsigned long version;    /* model version copied: same version, same data */
	size_t n;                 /* resolvers, in list order */
	struct answer *answers;   /* n deep copies, classified; report_build() may rewrite them */
	struct ttl_track *tracks; /* n copies for ttl_eta(); their key is NULL */
	struct mon_rowinfo *info; /* n */
	struct expected truth;    /* deep copy of the ground truth in force */
	double truth_at;          /* when it was fetched (monotonic), -1 never */
	unsigned truth_changes;   /* times "new" changed during the session */
	char note[320];           /* a problem worth a line on screen, "" if none */
	struct mon_sample *timeline; /* the share over time, oldest first */
	size_t ntimeline;            /* points in timeline */
	unsigned rounds;             /* query rounds finished */
	unsigned long asked;         /* queries in all (one per resolver asked) */
	double start;                /* when monitoring began (monotonic seconds) */
	time_t start_wall;           /* the wall clock then, to print times of day */
	/* The rest is refreshed on every snapshot, even when version is unchanged. */
	double next_query;   /* when a resolver is next due, INFINITY if none */
	bool paused;         /* scheduling is paused by the user */
	bool querying;       /* a round of queries is in flight */
	bool fetching_truth; /* the authoritative servers are being asked */
};

/* Start the scheduler for session s (which must outlive the monitor) and
 * begin with ground truth and a query of every resolver. Returns 0 or a
 * negative PW_E* code. */
int monitor_start(struct monitor **m, struct session *s);
/* Join the scheduler and free everything. A round in flight is finished
 * first: the engine cannot abandon one (at most timeout x tries). */
void monitor_stop(struct monitor *m);

/* Readable whenever the model changed; monitor_ack() empties it. */
int monitor_fd(const struct monitor *m);
void monitor_ack(struct monitor *m);

/* Ask every resolver (and the authoritative servers) now, except those
 * asked within --min-interval, which follow as soon as it allows. While
 * paused, this is one round, and the pause goes on after it. */
void monitor_query_now(struct monitor *m);
/* Stop or resume asking; answers in flight still arrive. */
void monitor_pause(struct monitor *m, bool paused);

/* Bring snap up to date (initialise it zeroed). Returns 1 when new data
 * was copied, 0 when only the live fields changed, or PW_ENOMEM. */
int monitor_snapshot(struct monitor *m, struct mon_snapshot *snap);
void mon_snapshot_free(struct mon_snapshot *snap);

/* Deep copies; return 0 or PW_ENOMEM (dst is then cleared and may be freed). */
int mon_answer_copy(struct answer *dst, const struct answer *src);
int mon_expected_copy(struct expected *dst, const struct expected *src);

/* The SOA serial of the newest authoritative answer, false if unknown. */
bool mon_truth_serial(const struct expected *e, uint32_t *serial);

#endif
