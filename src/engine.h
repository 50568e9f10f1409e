/*
 * engine.h -- the query engine: many questions to many servers, fast.
 *
 * A pool of worker threads, each keeping its share of a sweep's queries in
 * flight at once on non-blocking sockets (epoll), so a sweep costs about
 * the slowest answer or the timeout, not servers x timeout / threads.
 * Truncated replies are retried over TCP; ICMP errors end a query at once.
 *
 * Forgery resistance, as trusted resolvers do it: queries are spread over
 * many short-lived sockets (a new source port for every couple of queries),
 * a reply counts only on the socket its query left from and only from the
 * address asked, and it must echo the try's random ID and its random 0x20
 * spelling of the name (query.h). A server that does not echo the case is
 * asked again at once in lower case and its answer marked case_fallback.
 *
 * The engine records what happened (struct answer) and classifies nothing.
 */
#ifndef PW_ENGINE_H
#define PW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"

struct answer;
struct resolver;
struct engine;

struct engine_opts {
	int threads;        /* worker threads, >= 1 */
	double timeout;     /* seconds to wait for each try */
	int retries;        /* extra UDP tries after a timeout (0-7) */
	double rate;        /* at most this many first tries per second; 0 = no pacing */
	bool loopback_only; /* refuse every address outside 127/8 and ::1 */
};

/* One query of a sweep. */
struct engine_job {
	const struct resolver *r; /* whom to ask */
	const struct query *q;    /* what */
	unsigned flags;           /* JOB_* */
	double delay;             /* seconds after the sweep starts, at the earliest; jobs
	                             with a delay come after the others, in its order */
};

#define JOB_TCP      0x1u /* ask over TCP only */
#define JOB_NO_0X20  0x2u /* the server is known not to echo 0x20 case: lower case */
#define JOB_NO_RETRY 0x4u /* one try only (a latency sample: loss is the point) */

/* What happened on the wire during one engine_run(). */
struct engine_stats {
	unsigned long sent;                         /* queries sent (UDP + TCP) */
	unsigned long answered;                     /* replies believed */
	unsigned long dropped[REPLY_VERDICT_COUNT]; /* replies rejected, by reason */
	unsigned long stray;          /* datagrams from no address asked on that socket */
	unsigned long tcp;            /* TCP exchanges (fallbacks and TCP jobs) */
	unsigned long icmp;           /* ICMP errors matched to a query */
	unsigned long ports;          /* UDP sockets opened: distinct source ports */
	unsigned long case_fallbacks; /* servers asked again without 0x20 */
	double elapsed;               /* wall seconds */
};

/* Called from a worker thread as soon as jobs[idx]'s answer is final. */
typedef void (*engine_cb)(void *ctx, size_t idx, struct answer *a);

int engine_new(struct engine **e, const struct engine_opts *opts);
void engine_free(struct engine *e);

/*
 * Run every job and fill out[i] (initialised here) for jobs[i]. Blocks
 * until every query has an outcome. cb may be NULL. stats may be NULL.
 * out may be NULL when cb is not: each answer is then made in the worker
 * and handed to cb, which takes it (moves its contents) or leaves it to
 * be freed; 60,000 answers need not wait side by side.
 * Returns 0, or a negative code if the sweep could not run at all.
 */
int engine_run(struct engine *e, const struct engine_job *jobs, size_t n, struct answer *out,
               engine_cb cb, void *ctx, struct engine_stats *stats);

/* The common sweep: one question to every targets[i], with job flags
 * flags[i] (flags may be NULL). */
int engine_ask(struct engine *e, const struct query *q, const struct resolver *const *targets,
               const unsigned *flags, size_t n, struct answer *out, engine_cb cb, void *ctx,
               struct engine_stats *stats);

/* For shutdown, from any thread: the running engine_run() and every later
 * one return at once (within 100 ms), queries without an outcome ending as
 * OUT_ERROR "cancelled". Sticky, so a sweep about to start is caught too. */
void engine_cancel(struct engine *e);

/* Add b's counters to a (elapsed too). */
void engine_stats_add(struct engine_stats *a, const struct engine_stats *b);

#endif
