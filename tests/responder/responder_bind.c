/*
 * responder_bind.c - decides which sockets the endpoints need and opens or
 * closes sockets to match (at startup and on every SIGHUP, so a reload only
 * touches sockets whose endpoints changed).
 *
 * Strategy per (family, port) group of endpoints ("bind" directive):
 *   specific  one UDP socket + TCP listener per address;
 *   wildcard  one pair bound to 0.0.0.0:PORT serving every 127.x address
 *             (IP_PKTINFO tells the destination apart, see responder_udp.c);
 *   auto      (default) wildcard when a port has more than
 *             RSP_AUTO_WILDCARD addresses, else specific; if the wildcard
 *             bind fails with EADDRINUSE (another process holds some
 *             127.x:PORT), fall back to specific binds.
 * Specific binds keep small test configs from grabbing a whole port for all
 * of 127/8, so several responders (or unbound) can share a port number on
 * different addresses.  IPv6 is always specific: ::1 is the only loopback.
 */
#include "responder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sock_set_buffers(int fd)
{
	/* Big buffers absorb a 10,000-query burst without drops.  The FORCE
	 * variants ignore net.core.rmem_max but need CAP_NET_ADMIN. */
	int sz = 32 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
}

static void bind_close(struct server *s, struct bindsock *b)
{
	if (b->udp_fd >= 0)
		fd_close(s, b->udp_fd);
	if (b->tcp_fd >= 0)
		fd_close(s, b->tcp_fd);
	free(b);
}

static int key_cmp(const void *a, const void *b)
{
	const struct ep_key *x = a, *y = b;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Opens one UDP socket + TCP listener; errno is set on failure. */
static struct bindsock *bind_open(struct server *s, const struct ep_key *k, bool wildcard)
{
	struct bindsock *b = xcalloc(1, sizeof *b);
	b->key = *k;
	b->wildcard = wildcard;
	b->udp_fd = b->tcp_fd = -1;
	if (udp_open(s, b) < 0 || tcp_open(s, b) < 0) {
		int e = errno;
		bind_close(s, b);
		errno = e;
		return NULL;
	}
	if (s->nbinds == s->capbinds) {
		s->capbinds = s->capbinds ? s->capbinds * 2 : 16;
		s->binds = xrealloc(s->binds, s->capbinds, sizeof *s->binds);
	}
	s->binds[s->nbinds++] = b;
	return b;
}

/* Failures are counted, and only the first few are logged: a busy port
 * with 10,000 addresses must not print 10,000 lines. */
struct failures {
	unsigned n;
	bool out_of_fds;
};

static void report(struct failures *f, const struct ep_key *k, int err)
{
	if (err == EMFILE || err == ENFILE)
		f->out_of_fds = true;
	if (f->n++ < 5) {
		char a[80];
		key_format(k, a, sizeof a);
		rsp_log("cannot bind %s (udp+tcp): %s", a, strerror(err));
	}
}

/* Existing binds indexed by key for the reconcile pass (a wildcard key has
 * a zero address, which no specific loopback bind can have). */
struct bindex {
	size_t mask;
	uint32_t *slot; /* index+1 into s->binds */
};

static struct bindsock *bindex_find(const struct server *s, const struct bindex *x,
                                    const struct ep_key *k)
{
	for (size_t h = hash_bytes(k, sizeof *k) & x->mask; x->slot[h]; h = (h + 1) & x->mask) {
		struct bindsock *b = s->binds[x->slot[h] - 1];
		if (!memcmp(&b->key, k, sizeof *k))
			return b;
	}
	return NULL;
}

static void bindex_add(const struct server *s, struct bindex *x, size_t i)
{
	size_t h = hash_bytes(&s->binds[i]->key, sizeof s->binds[i]->key) & x->mask;
	while (x->slot[h])
		h = (h + 1) & x->mask;
	x->slot[h] = (uint32_t)i + 1;
}

int binds_reconcile(struct server *s, const struct config *c)
{
	struct failures fail = { 0, false };
	struct ep_key *keys = xrealloc(NULL, c->neps, sizeof *keys);
	for (size_t i = 0; i < c->neps; i++)
		keys[i] = c->eps[i].key;
	qsort(keys, c->neps, sizeof *keys, key_cmp);

	struct bindex x;
	size_t cap = 16;
	while (cap < s->nbinds * 2)
		cap *= 2;
	x.mask = cap - 1;
	x.slot = xcalloc(cap, sizeof *x.slot);
	for (size_t i = 0; i < s->nbinds; i++) {
		bindex_add(s, &x, i);
		s->binds[i]->keep = false;
	}

	/* Pass 1: mark what stays.  wild[g] records each group's choice. */
	size_t ngroups = 0;
	for (size_t i = 0; i < c->neps; i++)
		if (!i || keys[i].family != keys[i - 1].family || keys[i].port != keys[i - 1].port)
			ngroups++;
	bool *wild = xcalloc(ngroups, sizeof *wild);
	for (size_t i = 0, g = 0; i < c->neps; g++) {
		size_t j = i;
		while (j < c->neps && keys[j].family == keys[i].family &&
		       keys[j].port == keys[i].port)
			j++;
		wild[g] = keys[i].family == 4 &&
		          (c->bind_mode == BIND_WILDCARD ||
		           (c->bind_mode == BIND_AUTO && j - i > RSP_AUTO_WILDCARD));
		struct ep_key wk;
		memset(&wk, 0, sizeof wk);
		wk.family = 4;
		wk.port = keys[i].port;
		if (wild[g]) {
			struct bindsock *wb = bindex_find(s, &x, &wk);
			if (wb)
				wb->keep = true;
		} else {
			for (size_t k = i; k < j; k++) {
				struct bindsock *b = bindex_find(s, &x, &keys[k]);
				if (b)
					b->keep = true;
			}
		}
		i = j;
	}

	/* Close the rest first so their ports are free for the new binds. */
	size_t kept = 0;
	for (size_t i = 0; i < s->nbinds; i++) {
		if (s->binds[i]->keep)
			s->binds[kept++] = s->binds[i];
		else
			bind_close(s, s->binds[i]);
	}
	s->nbinds = kept;
	free(x.slot);
	cap = 16;
	while (cap < s->nbinds * 2 + c->neps * 2 + 2)
		cap *= 2;
	x.mask = cap - 1;
	x.slot = xcalloc(cap, sizeof *x.slot);
	for (size_t k = 0; k < s->nbinds; k++)
		bindex_add(s, &x, k);

	/* Pass 2: open what is missing. */
	for (size_t i = 0, g = 0; i < c->neps; g++) {
		size_t j = i;
		while (j < c->neps && keys[j].family == keys[i].family &&
		       keys[j].port == keys[i].port)
			j++;
		bool specific = !wild[g];
		if (wild[g]) {
			struct ep_key wk;
			char a[80];
			memset(&wk, 0, sizeof wk);
			wk.family = 4;
			wk.port = keys[i].port;
			key_format(&wk, a, sizeof a);
			if (bindex_find(s, &x, &wk)) {
				/* kept from before */
			} else if (bind_open(s, &wk, true)) {
				bindex_add(s, &x, s->nbinds - 1);
			} else if (errno == EADDRINUSE && c->bind_mode == BIND_AUTO &&
			           (j - i) * 2 + s->nbinds * 2 + 64 < (size_t)s->nfds) {
				rsp_log("%s is busy (another process uses some 127.x:%u), "
				        "binding its %zu addresses one by one",
				        a, wk.port, j - i);
				specific = true;
			} else {
				report(&fail, &wk, errno);
				if (errno == EADDRINUSE)
					rsp_log("another process uses port %u on some 127.x address; "
					        "use another port or 'bind specific'",
					        wk.port);
			}
		}
		for (size_t k = i; specific && k < j && !fail.out_of_fds; k++) {
			if (bindex_find(s, &x, &keys[k]))
				continue;
			if (bind_open(s, &keys[k], false))
				bindex_add(s, &x, s->nbinds - 1);
			else
				report(&fail, &keys[k], errno);
		}
		i = j;
	}
	if (fail.n > 5)
		rsp_log("... %u bind failures in all", fail.n);
	if (fail.out_of_fds)
		rsp_log("out of file descriptors: use fewer ports/addresses or 'bind wildcard'");
	free(x.slot);
	free(wild);
	free(keys);
	return fail.n ? -1 : 0;
}

void binds_close_all(struct server *s)
{
	for (size_t i = 0; i < s->nbinds; i++)
		bind_close(s, s->binds[i]);
	free(s->binds);
	s->binds = NULL;
	s->nbinds = s->capbinds = 0;
}
