/*
 * responder_cache.c - reply wire cache.
 *
 * Building a reply with ldns costs several allocations (and ldns_pkt2wire
 * alone would malloc 64 KiB), far too slow for a 10,000-query burst.  A
 * reply depends only on the behaviour, the expire phase, the question
 * (lower-cased), the query flags we echo and the size limit, so the wire is
 * cached under that key; the caller patches the ID and copies the question
 * name back in to restore the client's 0x20 case.
 *
 * Direct-mapped (one entry per slot, a collision replaces): bounded memory,
 * no eviction bookkeeping, and the hit path is one hash + one memcmp.
 */
#include "responder.h"

#include <stdlib.h>
#include <string.h>

struct centry {
	struct cache_key key;
	size_t len;
	uint8_t wire[];
};

struct reply_cache {
	size_t mask;
	struct centry **slot;
};

static size_t key_bytes(const struct cache_key *k)
{
	return offsetof(struct cache_key, lname) + k->qlen;
}

struct reply_cache *cache_new(size_t slots)
{
	struct reply_cache *c = xcalloc(1, sizeof *c);
	size_t n = 1;
	while (n < slots)
		n <<= 1;
	c->mask = n - 1;
	c->slot = xcalloc(n, sizeof *c->slot);
	return c;
}

void cache_clear(struct reply_cache *c)
{
	for (size_t i = 0; i <= c->mask; i++) {
		free(c->slot[i]);
		c->slot[i] = NULL;
	}
}

void cache_free(struct reply_cache *c)
{
	if (!c)
		return;
	cache_clear(c);
	free(c->slot);
	free(c);
}

const uint8_t *cache_get(struct reply_cache *c, const struct cache_key *k, size_t *len)
{
	size_t kb = key_bytes(k);
	struct centry *e = c->slot[hash_bytes(k, kb) & c->mask];
	if (!e || memcmp(&e->key, k, kb))
		return NULL;
	*len = e->len;
	return e->wire;
}

void cache_put(struct reply_cache *c, const struct cache_key *k, const uint8_t *wire, size_t len)
{
	size_t kb = key_bytes(k);
	size_t h = hash_bytes(k, kb) & c->mask;
	struct centry *e = malloc(sizeof *e + len);
	if (!e)
		return; /* a cache is optional */
	memset(&e->key, 0, sizeof e->key);
	memcpy(&e->key, k, kb);
	e->len = len;
	memcpy(e->wire, wire, len);
	free(c->slot[h]);
	c->slot[h] = e;
}
