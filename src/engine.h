/*
 * engine.h -- the query engine: one question to many servers, fast.
 *
 * A pool of worker threads, each keeping its share of the queries in flight
 * at once on non-blocking UDP sockets (epoll), so a sweep costs about the
 * slowest answer or the timeout, not servers x timeout / threads. Truncated
 * replies are retried over TCP; ICMP errors end a query at once. Replies are
 * matched by source address and port, then checked by query_check_reply().
 */
#ifndef PW_ENGINE_H
#define PW_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

struct answer;
struct resolver;
struct engine;

struct engine_opts {
	int threads;    /* worker threads, >= 1 */
	double timeout; /* seconds to wait for each try */
	int retries;    /* extra UDP tries after a timeout (0-7) */
	double rate;    /* at most this many first tries per second; 0 = no pacing */
};

/* What happened on the wire during one engine_run(). */
struct engine_stats {
	unsigned long sent;                         /* queries sent (UDP + TCP) */
	unsigned long answered;                     /* replies believed */
	unsigned long dropped[REPLY_VERDICT_COUNT]; /* replies rejected, by reason */
	unsigned long stray;                        /* datagrams from no queried address */
	unsigned long tcp;                          /* TCP fallbacks after TC=1 */
	unsigned long icmp;                         /* ICMP errors matched to a query */
	double elapsed;                             /* wall seconds */
};

/* Called from a worker thread as soon as targets[idx]'s answer is final. */
typedef void (*engine_cb)(void *ctx, size_t idx, struct answer *a);

int engine_new(struct engine **e, const struct engine_opts *opts);
void engine_free(struct engine *e);

/*
 * Ask q of every targets[i] and fill out[i] (initialised here). Blocks until
 * every query has an outcome. cb may be NULL. stats may be NULL.
 * Returns 0, or a negative code if the sweep could not run at all.
 */
int engine_run(struct engine *e, const struct query *q, const struct resolver *const *targets,
               size_t n, struct answer *out, engine_cb cb, void *ctx, struct engine_stats *stats);

/* For shutdown, from any thread: the running engine_run() and every later
 * one return at once (within 100 ms), queries without an outcome ending as
 * ST_ERROR "cancelled". Sticky, so a sweep about to start is caught too. */
void engine_cancel(struct engine *e);

/* CLOCK_MONOTONIC in nanoseconds: the engine's clock, for callers too. */
uint64_t mono_ns(void);

/* Sum of all dropped[] counters. */
unsigned long engine_stats_dropped(const struct engine_stats *s);

#endif
