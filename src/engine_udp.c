/*
 * engine_udp.c -- a worker's UDP side: its sockets, sending a try, and
 * matching what arrives (replies and ICMP errors) to the slots asked.
 *
 * Every query has a socket (a source port) of its own, or, in sweeps of
 * more than OWN_PORT_UPTO queries per worker (the sweep shared evenly;
 * engine_run() sets per_sock), a worker keeps at least OWN_PORT_UPTO
 * sockets and one for every SLOTS_PER_SOCK queries (each
 * socket costs five system calls, and large sweeps want speed),
 * opened at its first send and closed once all of its slots have an
 * outcome, so a sweep spreads over many source ports (a forger must guess
 * the port) while the descriptors open at once stay within budget.
 * Sharing costs a blind forger nothing: each query's port is still one
 * random ephemeral port to guess. What it gives away is to a resolver of
 * the list, which sees its own query's port and so those of the others on
 * that socket (at most SLOTS_PER_SOCK), whose ID and 0x20 spelling it
 * must still guess. Opening and closing a socket costs 10-20 us of kernel
 * time here, so 256 rather than 1,024 sockets a worker took ~10% off the
 * CPU of a 10,000 sweep (README, Benchmark). A
 * datagram is matched only against the slots of the socket it arrived on:
 * source address, then the ID of one of the slot's tries, then (query.c)
 * QR, the question and its 0x20 spelling.
 */
#include <errno.h>
#include <ldns/ldns.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "answer.h"
#include "clock.h"
#include "engine_int.h"
#include "error.h"
#include "reslist.h"

static int fam_index(const struct resolver *r)
{
	return r->addr.sa.sa_family == AF_INET6;
}

static int same_addr(const union pw_sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa.sa_family != b->ss_family)
		return 0;
	if (a->sa.sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* On socket si, the slot asked at `from` still waiting on UDP with a try
 * whose ID is id (*try_out gets the try); else another slot asked at
 * `from` there, with *try_out = -1; NULL if nobody at `from` was asked on
 * this socket. */
static struct slot *slot_lookup(struct worker *w, uint32_t si, const struct sockaddr_storage *from,
                                uint16_t id, int *try_out)
{
	struct slot *fallback = NULL;

	*try_out = -1;
	for (uint32_t k = w->socks[si].head; k != NONE; k = w->slots[k].next) {
		struct slot *s = &w->slots[k];
		if (!same_addr(&s->job->r->addr, from))
			continue;
		if (fallback == NULL || (fallback->state != S_UDP && s->state == S_UDP))
			fallback = s;
		if (s->state != S_UDP)
			continue;
		for (int t = s->tries - 1; t >= 0; t--) {
			if (slot_try(s, t)->id == id) {
				*try_out = t;
				return s;
			}
		}
	}
	return fallback;
}

void worker_sock_release(struct worker *w, struct slot *s)
{
	if (s->sock == NONE)
		return;
	struct usock *u = &w->socks[s->sock];
	if (--u->left == 0 && u->fd >= 0) {
		close(u->fd); /* also leaves the epoll set */
		u->fd = -1;
	}
}

/* PROPWATCH_LOOPBACK_ONLY: nothing may leave the machine. */
bool worker_send_allowed(const struct worker *w, const struct resolver *r)
{
	if (!w->sw->opts->loopback_only)
		return true;
	if (r->addr.sa.sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)&r->addr;
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *v6 = (const void *)&r->addr;
	return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
}

/* The socket of slot s, opened now if this is its first send; -1 with
 * errno set if it cannot be. */
static int sock_fd(struct worker *w, struct slot *s)
{
	static const int families[2] = { AF_INET, AF_INET6 };
	struct usock *u = &w->socks[s->sock];

	if (u->fd >= 0)
		return u->fd;
	int fd = socket(families[u->fam], SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	if (w->big_buffers) {
		int size = RCVBUF;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
	/* Arrival times: latency is the server's, not our backlog's. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	if (u->fam == 0)
		setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on);
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_UDP << 32 | s->sock };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	w->st->ports++;
	return u->fd = fd;
}

/* Send try number s->tries over UDP. */
void worker_udp_send(struct worker *w, struct slot *s, uint64_t now)
{
	const struct query *q = s->job->q;
	int fd = sock_fd(w, s);

	if (s->tries >= 1 && s->more == NULL &&
	    (s->more = calloc(MAX_TRIES - 1, sizeof *s->more)) == NULL) {
		worker_finish(w, s, OUT_ERROR, "out of memory");
		return;
	}
	if (fd < 0) {
		char why[96];
		snprintf(why, sizeof why, "no socket: %s", strerror(errno));
		worker_finish(w, s, OUT_ERROR, why);
		return;
	}
	uint16_t id = query_random_id();
	uint32_t seed = s->nocase || (s->job->flags & JOB_NO_0X20) || q->nletters == 0
	                        ? 0
	                        : query_random_seed();
	memcpy(w->txbuf, q->wire, q->wirelen);
	query_prepare(q, w->txbuf, id, seed);
	ssize_t n = -1;
	/* An unconnected socket hands the pending error of an earlier
	 * datagram's ICMP (already read from the error queue) to the next
	 * sendto(); reporting clears it, so one more try tells whether the
	 * error is really this destination's. */
	for (int attempt = 0; attempt < 3; attempt++) {
		n = sendto(fd, w->txbuf, q->wirelen, 0, (const struct sockaddr *)&s->job->r->addr,
		           s->job->r->addrlen);
		if (n >= 0 ||
		    (errno != ECONNREFUSED && errno != EHOSTUNREACH && errno != ENETUNREACH))
			break;
	}
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
		/* Socket buffer full: the try still counts; its timeout retries it. */
	} else if (n < 0) {
		int unreachable = errno == ENETUNREACH || errno == EHOSTUNREACH ||
		                  errno == ECONNREFUSED || errno == EADDRNOTAVAIL;
		worker_finish(w, s, unreachable ? OUT_UNREACHABLE : OUT_ERROR, strerror(errno));
		return;
	}
	*slot_try(s, s->tries) = (struct try){ id, seed, now };
	s->tries++;
	s->state = S_UDP;
	w->st->sent++;
	worker_timer_push(w, s, now + w->timeout_ns);
}

/* A lower-case reply to try t: believed if a reply to another try says
 * the same (all but the ID); else kept, to be confirmed by a later one. */
static bool confirmed(struct slot *s, int t, const uint8_t *buf, size_t len)
{
	struct held *h = s->held;
	for (int k = 0; k < s->tries; k++)
		if (k != t && h->wire[k] != NULL && h->len[k] == len &&
		    memcmp(h->wire[k] + 2, buf + 2, len - 2) == 0)
			return true;
	if (h->wire[t] == NULL && (h->wire[t] = malloc(len)) != NULL) {
		memcpy(h->wire[t], buf, len);
		h->len[t] = (uint16_t)len;
	}
	return false;
}

void worker_held_free(struct slot *s)
{
	for (int k = 0; s->held != NULL && k < MAX_TRIES; k++)
		free(s->held->wire[k]);
	free(s->held);
	s->held = NULL;
}

void worker_lower_case_pair(struct worker *w, struct slot *s, uint64_t now)
{
	if (s->held == NULL && (s->held = calloc(1, sizeof *s->held)) == NULL) {
		worker_finish(w, s, OUT_ERROR, "out of memory");
		return;
	}
	s->extra += 2;
	worker_udp_send(w, s, now);
	if (s->state == S_UDP)
		worker_udp_send(w, s, now);
}

static void udp_datagram(struct worker *w, uint32_t si, const uint8_t *buf, size_t len,
                         int truncated, const struct sockaddr_storage *from, uint64_t arrived)
{
	uint16_t id = len >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : 0;
	int t;
	struct slot *s = slot_lookup(w, si, from, id, &t);
	ldns_pkt *pkt = NULL;

	if (s == NULL) {
		w->st->stray++;
		return;
	}
	if (s->state != S_UDP)
		return; /* a duplicate or a late reply after we moved on: harmless */
	enum reply_verdict v = t < 0 || len < 2 ? REPLY_BAD_ID
	                       : truncated
	                               ? REPLY_MALFORMED
	                               : query_check_reply(s->job->q, slot_try(s, t)->id,
	                                                   slot_try(s, t)->seed, buf, len, &pkt);
	if (v == REPLY_BAD_CASE && !s->nocase && s->tries + 2 <= MAX_TRIES) {
		/* Right ID, right name, case not echoed: a server that folds
		 * case (or a forger who guessed port and ID). Believe neither;
		 * ask twice in lower case (struct held) and say so. */
		w->st->dropped[v]++;
		w->st->case_fallbacks++;
		s->nocase = true;
		worker_lower_case_pair(w, s, clock_real_ns());
		return;
	}
	if (v != REPLY_OK) {
		w->st->dropped[v]++;
		s->dropped++;
		s->last_drop = v;
		return;
	}
	if (s->held != NULL && slot_try(s, t)->seed == 0 && !confirmed(s, t, buf, len)) {
		ldns_pkt_free(pkt);
		return;
	}
	/* A bare error header has no question: it proves nothing about case. */
	s->case_checked = slot_try(s, t)->seed != 0 && buf[4] == 0 && buf[5] == 1;
	worker_take_reply(w, s, pkt, slot_try(s, t)->sent_ns, arrived, TR_UDP);
}

/* The kernel's receive timestamp of a datagram as a clock_real_ns() time,
 * 0 without one. */
static uint64_t arrival_of(const struct worker *w, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(struct timespec)))
			continue;
		struct timespec ts;
		memcpy(&ts, CMSG_DATA(c), sizeof ts);
		int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + w->wall_to_mono;
		return t > 0 ? (uint64_t)t : 0;
	}
	return 0;
}

void worker_udp_readable(struct worker *w, uint32_t si)
{
	static __thread uint8_t bufs[RECV_BATCH][4096];
	static __thread union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct timespec))];
	} ctl[RECV_BATCH];
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage from[RECV_BATCH];

	while (w->socks[si].fd >= 0) {
		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof bufs[i];
			memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof from[i];
			msgs[i].msg_hdr.msg_control = ctl[i].b;
			msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].b;
		}
		int n = recvmmsg(w->socks[si].fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: drained. Anything else is an ICMP error surfacing
			 * here; the error queue tells which query it belongs to. */
			return;
		}
		/* A datagram may finish the socket's last slot and close it. */
		for (int i = 0; i < n; i++)
			udp_datagram(w, si, bufs[i], msgs[i].msg_len,
			             (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, &from[i],
			             arrival_of(w, &msgs[i].msg_hdr));
		if (n < RECV_BATCH)
			return;
	}
}

/* What an error-queue message says: true for an ICMP error carrying at
 * least the ID of our query (in *id), with why it failed in why. */
bool engine_icmp_parse(struct msghdr *mh, ssize_t n, const uint8_t *data, uint16_t *id, char *why,
                       size_t len)
{
	const struct sock_extended_err *ee = NULL;
	const uint8_t *end = (const uint8_t *)mh->msg_control + mh->msg_controllen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		/* A length that wraps the pointer past the buffer (glibc's
		 * CMSG_NXTHDR does not catch it) ends the walk. */
		if (c->cmsg_len > (size_t)(end - (const uint8_t *)c))
			break;
		if (((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		     (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
		    c->cmsg_len >= CMSG_LEN(sizeof *ee))
			ee = (const void *)CMSG_DATA(c);
	}
	if (ee == NULL || n < 2 ||
	    (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
		return false;
	*id = (uint16_t)(data[0] << 8 | data[1]);
	int port_unreach =
	        (ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == 3 && ee->ee_code == 3) ||
	        (ee->ee_origin == SO_EE_ORIGIN_ICMP6 && ee->ee_type == 1 && ee->ee_code == 4);
	snprintf(why, len, "%s",
	         port_unreach ? "ICMP port unreachable" : strerror((int)ee->ee_errno));
	return true;
}

/* ICMP errors for unconnected sockets arrive on the error queue with the
 * original destination and our own query bytes, so we know whose it was. */
void worker_udp_errqueue(struct worker *w, uint32_t si)
{
	while (w->socks[si].fd >= 0) {
		uint8_t data[64], control[512];
		struct sockaddr_storage dst;
		struct iovec iov = { data, sizeof data };
		struct msghdr mh = { 0 };
		char why[64];
		uint16_t id;
		mh.msg_name = &dst;
		mh.msg_namelen = sizeof dst;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = control;
		mh.msg_controllen = sizeof control;
		ssize_t n = recvmsg(w->socks[si].fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		if (!engine_icmp_parse(&mh, n, data, &id, why, sizeof why))
			continue;
		int t;
		struct slot *s = slot_lookup(w, si, &dst, id, &t);
		if (s == NULL || t < 0 || s->state != S_UDP)
			continue;
		w->st->icmp++;
		worker_finish(w, s, OUT_UNREACHABLE, why);
	}
}

size_t worker_slots_per_socket(size_t udp, int sock_budget)
{
	size_t budget = (size_t)sock_budget, per;
	/* Rounded up, so no socket has more than SLOTS_PER_SOCK (nor, with
	 * more than BIG_SOCK, a bigger buffer to set) while the budget allows. */
	size_t want = (udp + SLOTS_PER_SOCK - 1) / SLOTS_PER_SOCK;
	if (want < OWN_PORT_UPTO)
		want = OWN_PORT_UPTO;
	per = udp <= OWN_PORT_UPTO ? 1 : (udp + want - 1) / want;
	if ((udp + per - 1) / per + 2 > budget)
		per = (udp + budget - 3) / (budget - 2);
	return per;
}

int worker_sockets_init(struct worker *w)
{
	w->big_buffers = w->sw->per_sock > BIG_SOCK;
	w->cur_sock[0] = w->cur_sock[1] = NONE;
	/* A worker's partly filled sockets (one a family) carry over from one
	 * claim to the next, so even a worker that claims everything needs
	 * no more than this. */
	w->socks = malloc((w->sw->n / w->sw->per_sock + 3) * sizeof *w->socks);
	return w->socks == NULL ? PW_ENOMEM : PW_OK;
}

void worker_assign_socket(struct worker *w, uint32_t slot)
{
	struct slot *s = &w->slots[slot];
	int f = fam_index(s->job->r);
	uint32_t *cur = &w->cur_sock[f];

	if (*cur == NONE || w->socks[*cur].left == w->sw->per_sock) {
		*cur = (uint32_t)w->nsocks++;
		w->socks[*cur] = (struct usock){ -1, f, NONE, 0 };
	}
	struct usock *u = &w->socks[*cur];
	s->sock = *cur;
	s->next = u->head;
	u->head = slot;
	u->left++;
}
