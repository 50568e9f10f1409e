/*
 * engine_worker.c -- one worker's event loop over its slice of a sweep.
 *
 * Every query of the slice is a slot. First tries go out as fast as the
 * sockets (or --rate) allow, interleaved with reading replies so receive
 * buffers never fill. Deadlines are kept in a FIFO: every try waits the
 * same timeout, so deadlines arrive in the order they were set and the
 * earliest is always at the head. Replies are matched to slots by source
 * address and port through a hash table, then validated.
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
#include <unistd.h>

#include "answer.h"
#include "engine_int.h"
#include "error.h"
#include "reslist.h"
#include "tcp.h"

#define MAX_TRIES        8         /* first try + up to 7 retries */
#define SOCKS_PER_FAMILY 8         /* source ports a worker spreads its queries over */
#define SLOTS_PER_SOCK   64        /* fewer queries than this share one socket */
#define RECV_BATCH       64        /* datagrams per recvmmsg() */
#define SEND_BATCH       64        /* first tries sent before reading again */
#define RCVBUF           (8 << 20) /* holds every reply of a large burst */
#define CANCEL_POLL_MS   100       /* longest sleep before looking at engine_cancel() */
#define TAG_UDP          1ull
#define TAG_TCP          2ull

enum slot_state { S_QUEUED, S_UDP, S_TCP, S_DONE };

struct slot {
	size_t idx;                   /* index into the sweep's targets/out */
	const struct resolver *r;     /* whom we ask */
	enum slot_state state;        /* where the query stands */
	int sock;                     /* UDP socket of the latest try */
	int tries;                    /* UDP tries sent */
	uint16_t ids[MAX_TRIES];      /* ID of each try: a late reply to an earlier try counts */
	uint64_t sent_ns[MAX_TRIES];  /* when each try went out */
	uint64_t deadline;            /* when the current try times out */
	unsigned dropped;             /* replies from this address we rejected */
	enum reply_verdict last_drop; /* why the latest was rejected */
	struct tcp_conn *tcp;         /* the TCP fallback, while in S_TCP */
};

/* A deadline in the FIFO; stale when the slot moved on (deadline differs). */
struct timer {
	uint32_t slot;     /* slot index */
	uint64_t deadline; /* when it fires */
};

struct worker {
	const struct sweep *sw;         /* the sweep */
	struct slot *slots;             /* this worker's queries */
	size_t nslots;                  /* how many */
	size_t ndone;                   /* how many have an outcome */
	int32_t *hash;                  /* slot index by address, open addressing, -1 = empty */
	size_t hmask;                   /* hash size - 1 */
	struct timer *timers;           /* the deadline FIFO */
	size_t thead, ttail, tcap;      /* FIFO read/write positions and capacity */
	int ep;                         /* epoll instance */
	int socks[2][SOCKS_PER_FAMILY]; /* UDP sockets: [0] IPv4, [1] IPv6; -1 = none */
	int nsocks[2];                  /* how many per family */
	int sockerr[2];                 /* errno if a family's sockets could not be made */
	uint8_t *txbuf;                 /* copy of the query with the try's ID */
	struct engine_stats *st;        /* counters */
	uint64_t timeout_ns;            /* per try */
	uint64_t pace_ns;               /* gap between first tries, 0 = none */
	uint64_t next_send;             /* earliest time for the next first try */
	size_t next_queued;             /* first slot not yet tried */
};

static int fam_index(const struct resolver *r)
{
	return r->addr.ss_family == AF_INET6;
}

static uint64_t addr_hash(const struct sockaddr_storage *a)
{
	const uint8_t *p;
	size_t len;
	uint16_t port;
	uint64_t h = 1469598103934665603ull;

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)a;
		p = s->sin6_addr.s6_addr;
		len = 16;
		port = s->sin6_port;
	} else {
		const struct sockaddr_in *s = (const void *)a;
		p = (const uint8_t *)&s->sin_addr;
		len = 4;
		port = s->sin_port;
	}
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	h = (h ^ (port & 0xff)) * 1099511628211ull;
	h = (h ^ (port >> 8)) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* The first slot at `from` still waiting on UDP with a try whose ID is id
 * (or, without has_id, any waiting slot at from); else another slot at
 * `from` with *try_out = -1; NULL if nobody at `from` was asked. */
static struct slot *slot_lookup(struct worker *w, const struct sockaddr_storage *from, int has_id,
                                uint16_t id, int *try_out)
{
	struct slot *fallback = NULL;

	*try_out = -1;
	for (size_t h = addr_hash(from) & w->hmask; w->hash[h] >= 0; h = (h + 1) & w->hmask) {
		struct slot *s = &w->slots[w->hash[h]];
		if (!same_addr(&s->r->addr, from))
			continue;
		if (s->state != S_UDP) {
			if (fallback == NULL)
				fallback = s;
			continue;
		}
		if (!has_id)
			return s;
		for (int t = s->tries - 1; t >= 0; t--) {
			if (s->ids[t] == id) {
				*try_out = t;
				return s;
			}
		}
		fallback = s;
	}
	return fallback;
}

static void timer_push(struct worker *w, struct slot *s, uint64_t deadline)
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

static void slot_finish(struct worker *w, struct slot *s, enum pw_status st, const char *detail)
{
	struct answer *a = &w->sw->out[s->idx];

	if (s->tcp != NULL) {
		tcp_close(s->tcp, w->ep);
		s->tcp = NULL;
	}
	if (st != ST_PENDING) {
		a->status = st;
		if (detail != NULL)
			snprintf(a->detail, sizeof a->detail, "%s", detail);
	}
	a->tries = s->tries + (a->transport == TR_TCP);
	a->dropped = s->dropped;
	s->state = S_DONE;
	w->ndone++;
	if (w->sw->cb != NULL)
		w->sw->cb(w->sw->ctx, s->idx, a);
}

/* Send try number s->tries on a random socket of the slot's family. */
static void udp_send(struct worker *w, struct slot *s, uint64_t now)
{
	const struct query *q = w->sw->q;
	int fam = fam_index(s->r);

	if (w->nsocks[fam] == 0) {
		slot_finish(w, s, ST_ERROR, strerror(w->sockerr[fam]));
		return;
	}
	uint16_t id = query_random_id();
	int si = (int)(query_random_id() % (unsigned)w->nsocks[fam]);
	memcpy(w->txbuf, q->wire, q->wirelen);
	query_set_id(w->txbuf, id);
	ssize_t n = -1;
	/* An unconnected socket hands the pending error of an earlier
	 * datagram's ICMP (already read from the error queue) to the next
	 * sendto(); reporting clears it, so one more try tells whether the
	 * error is really this destination's. */
	for (int attempt = 0; attempt < 3; attempt++) {
		n = sendto(w->socks[fam][si], w->txbuf, q->wirelen, 0,
		           (const struct sockaddr *)&s->r->addr, s->r->addrlen);
		if (n >= 0 ||
		    (errno != ECONNREFUSED && errno != EHOSTUNREACH && errno != ENETUNREACH))
			break;
	}
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
		/* Socket buffer full: the try still counts; its timeout retries it. */
	} else if (n < 0) {
		int unreachable = errno == ENETUNREACH || errno == EHOSTUNREACH ||
		                  errno == ECONNREFUSED || errno == EADDRNOTAVAIL;
		slot_finish(w, s, unreachable ? ST_UNREACHABLE : ST_ERROR, strerror(errno));
		return;
	}
	s->ids[s->tries] = id;
	s->sent_ns[s->tries] = now;
	s->tries++;
	s->sock = si;
	s->state = S_UDP;
	w->st->sent++;
	timer_push(w, s, now + w->timeout_ns);
}

/* A believed reply (UDP or TCP): fill the answer, or move to TCP on TC=1. */
static void take_reply(struct worker *w, struct slot *s, ldns_pkt *pkt, uint64_t sent,
                       enum pw_transport tr)
{
	struct answer *a = &w->sw->out[s->idx];
	uint64_t now = mono_ns();

	if (tr == TR_UDP && ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		w->st->tcp++;
		s->tcp = tcp_open(s->r, w->sw->q, w->ep, TAG_TCP << 32 | (uint64_t)(s - w->slots));
		if (s->tcp == NULL) {
			slot_finish(w, s, ST_ERROR, "truncated, and TCP could not start");
			return;
		}
		w->st->sent++;
		s->state = S_TCP;
		timer_push(w, s, now + w->timeout_ns);
		return;
	}
	w->st->answered++;
	a->latency_ms = (double)(now - sent) / 1e6;
	a->at = (double)now / 1e9;
	a->transport = tr;
	if (answer_from_pkt(a, pkt) < 0)
		a->status = ST_ERROR;
	ldns_pkt_free(pkt);
	slot_finish(w, s, ST_PENDING, NULL);
}

static void udp_datagram(struct worker *w, const uint8_t *buf, size_t len, int truncated,
                         const struct sockaddr_storage *from)
{
	uint16_t id = len >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : 0;
	int t;
	struct slot *s = slot_lookup(w, from, len >= 2, id, &t);
	ldns_pkt *pkt = NULL;

	if (s == NULL) {
		w->st->stray++;
		return;
	}
	if (s->state != S_UDP) {
		/* A duplicate or a late reply after we moved on: harmless. */
		return;
	}
	enum reply_verdict v = t < 0       ? REPLY_BAD_ID
	                       : truncated ? REPLY_MALFORMED
	                                   : query_check_reply(w->sw->q, s->ids[t], buf, len, &pkt);
	if (v != REPLY_OK) {
		w->st->dropped[v]++;
		s->dropped++;
		s->last_drop = v;
		return;
	}
	take_reply(w, s, pkt, s->sent_ns[t], TR_UDP);
}

static void udp_readable(struct worker *w, int fd)
{
	static __thread uint8_t bufs[RECV_BATCH][4096];
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage from[RECV_BATCH];

	for (;;) {
		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof bufs[i];
			memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		int n = recvmmsg(fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: drained. Anything else is an ICMP error surfacing
			 * here; the error queue tells which query it belongs to. */
			return;
		}
		for (int i = 0; i < n; i++)
			udp_datagram(w, bufs[i], msgs[i].msg_len,
			             (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, &from[i]);
		if (n < RECV_BATCH)
			return;
	}
}

/* ICMP errors for unconnected sockets arrive on the error queue with the
 * original destination and our own query bytes, so we know whose it was. */
static void udp_errqueue(struct worker *w, int fd)
{
	for (;;) {
		uint8_t data[64], control[512];
		struct sockaddr_storage dst;
		struct iovec iov = { data, sizeof data };
		struct msghdr mh = { 0 };
		mh.msg_name = &dst;
		mh.msg_namelen = sizeof dst;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = control;
		mh.msg_controllen = sizeof control;
		ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		const struct sock_extended_err *ee = NULL;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (const void *)CMSG_DATA(c);
		if (ee == NULL || n < 2 ||
		    (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
			continue;
		int t;
		struct slot *s = slot_lookup(w, &dst, 1, (uint16_t)(data[0] << 8 | data[1]), &t);
		if (s == NULL || t < 0 || s->state != S_UDP)
			continue;
		w->st->icmp++;
		char why[64];
		int port_unreach = (ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == 3 &&
		                    ee->ee_code == 3) ||
		                   (ee->ee_origin == SO_EE_ORIGIN_ICMP6 && ee->ee_type == 1 &&
		                    ee->ee_code == 4);
		snprintf(why, sizeof why, "%s",
		         port_unreach ? "ICMP port unreachable" : strerror((int)ee->ee_errno));
		slot_finish(w, s, ST_UNREACHABLE, why);
	}
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
		slot_finish(w, s, ST_UNREACHABLE, why);
		return;
	}
	if (rc == TCP_FAILED) {
		slot_finish(w, s, ST_ERROR, why);
		return;
	}
	size_t len;
	const uint8_t *msg = tcp_message(s->tcp, &len);
	enum reply_verdict v = query_check_reply(w->sw->q, tcp_id(s->tcp), msg, len, &pkt);
	if (v != REPLY_OK) {
		w->st->dropped[v]++;
		s->dropped++;
		snprintf(why, sizeof why, "TCP reply rejected: %s", reply_verdict_name(v));
		slot_finish(w, s, ST_ERROR, why);
		return;
	}
	take_reply(w, s, pkt, tcp_sent_ns(s->tcp), TR_TCP);
}

static void expire_timers(struct worker *w, uint64_t now)
{
	int retries = w->sw->opts->retries;

	while (w->thead < w->ttail && w->timers[w->thead].deadline <= now) {
		struct timer t = w->timers[w->thead++];
		struct slot *s = &w->slots[t.slot];
		if (s->state == S_DONE || s->deadline != t.deadline)
			continue;
		if (s->state == S_UDP && s->tries <= retries && s->tries < MAX_TRIES) {
			udp_send(w, s, now);
			continue;
		}
		if (s->dropped > 0 && s->state == S_UDP) {
			char why[96];
			snprintf(why, sizeof why, "only invalid replies (%u, last: %s)", s->dropped,
			         reply_verdict_name(s->last_drop));
			slot_finish(w, s, ST_ERROR, why);
		} else {
			slot_finish(w, s, ST_TIMEOUT, s->state == S_TCP ? "TCP timeout" : NULL);
		}
	}
}

static void open_sockets(struct worker *w, size_t per_family[2])
{
	static const int families[2] = { AF_INET, AF_INET6 };

	for (int f = 0; f < 2; f++) {
		size_t want = (per_family[f] + SLOTS_PER_SOCK - 1) / SLOTS_PER_SOCK;
		if (want > SOCKS_PER_FAMILY)
			want = SOCKS_PER_FAMILY;
		for (size_t i = 0; i < want; i++) {
			int fd = socket(families[f], SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				w->sockerr[f] = errno;
				break;
			}
			int on = 1, size = RCVBUF;
			if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
				setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
			if (f == 0)
				setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on);
			else
				setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
			struct epoll_event ev = { .events = EPOLLIN,
				                  .data.u64 = TAG_UDP << 32 |
				                              (uint64_t)(f * SOCKS_PER_FAMILY +
				                                         (int)i) };
			epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
			w->socks[f][w->nsocks[f]++] = fd;
		}
	}
}

static int worker_setup(struct worker *w, const struct sweep *sw, size_t lo, size_t hi,
                        struct engine_stats *st)
{
	size_t per_family[2] = { 0, 0 }, hsize = 16;

	memset(w, 0, sizeof *w);
	w->sw = sw;
	w->st = st;
	w->ep = -1;
	for (int f = 0; f < 2; f++)
		for (int i = 0; i < SOCKS_PER_FAMILY; i++)
			w->socks[f][i] = -1;
	w->sockerr[0] = w->sockerr[1] = EAFNOSUPPORT;
	w->nslots = hi - lo;
	w->slots = calloc(w->nslots, sizeof *w->slots);
	while (hsize < w->nslots * 2)
		hsize <<= 1;
	w->hash = malloc(hsize * sizeof *w->hash);
	w->hmask = hsize - 1;
	w->txbuf = malloc(sw->q->wirelen);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->slots == NULL || w->hash == NULL || w->txbuf == NULL || w->ep < 0)
		return PW_ENOMEM;
	memset(w->hash, 0xff, hsize * sizeof *w->hash);
	for (size_t i = 0; i < w->nslots; i++) {
		struct slot *s = &w->slots[i];
		s->idx = lo + i;
		s->r = sw->targets[lo + i];
		per_family[fam_index(s->r)]++;
		size_t h = addr_hash(&s->r->addr) & w->hmask;
		while (w->hash[h] >= 0)
			h = (h + 1) & w->hmask;
		w->hash[h] = (int32_t)i;
	}
	open_sockets(w, per_family);
	w->timeout_ns = (uint64_t)(sw->opts->timeout * 1e9);
	if (sw->opts->rate > 0)
		w->pace_ns = (uint64_t)(1e9 * sw->opts->threads / sw->opts->rate);
	return PW_OK;
}

static void worker_teardown(struct worker *w)
{
	for (int f = 0; f < 2; f++)
		for (int i = 0; i < w->nsocks[f]; i++)
			close(w->socks[f][i]);
	for (size_t i = 0; i < w->nslots; i++)
		if (w->slots[i].tcp != NULL)
			tcp_close(w->slots[i].tcp, w->ep);
	if (w->ep >= 0)
		close(w->ep);
	free(w->slots);
	free(w->hash);
	free(w->timers);
	free(w->txbuf);
}

/* Send first tries that pacing allows, at most a batch. */
static void send_first_tries(struct worker *w, uint64_t now)
{
	for (int k = 0; k < SEND_BATCH && w->next_queued < w->nslots; k++) {
		if (w->pace_ns && now < w->next_send)
			return;
		udp_send(w, &w->slots[w->next_queued++], now);
		if (w->pace_ns)
			w->next_send = (w->next_send ? w->next_send : now) + w->pace_ns;
	}
}

void worker_run(const struct sweep *sw, int wi, int nw, struct engine_stats *st)
{
	size_t lo = sw->n * (size_t)wi / (size_t)nw, hi = sw->n * (size_t)(wi + 1) / (size_t)nw;
	struct worker w;
	struct epoll_event evs[64];

	if (lo == hi)
		return;
	if (worker_setup(&w, sw, lo, hi, st) < 0) {
		for (size_t i = lo; i < hi; i++) {
			sw->out[i].status = ST_ERROR;
			snprintf(sw->out[i].detail, sizeof sw->out[i].detail, "out of memory");
			if (sw->cb)
				sw->cb(sw->ctx, i, &sw->out[i]);
		}
		worker_teardown(&w);
		return;
	}
	while (w.ndone < w.nslots) {
		uint64_t now = mono_ns();
		if (__atomic_load_n(sw->cancel, __ATOMIC_RELAXED)) {
			for (size_t i = 0; i < w.nslots; i++)
				if (w.slots[i].state != S_DONE)
					slot_finish(&w, &w.slots[i], ST_ERROR, "cancelled");
			break;
		}
		send_first_tries(&w, now);
		expire_timers(&w, now);
		if (w.ndone == w.nslots)
			break;

		/* Sleep until the next deadline or paced send, or not at all
		 * while unpaced first tries remain. */
		int64_t wait_ns = INT64_MAX;
		if (w.thead < w.ttail)
			wait_ns = (int64_t)(w.timers[w.thead].deadline - now);
		if (w.next_queued < w.nslots) {
			int64_t d = w.pace_ns ? (int64_t)(w.next_send - now) : 0;
			if (d < wait_ns)
				wait_ns = d;
		}
		int timeout_ms = wait_ns <= 0 ? 0
		                 : wait_ns >= CANCEL_POLL_MS * 1000000ll
		                         ? CANCEL_POLL_MS
		                         : (int)((wait_ns + 999999) / 1000000);
		int n = epoll_wait(w.ep, evs, 64, timeout_ms);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64 >> 32;
			uint32_t val = (uint32_t)evs[i].data.u64;
			if (tag == TAG_UDP) {
				int fd = w.socks[val / SOCKS_PER_FAMILY][val % SOCKS_PER_FAMILY];
				if (evs[i].events & EPOLLERR)
					udp_errqueue(&w, fd);
				if (evs[i].events & EPOLLIN)
					udp_readable(&w, fd);
			} else if (tag == TAG_TCP) {
				tcp_event(&w, &w.slots[val], evs[i].events);
			}
		}
	}
	worker_teardown(&w);
}
