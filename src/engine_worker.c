/*
 * engine_worker.c -- one worker's event loop over the parts of a sweep it
 * claims.
 *
 * Workers claim the sweep's jobs a chunk at a time, each when it has sent
 * all it had: a worker that shares its core with a busy server (every
 * server on loopback) claims less, and all first tries are out sooner
 * than with a fixed share each, which is when a sweep of silent servers
 * can end. Every query claimed is a slot. First tries go out as fast as the
 * sockets (or --rate) allow, interleaved with reading replies so receive
 * buffers never fill. Deadlines are kept in a FIFO: every try waits the
 * same timeout, so deadlines arrive in the order they were set and the
 * earliest is always at the head.
 * The UDP side (sockets, sends, matching replies) is engine_udp.c.
 */
#include <errno.h>
#include <ldns/ldns.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "clock.h"
#include "engine_int.h"
#include "error.h"
#include "rdtext.h"
#include "reslist.h"
#include "tcp.h"

void worker_timer_push(struct worker *w, struct slot *s, uint64_t deadline)
{
	if (w->ttail == w->tcap) {
		/* Compact, or grow; every slot has at most MAX_TRIES + 1 entries. */
		if (w->thead > 0) {
			memmove(w->timers, w->timers + w->thead,
			        (w->ttail - w->thead) * sizeof *w->timers);
			w->ttail -= w->thead;
			w->thead = 0;
		}
		if (w->ttail == w->tcap) {
			size_t ncap = w->tcap * 2 + 16;
			struct timer *nt = realloc(w->timers, ncap * sizeof *nt);
			if (nt == NULL)
				abort(); /* cannot keep the promise of an outcome per query */
			w->timers = nt;
			w->tcap = ncap;
		}
	}
	s->deadline = deadline;
	w->timers[w->ttail].slot = (uint32_t)(s - w->slots);
	w->timers[w->ttail].deadline = deadline;
	w->ttail++;
}

/* The slot has its outcome: a reply (OUT_REPLY, answer already filled)
 * or one of the others with a detail. */
/* Where slot s's answer is put together: its place in the sweep's out[],
 * or, in a sweep without one (its cb takes every answer), the worker's
 * one scratch answer, which cb empties before the next is made. */
static struct answer *answer_of(struct worker *w, const struct slot *s)
{
	return w->sw->out != NULL ? &w->sw->out[s->idx] : &w->scratch;
}

void worker_finish(struct worker *w, struct slot *s, enum pw_outcome oc, const char *detail)
{
	worker_held_free(s);
	free(s->more); /* no reply is matched once it is done */
	s->more = NULL;
	struct answer *a = answer_of(w, s);

	if (s->tcp != NULL) {
		tcp_close(s->tcp, w->ep);
		s->tcp = NULL;
	}
	if (oc != OUT_REPLY) {
		a->outcome = oc;
		if (detail != NULL)
			answer_set_detail(a, "%s", detail);
	}
	a->tries = s->tries + (a->transport == TR_TCP || (s->job->flags & JOB_TCP));
	a->dropped = s->dropped;
	a->case_fallback = s->nocase;
	a->case_checked = s->case_checked;
	s->state = S_DONE;
	worker_sock_release(w, s);
	w->ndone++;
	if (w->sw->cb != NULL)
		w->sw->cb(w->sw->ctx, s->idx, a);
	if (a == &w->scratch) {
		answer_free(a); /* what cb left of it */
		answer_init(a);
	}
}

/* The query over TCP: a truncated UDP reply, or a TCP job. */
static void tcp_start(struct worker *w, struct slot *s, uint64_t now)
{
	s->tcp = tcp_open(s->job->r, s->job->q, w->ep, TAG_TCP << 32 | (uint64_t)(s - w->slots));
	if (s->tcp == NULL) {
		worker_finish(w, s, OUT_ERROR, "TCP could not start");
		return;
	}
	w->st->tcp++;
	w->st->sent++;
	s->state = S_TCP;
	worker_timer_push(w, s, now + w->timeout_ns);
}

static void first_send(struct worker *w, struct slot *s, uint64_t now)
{
	if (!worker_send_allowed(w, s->job->r))
		worker_finish(w, s, OUT_ERROR,
		              "not sent: not loopback, and PROPWATCH_LOOPBACK_ONLY is set");
	else if (s->job->flags & JOB_TCP)
		tcp_start(w, s, now);
	else if ((s->job->flags & JOB_NO_0X20) && s->job->q->nletters > 0)
		worker_lower_case_pair(w, s, now); /* a known case-folder: confirm */
	else
		worker_udp_send(w, s, now);
}

/* A believed reply (UDP or TCP): fill the answer, or move to TCP on TC=1. */
void worker_take_reply(struct worker *w, struct slot *s, ldns_pkt *pkt, uint64_t sent,
                       uint64_t arrived, enum pw_transport tr)
{
	struct answer *a = answer_of(w, s);
	uint64_t now = clock_real_ns();

	if (tr == TR_UDP && ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		tcp_start(w, s, now);
		return;
	}
	w->st->answered++;
	/* The kernel's arrival time, not ours: a busy worker reads replies
	 * late, and that is no server's latency. Outside (sent, now], as
	 * after a step of the wall clock, the read time stands. */
	if (arrived <= sent || arrived > now)
		arrived = now;
	a->latency_ms = (double)(arrived - sent) / 1e6;
	a->at = clock_mono();
	a->transport = tr;
	int rc = answer_from_pkt(a, pkt, w->memo);
	ldns_pkt_free(pkt);
	if (rc < 0)
		worker_finish(w, s, OUT_ERROR, "out of memory");
	else
		worker_finish(w, s, OUT_REPLY, NULL);
}

static void tcp_event(struct worker *w, struct slot *s, uint32_t events)
{
	ldns_pkt *pkt = NULL;
	char why[96];
	int rc;

	if (s->state != S_TCP)
		return;
	rc = tcp_progress(s->tcp, events, w->ep, why, sizeof why);
	if (rc == TCP_AGAIN)
		return;
	if (rc == TCP_REFUSED) {
		worker_finish(w, s, OUT_UNREACHABLE, why);
		return;
	}
	if (rc == TCP_FAILED) {
		worker_finish(w, s, OUT_ERROR, why);
		return;
	}
	size_t len;
	const uint8_t *msg = tcp_message(s->tcp, &len);
	enum reply_verdict v = query_check_reply(s->job->q, tcp_id(s->tcp), 0, msg, len, &pkt);
	if (v != REPLY_OK) {
		w->st->dropped[v]++;
		s->dropped++;
		snprintf(why, sizeof why, "TCP reply rejected: %s", reply_verdict_name(v));
		worker_finish(w, s, OUT_ERROR, why);
		return;
	}
	worker_take_reply(w, s, pkt, tcp_sent_ns(s->tcp), 0, TR_TCP);
}

/* The fallback's lower-case replies never agreed: no answer to believe. */
static void slot_unconfirmed(struct worker *w, struct slot *s)
{
	int n = 0;
	for (int k = 0; k < MAX_TRIES; k++)
		n += s->held->wire[k] != NULL;
	worker_finish(w, s, n ? OUT_ERROR : OUT_TIMEOUT,
	              n > 1 ? "0x20 fallback: the lower-case replies disagree"
	              : n   ? "0x20 fallback: a lower-case reply no second one confirmed"
	                    : "0x20 fallback: no lower-case reply");
}

static void expire_timers(struct worker *w, uint64_t now)
{
	int retries = w->sw->opts->retries;

	while (w->thead < w->ttail && w->timers[w->thead].deadline <= now) {
		struct timer t = w->timers[w->thead++];
		struct slot *s = &w->slots[t.slot];
		if (s->state == S_DONE || s->deadline != t.deadline)
			continue;
		/* Its reply may be waiting behind a busy worker (a long slice
		 * of sends, a slow callback): read it before calling it lost. */
		if (s->state == S_UDP && s->sock != NONE) {
			worker_udp_readable(w, s->sock);
			if (s->state == S_DONE || s->deadline != t.deadline)
				continue;
		}
		/* The 0x20 fallback try does not use up a retry. */
		if (s->state == S_UDP && !(s->job->flags & JOB_NO_RETRY) &&
		    s->tries - s->extra <= retries && s->tries < MAX_TRIES) {
			worker_udp_send(w, s, now);
			continue;
		}
		if (s->held != NULL && s->state == S_UDP) {
			slot_unconfirmed(w, s);
		} else if (s->dropped > 0 && s->state == S_UDP) {
			char why[96];
			snprintf(why, sizeof why, "only invalid replies (%u, last: %s)", s->dropped,
			         reply_verdict_name(s->last_drop));
			worker_finish(w, s, OUT_ERROR, why);
		} else {
			worker_finish(w, s, OUT_TIMEOUT, s->state == S_TCP ? "TCP timeout" : NULL);
		}
	}
}

static int worker_setup(struct worker *w, const struct sweep *sw, struct engine_stats *st)
{
	memset(w, 0, sizeof *w);
	answer_init(&w->scratch);
	w->sw = sw;
	w->st = st;
	w->ep = -1;
	/* Room for every job: pages a worker never claims are never touched. */
	w->slots = malloc(sw->n * sizeof *w->slots);
	if (w->slots == NULL)
		return PW_ENOMEM;
	w->txbuf = malloc(sw->maxwire);
	w->memo = rdtext_new();
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->txbuf == NULL || w->memo == NULL || w->ep < 0 || worker_sockets_init(w) < 0)
		return PW_ENOMEM;
	w->wall_to_mono = clock_wall_to_mono_ns();
	w->timeout_ns = (uint64_t)(sw->opts->timeout * 1e9);
	if (sw->opts->rate > 0)
		w->pace_ns = (uint64_t)(1e9 * sw->opts->threads / sw->opts->rate);
	return PW_OK;
}

/* The next chunk of the sweep's jobs as new slots; false once none is left. */
static bool worker_claim(struct worker *w)
{
	const struct sweep *sw = w->sw;

	if (w->claims_over)
		return false;
	size_t lo = __atomic_fetch_add(sw->claimed, sw->chunk, __ATOMIC_RELAXED);
	if (lo >= sw->n) {
		w->claims_over = true;
		return false;
	}
	size_t hi = lo + sw->chunk < sw->n ? lo + sw->chunk : sw->n;
	for (size_t i = lo; i < hi; i++) {
		struct slot *s = &w->slots[w->nslots];
		memset(s, 0, sizeof *s);
		s->idx = i;
		s->job = &sw->jobs[i];
		s->sock = s->next = NONE;
		if (!(s->job->flags & JOB_TCP))
			worker_assign_socket(w, (uint32_t)w->nslots);
		w->nslots++;
	}
	return true;
}

/* Whether a first try waits to be sent, claiming more of the sweep once
 * everything claimed has been sent. */
static bool queued(struct worker *w)
{
	return w->next_queued < w->nslots || worker_claim(w);
}

/* A worker that cannot run (no memory) still gives every job it claims an
 * outcome. */
static void fail_claims(const struct sweep *sw, const char *why)
{
	size_t lo;
	while ((lo = __atomic_fetch_add(sw->claimed, sw->chunk, __ATOMIC_RELAXED)) < sw->n) {
		size_t hi = lo + sw->chunk < sw->n ? lo + sw->chunk : sw->n;
		for (size_t i = lo; i < hi; i++) {
			struct answer lost;
			answer_init(&lost);
			struct answer *a = sw->out != NULL ? &sw->out[i] : &lost;
			a->outcome = OUT_ERROR;
			answer_set_detail(a, "%s", why);
			if (sw->cb)
				sw->cb(sw->ctx, i, a);
			if (a == &lost)
				answer_free(&lost);
		}
	}
}

static void worker_teardown(struct worker *w)
{
	for (size_t i = 0; i < w->nsocks; i++)
		if (w->socks[i].fd >= 0)
			close(w->socks[i].fd);
	for (size_t i = 0; i < w->nslots; i++) {
		if (w->slots[i].tcp != NULL)
			tcp_close(w->slots[i].tcp, w->ep);
		free(w->slots[i].more);
		worker_held_free(&w->slots[i]);
	}
	if (w->ep >= 0)
		close(w->ep);
	free(w->slots);
	free(w->socks);
	free(w->timers);
	free(w->txbuf);
	rdtext_free(w->memo);
	answer_free(&w->scratch);
}

/* When the next first try may go, by its job's delay. */
static uint64_t not_before(const struct worker *w)
{
	double d = w->slots[w->next_queued].job->delay;
	return d > 0 ? w->sw->start + (uint64_t)(d * 1e9) : 0;
}

/* Send first tries that pacing allows for a slice of the timeout, then
 * read. Every try sent sooner ends a sweep of silent servers sooner; the
 * replies waiting meanwhile keep their latency (the kernel's arrival time,
 * engine_udp.c) and are read before their deadline is (expire_timers). */
static void send_first_tries(struct worker *w, uint64_t now)
{
	uint64_t until = now + w->timeout_ns / SEND_SLICE;

	while (queued(w)) {
		if ((w->pace_ns && now < w->next_send) || now < not_before(w))
			return;
		first_send(w, &w->slots[w->next_queued++], now);
		if (w->pace_ns)
			w->next_send = (w->next_send ? w->next_send : now) + w->pace_ns;
		/* Each try's own send time: its timeout and latency count from
		 * it, not from the start of the slice. */
		now = clock_real_ns();
		if (now >= until)
			return;
	}
}

static void dispatch(struct worker *w, const struct epoll_event *ev)
{
	uint64_t tag = ev->data.u64 >> 32;
	uint32_t val = (uint32_t)ev->data.u64;

	if (tag == TAG_UDP) {
		if (ev->events & EPOLLERR)
			worker_udp_errqueue(w, val);
		if (ev->events & EPOLLIN)
			worker_udp_readable(w, val);
	} else if (tag == TAG_TCP) {
		tcp_event(w, &w->slots[val], ev->events);
	}
}

/* epoll_wait() for up to wait_ns (at most CANCEL_POLL_MS): to the
 * nanosecond where the kernel can (epoll_pwait2, Linux 5.11), else in whole
 * milliseconds rounded up, so a deadline never fires early. */
static int wait_events(int ep, struct epoll_event *evs, int64_t wait_ns)
{
	static int no_pwait2; /* the kernel has none: the same for every thread */
	if (wait_ns < 0)
		wait_ns = 0;
	if (wait_ns > CANCEL_POLL_MS * 1000000ll)
		wait_ns = CANCEL_POLL_MS * 1000000ll;
	if (!__atomic_load_n(&no_pwait2, __ATOMIC_RELAXED)) {
		_Static_assert(CANCEL_POLL_MS < 1000, "a wait fits in tv_nsec");
		struct timespec ts = { 0, (long)wait_ns };
		int n = epoll_pwait2(ep, evs, EVENTS, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		__atomic_store_n(&no_pwait2, 1, __ATOMIC_RELAXED);
	}
	return epoll_wait(ep, evs, EVENTS, (int)((wait_ns + 999999) / 1000000));
}

void worker_run(const struct sweep *sw, struct engine_stats *st)
{
	struct worker w;
	struct epoll_event evs[EVENTS];

	if (worker_setup(&w, sw, st) < 0) {
		fail_claims(sw, "out of memory");
		worker_teardown(&w);
		return;
	}
	while (w.ndone < w.nslots || queued(&w)) {
		uint64_t now = clock_real_ns();
		if (__atomic_load_n(sw->cancel, __ATOMIC_RELAXED)) {
			/* What no worker claimed yet is this one's to end too. */
			while (worker_claim(&w))
				;
			for (size_t i = 0; i < w.nslots; i++)
				if (w.slots[i].state != S_DONE)
					worker_finish(&w, &w.slots[i], OUT_ERROR, "cancelled");
			break;
		}
		send_first_tries(&w, now);
		if (w.ndone == w.nslots && !queued(&w))
			break; /* every query failed as it was sent: nothing to wait for */
		now = clock_real_ns();

		/* Sleep until the next deadline or paced send, or not at all
		 * while unpaced first tries remain. */
		int64_t wait_ns = INT64_MAX;
		if (w.thead < w.ttail)
			wait_ns = (int64_t)(w.timers[w.thead].deadline - now);
		if (queued(&w)) {
			int64_t d = w.pace_ns ? (int64_t)(w.next_send - now) : 0;
			int64_t nb = (int64_t)(not_before(&w) - now);
			if (nb > d)
				d = nb;
			if (d < wait_ns)
				wait_ns = d;
		}
		int n = wait_events(w.ep, evs, wait_ns);
		for (int i = 0; i < n; i++)
			dispatch(&w, &evs[i]);
		expire_timers(&w, clock_real_ns());
	}
	worker_teardown(&w);
}
