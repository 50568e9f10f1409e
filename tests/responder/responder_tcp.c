/*
 * responder_tcp.c - DNS over TCP (RFC 7766 framing: 2-byte length prefix).
 *
 * Every endpoint answers over TCP with its behaviour minus truncation, which
 * is how a client recovers from `truncate`.  A listener shares its bindsock
 * with the UDP socket; the endpoint is found from the accepted socket's
 * local address (getsockname), so a wildcard listener serves all 127.x
 * endpoints of its port.  Connections are non-blocking, may pipeline
 * queries, get replies in completion order (delay= may reorder), and are
 * closed after RSP_TCP_IDLE_MS of silence.
 */
#include "responder.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_WBUF (4u << 20) /* a client that never reads is cut off */

int tcp_open(struct server *s, struct bindsock *b)
{
	int v6 = b->key.family == 6, on = 1;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* SO_REUSEADDR only lets us rebind past TIME_WAIT after a restart; a
	 * live listener on the same address still makes bind() fail. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	struct sockaddr_storage ss;
	socklen_t sl = key_to_sockaddr(&b->key, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 1024) < 0 ||
	    fd_add(s, fd, FDK_TCP_LISTEN, b, EPOLLIN) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	b->tcp_fd = fd;
	return 0;
}

static void conn_close(struct server *s, struct conn *c)
{
	fd_close(s, c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

void tcp_accept_ready(struct server *s, struct bindsock *b)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof peer;
		int fd = accept4(b->tcp_fd, (struct sockaddr *)&peer, &pl,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or EMFILE: retried on the next event */
		}
		struct sockaddr_storage local;
		socklen_t ll = sizeof local;
		struct ep_key lk;
		if (!sockaddr_is_loopback(&peer) || s->nconns >= RSP_MAX_CONNS ||
		    getsockname(fd, (struct sockaddr *)&local, &ll) < 0) {
			close(fd);
			continue;
		}
		key_from_sockaddr(&local, &lk);
		if (!config_find(s->cfg, &lk)) {
			close(fd); /* wildcard listener, but no endpoint at this address */
			continue;
		}
		struct conn *c = xcalloc(1, sizeof *c);
		c->fd = fd;
		c->local = lk;
		c->peer = peer;
		c->last_ms = now_ms();
		if (fd_add(s, fd, FDK_TCP_CONN, c, EPOLLIN) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

/* Writes what it can; returns -1 if the connection was closed. */
static int conn_flush(struct server *s, struct conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(s, c);
			return -1;
		}
		c->woff += (size_t)n;
	}
	if (c->woff == c->wlen)
		c->woff = c->wlen = 0;
	bool want = c->wlen > 0;
	if (want != c->want_out) {
		c->want_out = want;
		fd_mod(s, c->fd, EPOLLIN | (want ? EPOLLOUT : 0));
	}
	return 0;
}

int tcp_queue_reply(struct server *s, struct conn *c, const uint8_t *buf, size_t len)
{
	if (len > RSP_MAX_MSG || c->wlen + len + 2 > MAX_WBUF) {
		conn_close(s, c);
		return -1;
	}
	if (c->wlen + len + 2 > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 1024;
		while (cap < c->wlen + len + 2)
			cap *= 2;
		c->wbuf = xrealloc(c->wbuf, cap, 1);
		c->wcap = cap;
	}
	c->wbuf[c->wlen] = (uint8_t)(len >> 8);
	c->wbuf[c->wlen + 1] = (uint8_t)len;
	memcpy(c->wbuf + c->wlen + 2, buf, len);
	c->wlen += len + 2;
	s->st.sent++;
	return conn_flush(s, c);
}

/* Handles one framed query; returns -1 if the connection was closed. */
static int conn_query(struct server *s, struct conn *c, const uint8_t *q, size_t len)
{
	s->st.tcp_in++;
	struct endpoint *ep = config_find(s->cfg, &c->local);
	if (!ep) { /* endpoint removed by a reload */
		conn_close(s, c);
		return -1;
	}
	struct rsp_out o = { .buf = s->tcpout, .cap = RSP_MAX_MSG };
	switch (rsp_respond(s, ep, q, len, true, &o)) {
	case ACT_NONE: return 0;
	case ACT_CLOSE: conn_close(s, c); return -1;
	case ACT_SEND: break;
	}
	if (o.delay_ms) {
		timer_add(s, o.delay_ms, c->fd, true, NULL, 0, NULL, o.buf, o.len);
		return 0;
	}
	return tcp_queue_reply(s, c, o.buf, o.len);
}

static void conn_read(struct server *s, struct conn *c)
{
	bool eof = false;
	for (;;) {
		if (c->rcap - c->rlen < 4096 && c->rcap < RSP_MAX_MSG + 2) {
			size_t cap = c->rcap ? c->rcap * 2 : 4096;
			if (cap > RSP_MAX_MSG + 2)
				cap = RSP_MAX_MSG + 2;
			c->rbuf = xrealloc(c->rbuf, cap, 1);
			c->rcap = cap;
		}
		if (c->rlen == c->rcap)
			break; /* full: process, then read more on the next event */
		ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(s, c);
			return;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		c->rlen += (size_t)n;
	}
	c->last_ms = now_ms();
	size_t off = 0;
	while (c->rlen - off >= 2) {
		size_t ml = (size_t)c->rbuf[off] << 8 | c->rbuf[off + 1];
		if (c->rlen - off < 2 + ml)
			break;
		if (ml && conn_query(s, c, c->rbuf + off + 2, ml) < 0)
			return;
		off += 2 + ml;
	}
	memmove(c->rbuf, c->rbuf + off, c->rlen - off);
	c->rlen -= off;
	/* On EOF the client has half-closed: replies already queued are
	 * flushed best-effort, then the connection goes. */
	if (eof) {
		if (conn_flush(s, c) == 0)
			conn_close(s, c);
	}
}

void tcp_conn_event(struct server *s, struct conn *c, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		int fd = c->fd;
		uint32_t gen = s->fds[fd].gen;
		conn_read(s, c);
		if (s->fds[fd].gen != gen || s->fds[fd].obj != c)
			return; /* closed */
	}
	if (events & EPOLLOUT)
		conn_flush(s, c);
}

void tcp_sweep_idle(struct server *s, int64_t now)
{
	for (struct conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (now - c->last_ms > RSP_TCP_IDLE_MS)
			conn_close(s, c);
	}
}

void tcp_close_all(struct server *s)
{
	while (s->conns)
		conn_close(s, s->conns);
}
