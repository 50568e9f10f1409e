/*
 * tcp.c -- a single non-blocking DNS query over TCP (RFC 7766 framing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "query.h"
#include "reslist.h"
#include "tcp.h"

struct tcp_conn {
	int fd;              /* the socket */
	int connected;       /* connect() finished and the query was written */
	uint64_t tag;        /* epoll data that leads the caller back to its slot */
	int connect_err;     /* errno of a connect() that failed at once */
	uint16_t id;         /* ID of the query sent */
	uint64_t sent_ns;    /* when the connection was started */
	uint8_t *out;        /* length-prefixed query */
	size_t outlen;       /* its length */
	size_t outpos;       /* bytes written */
	struct tcp_frame rx; /* the reply */
};

struct tcp_conn *tcp_open(const struct resolver *r, const struct query *q, int ep, uint64_t tag)
{
	struct tcp_conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->fd = socket(r->addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->outlen = q->wirelen + 2;
	c->out = malloc(c->outlen);
	if (c->fd < 0 || c->out == NULL)
		goto fail;
	c->out[0] = (uint8_t)(q->wirelen >> 8);
	c->out[1] = (uint8_t)q->wirelen;
	memcpy(c->out + 2, q->wire, q->wirelen);
	c->id = query_random_id();
	/* Lower case: an off-path forger cannot inject into a TCP stream. */
	query_prepare(q, c->out + 2, c->id, 0);
	c->sent_ns = clock_real_ns();
	c->tag = tag;
	/* A failed connect() shows as SO_ERROR on the first event, like an
	 * asynchronous failure, so there is one path for both. */
	if (connect(c->fd, (const struct sockaddr *)&r->addr, r->addrlen) < 0 &&
	    errno != EINPROGRESS)
		c->connect_err = errno;
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = tag };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		goto fail;
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	free(c);
	return NULL;
}

static enum tcp_result fail_errno(int err, char *why, size_t whylen)
{
	snprintf(why, whylen, "TCP: %s", strerror(err));
	return err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH ? TCP_REFUSED
	                                                                        : TCP_FAILED;
}

enum tcp_result tcp_progress(struct tcp_conn *c, uint32_t events, int ep, char *why, size_t whylen)
{
	if (!c->connected) {
		int err = c->connect_err;
		socklen_t len = sizeof err;
		if (err == 0)
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0)
			return fail_errno(err, why, whylen);
		if (!(events & EPOLLOUT))
			return TCP_AGAIN;
		while (c->outpos < c->outlen) {
			ssize_t n = send(c->fd, c->out + c->outpos, c->outlen - c->outpos,
			                 MSG_NOSIGNAL);
			if (n < 0 && errno == EAGAIN)
				return TCP_AGAIN;
			if (n < 0)
				return fail_errno(errno, why, whylen);
			c->outpos += (size_t)n;
		}
		c->connected = 1;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = c->tag };
		if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			return fail_errno(errno, why, whylen);
		return TCP_AGAIN;
	}
	for (;;) {
		uint8_t *dst;
		size_t want;
		tcp_frame_room(&c->rx, &dst, &want);
		ssize_t n = recv(c->fd, dst, want, 0);
		if (n < 0 && errno == EAGAIN)
			return TCP_AGAIN;
		if (n < 0)
			return fail_errno(errno, why, whylen);
		if (n == 0) {
			snprintf(why, whylen, "TCP: connection closed before a full reply");
			return TCP_FAILED;
		}
		enum tcp_result r = tcp_frame_took(&c->rx, (size_t)n, why, whylen);
		if (r != TCP_AGAIN)
			return r;
	}
}

void tcp_frame_room(struct tcp_frame *f, uint8_t **dst, size_t *want)
{
	if (f->inpos < 2) {
		*dst = f->lenbuf + f->inpos;
		*want = 2 - f->inpos;
	} else {
		*dst = f->in + (f->inpos - 2);
		*want = f->inlen - (f->inpos - 2);
	}
}

enum tcp_result tcp_frame_took(struct tcp_frame *f, size_t n, char *why, size_t whylen)
{
	f->inpos += n;
	if (f->inpos == 2) {
		f->inlen = (size_t)f->lenbuf[0] << 8 | f->lenbuf[1];
		if (f->inlen < 12) {
			snprintf(why, whylen, "TCP: reply too short");
			return TCP_FAILED;
		}
		f->in = malloc(f->inlen);
		if (f->in == NULL) {
			snprintf(why, whylen, "out of memory");
			return TCP_FAILED;
		}
	}
	return f->inpos >= 2 && f->inpos - 2 == f->inlen ? TCP_DONE : TCP_AGAIN;
}

void tcp_frame_free(struct tcp_frame *f)
{
	free(f->in);
	memset(f, 0, sizeof *f);
}

const uint8_t *tcp_message(const struct tcp_conn *c, size_t *len)
{
	*len = c->rx.inlen;
	return c->rx.in;
}

uint16_t tcp_id(const struct tcp_conn *c)
{
	return c->id;
}

uint64_t tcp_sent_ns(const struct tcp_conn *c)
{
	return c->sent_ns;
}

void tcp_close(struct tcp_conn *c, int ep)
{
	if (c == NULL)
		return;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	tcp_frame_free(&c->rx);
	free(c);
}
