/*
 * tracker.h -- the model every mode runs on: what each resolver said, what
 * it means, and when to ask again.
 *
 * The tracker owns one row per resolver (its latest raw answer, TTL track,
 * last-asked and next-due times, status history) and the ground truth with
 * its one refresh policy and the cache of servers found by NS discovery.
 * It is the one place that derives meaning: status (compare_status), the
 * effective TTL, the ETA, the status group, variants, the verdict and the
 * fleet ETA. Views (text, JSON, CSV, the dashboard) read those values
 * through the accessors below and recompute nothing.
 *
 * Modes are loops over it (pipeline.h): `check` runs the steps in its own
 * thread; `watch` runs them in the monitor's thread, under a lock, and its
 * UI reads a copy (tracker_copy). The tracker itself does no I/O and no
 * locking; its time is whatever the caller passes (clock.h), so tests run
 * it in virtual time.
 */
#ifndef PW_TRACKER_H
#define PW_TRACKER_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "compare.h"
#include "gate.h"
#include "ttl.h"

struct query;
struct reslist;

/* Status groups: what the dashboard's 1-5 keys toggle and its colours mean. */
enum pw_group { GRP_NEW, GRP_STALE, GRP_NEGATIVE, GRP_FAILING, GRP_PENDING, PW_NGROUPS };

/* Status changes kept per resolver (a ring: the latest ones). */
#define TRACK_HISTORY 16
/* Points of the share-over-time timeline (a ring: the latest ones). */
#define TRACK_TIMELINE 1024

/* One status change of one resolver. */
struct track_change {
	double at;           /* monotonic seconds of the answer that showed it */
	enum pw_status from; /* status before (ST_PENDING for the first answer) */
	enum pw_status to;   /* status after */
	long ttl;            /* cache TTL of that answer, -1 none */
};

/* One point of the propagated share over time. */
struct track_sample {
	double at;     /* monotonic seconds */
	double share;  /* per cent of the usable answers that were new */
	size_t fresh;  /* new answers then */
	size_t usable; /* usable answers then */
};

struct tracker_cfg {
	const struct query *q;              /* the question */
	const struct reslist *list;         /* the resolvers, one row each, in order */
	struct threshold threshold;         /* --threshold */
	size_t min_answers;                 /* --min-answers */
	double interval;                    /* --interval: re-ask a resolver, and the truth */
	double min_gap;                     /* --min-interval: never ask one resolver sooner */
	const struct expected *user_expect; /* --expect: fixed truth, never refreshed; or NULL */
	const struct auth_server *auth;     /* --auth servers, or NULL: discover */
	size_t nauth;                       /* how many */
};

struct track_row {
	struct answer ans;         /* latest raw answer */
	enum pw_status status;     /* derived from ans and the truth */
	int variant;               /* index into the variants, -1 none */
	struct ttl_track track;    /* TTL history */
	double last_ask;           /* when last asked, -1 never */
	double next_due;           /* when to ask next */
	double changed_at;         /* when the status last changed, -1 never */
	bool busy;                 /* a query is in flight */
	bool no_0x20;              /* it does not echo 0x20 case */
	unsigned asked;            /* times asked */
	struct track_change *hist; /* ring of status changes (heap: most rows
	                                            change once or twice, so it grows) */
	unsigned hist_cap;         /* its room, up to TRACK_HISTORY */
	size_t nchanges;           /* changes in all; the ring has the latest */
	unsigned long version;     /* tracker version when this row last changed */
};

struct tracker {
	struct tracker_cfg cfg;
	size_t n;               /* rows */
	struct track_row *rows; /* one per resolver */
	size_t count[ST_COUNT]; /* rows per status */
	size_t nbusy;           /* rows with a query in flight */

	/* The ground truth and its policy (tracker_truth.c). */
	struct expected truth;        /* in force */
	bool have_truth;              /* a fetch has been installed (or --expect) */
	double truth_at;              /* when it was fetched, -1 never */
	double truth_due;             /* when to fetch it again (INFINITY: never) */
	unsigned truth_fetches;       /* looks so far */
	unsigned truth_changes;       /* times "new" changed after the first look */
	double first_usable_at;       /* when the first usable answer came, -1 none yet */
	struct auth_server *ns_cache; /* servers found by the last discovery (name, addr) */
	size_t nns_cache;             /* how many; 0: discover next time */
	bool truth_busy;              /* a fetch is under way */
	char note[320];               /* a problem worth a line, "" if none */

	/* The fleet, derived by tracker_evaluate() (tracker_fleet.c). */
	unsigned long eval_version; /* version evaluated, 0 never */
	struct summary sum;         /* counts and verdict */
	struct variant *variants;   /* distinct usable answers, most common first */
	size_t nvariants;           /* length of variants */
	double eta_latest;          /* when the last old answer expires (mono), -1 none */
	size_t eta_unknown;         /* rows holding an old answer of unknown TTL */

	struct track_sample *timeline; /* ring of share points */
	size_t ntimeline;              /* points in all; the ring has the latest */

	unsigned rounds;              /* query rounds finished */
	unsigned long asked;          /* queries in all (one per resolver asked) */
	unsigned long dropped, stray; /* invalid replies rejected, datagrams from nobody asked */
	unsigned long ports;          /* source ports used */
	double start;                 /* when tracking began (mono) */
	unsigned long version;        /* bumped on every change a view would show */
};

/* Returns 0 or PW_ENOMEM (t is then freed). */
int tracker_init(struct tracker *t, const struct tracker_cfg *cfg, double now);
void tracker_free(struct tracker *t);

/* ---- feeding it ----------------------------------------------------- */

/* Resolver i is being asked now. */
void tracker_asked(struct tracker *t, size_t i, double now);
/* Take resolver i's final answer (moved out of *a, which is re-inited):
 * derive its status, feed its TTL track, schedule it. */
void tracker_post(struct tracker *t, size_t i, struct answer *a, double now);
/* A round of queries ended; counters from the wire. */
void tracker_round_done(struct tracker *t, unsigned long dropped, unsigned long stray,
                        unsigned long ports);

/* ---- the ground truth (tracker_truth.c) ------------------------------ */

/* Resolvers asked to find the zone's servers: a few answers suffice. */
#define TRACK_TRUTH_VIA 8
/* ... or whatever answered this long after the first usable answer. */
#define TRACK_TRUTH_GRACE 0.3

/* Is a look at the ground truth due at `now`? */
bool tracker_truth_due(const struct tracker *t, double now);
/* Due, and can it start? The first look waits until TRACK_TRUTH_VIA
 * resolvers (or all, if fewer) answered, TRACK_TRUTH_GRACE has passed
 * since the first usable answer, or the first round ended, so that
 * discovery goes through resolvers known to answer. When it is due but
 * not ready, *wait_until (if not NULL) gets when it will be, INFINITY
 * if only an answer can make it so. */
bool tracker_truth_ready(const struct tracker *t, double now, double *wait_until);
/* The servers to ask: --auth, or those the last discovery found; NULL
 * (and 0) when it is time to discover them again. */
const struct auth_server *tracker_truth_servers(const struct tracker *t, size_t *n);
/* A fresh look (taken over from *fresh): put it in force, or keep the old
 * one when the look failed; when "new" changed, re-derive every row. */
void tracker_truth_install(struct tracker *t, struct expected *fresh, double now);

/* ---- scheduling (tracker_sched.c) ------------------------------------ */

enum track_step {
	STEP_TRUTH, /* look at the ground truth now */
	STEP_ASK,   /* ask the resolvers put in due[] */
	STEP_IDLE,  /* nothing to do before *until */
};
/* What to do at `now`. For STEP_ASK, due[0..*ndue) gets the rows (due
 * must hold t->n). For STEP_IDLE, *until is when something falls due
 * (INFINITY if nothing ever will). The first step is asking everyone.
 * with_truth: the caller also takes the truth steps (check); the monitor
 * looks at the truth in a thread of its own, beside the rounds. */
enum track_step tracker_next(const struct tracker *t, double now, bool with_truth, size_t *due,
                             size_t *ndue, double *until);
/* Ask everyone (and look at the truth) as soon as --min-interval allows. */
void tracker_kick(struct tracker *t, double now);

/* ---- the fleet (tracker_fleet.c) ------------------------------------- */

/* Derive variants, verdict and fleet ETA, if anything changed since the
 * last call. Returns 0 or PW_ENOMEM. */
int tracker_evaluate(struct tracker *t);
/* With --wait: can the gate still pass by `deadline`? If not, says why in
 * note (which has len bytes). */
bool tracker_hopeless(const struct tracker *t, double now, double deadline, char *note, size_t len);

/* ---- reading it: every view goes through these ------------------------ */

const struct answer *tracker_answer(const struct tracker *t, size_t i);
enum pw_status tracker_status(const struct tracker *t, size_t i);
/* The anycast site that gave resolver i's latest reply: its NSID (RFC
 * 5001, asked with every query), or NULL when it sent none. */
const char *tracker_site(const struct tracker *t, size_t i);
enum pw_group tracker_group(const struct tracker *t, size_t i);
int tracker_variant(const struct tracker *t, size_t i);
/* Seconds its cached answer has left at `now` (counting down from the
 * reply), -1 if there is none. */
double tracker_ttl_left(const struct tracker *t, size_t i, double now);
/* Seconds until its cache should drop the old answer it last served
 * (whatever its latest query gave: a timeout does not empty a cache);
 * 0 overdue, -1 unknown or already new. */
double tracker_eta(const struct tracker *t, size_t i, double now);
unsigned tracker_anomalies(const struct tracker *t, size_t i);
const struct ttl_track *tracker_track(const struct tracker *t, size_t i);
const struct track_row *tracker_row(const struct tracker *t, size_t i);
/* The i-th latest status change of row r (0 = latest), or NULL. */
const struct track_change *tracker_change(const struct track_row *r, size_t back);

const struct expected *tracker_truth(const struct tracker *t);
/* Queries in flight, and whether the zone's servers are being asked. */
size_t tracker_busy(const struct tracker *t);
bool tracker_truth_busy(const struct tracker *t);
const struct summary *tracker_summary(const struct tracker *t);
const struct variant *tracker_variants(const struct tracker *t, size_t *n);
/* Seconds until every old answer seen has expired, -1 if none is known. */
double tracker_fleet_eta(const struct tracker *t, double now);
size_t tracker_eta_unknown(const struct tracker *t);

/* The rows of one country (the resolver list's, or a probe's). */
struct country_share {
	char country[3]; /* ISO 3166-1 alpha-2, "ZZ" unknown */
	size_t rows;     /* rows in it */
	size_t fresh;    /* of them serving the new answer */
	size_t usable;   /* of them with a usable answer */
	double share;    /* per cent of usable that are new, 0 when none */
};
/* The rows by country, in alphabetical order: the first max into out;
 * returns how many countries there are in all. */
size_t tracker_countries(const struct tracker *t, struct country_share *out, size_t max);
/* The i-th oldest timeline point of the ring, i < tracker_timeline_len(). */
size_t tracker_timeline_len(const struct tracker *t);
const struct track_sample *tracker_timeline(const struct tracker *t, size_t i);

const char *group_name(enum pw_group g);
enum pw_group status_group(enum pw_status s);

/* ---- copies for another thread (the dashboard) ------------------------ */

/* Bring dst (zeroed, or an earlier copy of src) up to date with src,
 * copying only the rows that changed since. Returns 1 if anything was
 * copied, 0 if dst was current, or PW_ENOMEM (dst is then freed). */
int tracker_copy(struct tracker *dst, const struct tracker *src);

#endif
