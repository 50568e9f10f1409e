/*
 * responder_timer.c - delayed replies (delay=) in a binary min-heap ordered
 * by due time.  The event loop sleeps in epoll_wait() until the earliest
 * one is due.  Each entry carries a copy of the reply wire and names its
 * socket by (fd, generation), so a socket closed by a reload or a TCP
 * connection closed by the client just makes the entry a no-op.
 */
#include "responder.h"

#include <stdlib.h>
#include <string.h>

static bool earlier(const struct pending *a, const struct pending *b)
{
	return a->due_ms < b->due_ms;
}

static void sift_up(struct pending **h, size_t i)
{
	while (i) {
		size_t parent = (i - 1) / 2;
		if (!earlier(h[i], h[parent]))
			break;
		struct pending *t = h[i];
		h[i] = h[parent];
		h[parent] = t;
		i = parent;
	}
}

static void sift_down(struct pending **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && earlier(h[l], h[m]))
			m = l;
		if (r < n && earlier(h[r], h[m]))
			m = r;
		if (m == i)
			return;
		struct pending *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

int timer_add(struct server *s, uint32_t delay_ms, int fd, bool tcp,
              const struct sockaddr_storage *peer, socklen_t peerlen, const struct ep_key *src,
              const uint8_t *wire, size_t len)
{
	if (s->nheap >= RSP_MAX_PENDING || fd < 0 || fd >= s->nfds) {
		s->st.overload++;
		return -1;
	}
	struct pending *p = malloc(sizeof *p + len);
	if (!p) {
		s->st.overload++;
		return -1;
	}
	memset(p, 0, sizeof *p);
	p->due_ms = now_ms() + delay_ms;
	p->fd = fd;
	p->gen = s->fds[fd].gen;
	p->tcp = tcp;
	if (peer) {
		p->peer = *peer;
		p->peerlen = peerlen;
	}
	if (src)
		p->src = *src;
	p->len = len;
	memcpy(p->wire, wire, len);
	if (s->nheap == s->capheap) {
		s->capheap = s->capheap ? s->capheap * 2 : 64;
		s->heap = xrealloc(s->heap, s->capheap, sizeof *s->heap);
	}
	s->heap[s->nheap] = p;
	sift_up(s->heap, s->nheap++);
	return 0;
}

int64_t timer_next_due(const struct server *s)
{
	return s->nheap ? s->heap[0]->due_ms : -1;
}

void timer_run(struct server *s, int64_t now)
{
	while (s->nheap && s->heap[0]->due_ms <= now) {
		struct pending *p = s->heap[0];
		s->heap[0] = s->heap[--s->nheap];
		sift_down(s->heap, s->nheap, 0);
		const struct fdslot *fs = &s->fds[p->fd];
		if (fs->gen == p->gen) {
			if (p->tcp && fs->kind == FDK_TCP_CONN)
				tcp_queue_reply(s, fs->obj, p->wire, p->len);
			else if (!p->tcp && (fs->kind == FDK_UDP || fs->kind == FDK_AUX))
				udp_send_one(s, p->fd, &p->peer, p->peerlen, &p->src, p->wire,
				             p->len);
		}
		free(p);
	}
}

void timer_free_all(struct server *s)
{
	for (size_t i = 0; i < s->nheap; i++)
		free(s->heap[i]);
	free(s->heap);
	s->heap = NULL;
	s->nheap = s->capheap = 0;
}
