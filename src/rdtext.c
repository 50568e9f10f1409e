/*
 * rdtext.c -- a memo of records already turned into text: see rdtext.h.
 *
 * Direct-mapped: a slot per hash, a colliding record replaces the one
 * there. Sweeps see few distinct records, and a miss costs no more than
 * printing did before.
 */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdtext.h"

#define SLOTS   256
#define KEY_MAX 1024 /* longer records are printed every time */

struct entry {
	uint64_t hash;
	size_t len;
	uint8_t *key;
	char *text;
};

struct rdtext {
	struct entry e[SLOTS];
	size_t lookups, hits;
};

struct rdtext *rdtext_new(void)
{
	return calloc(1, sizeof(struct rdtext));
}

void rdtext_free(struct rdtext *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		free(m->e[i].key);
		free(m->e[i].text);
	}
	free(m);
}

static bool append(uint8_t *key, size_t *len, const void *p, size_t n)
{
	if (*len + n > KEY_MAX)
		return false;
	memcpy(key + *len, p, n);
	*len += n;
	return true;
}

/* type, class, whether the owner shows, the owner, then every field
 * with its type and length: distinct records give distinct keys. */
static bool make_key(const ldns_rr *rr, bool with_owner, uint8_t *key, size_t *len)
{
	uint16_t hdr[3] = { (uint16_t)ldns_rr_get_type(rr), (uint16_t)ldns_rr_get_class(rr),
		            with_owner };
	*len = 0;
	if (!append(key, len, hdr, sizeof hdr))
		return false;
	if (with_owner) {
		const ldns_rdf *o = ldns_rr_owner(rr);
		uint16_t n = (uint16_t)ldns_rdf_size(o);
		if (!append(key, len, &n, sizeof n) || !append(key, len, ldns_rdf_data(o), n))
			return false;
	}
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		uint16_t fh[2] = { (uint16_t)ldns_rdf_get_type(f), (uint16_t)ldns_rdf_size(f) };
		if (!append(key, len, fh, sizeof fh) ||
		    !append(key, len, ldns_rdf_data(f), ldns_rdf_size(f)))
			return false;
	}
	return true;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

char *rdtext_get(struct rdtext *m, const ldns_rr *rr, bool with_owner,
                 char *(*print)(const ldns_rr *rr, bool with_owner))
{
	uint8_t key[KEY_MAX];
	size_t len;

	if (m == NULL || !make_key(rr, with_owner, key, &len))
		return print(rr, with_owner);
	m->lookups++;
	uint64_t h = fnv1a(key, len);
	struct entry *e = &m->e[h % SLOTS];
	if (e->text && e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
		m->hits++;
		return strdup(e->text);
	}
	char *text = print(rr, with_owner);
	if (text == NULL)
		return NULL;
	uint8_t *k = malloc(len);
	char *t = strdup(text);
	if (k == NULL || t == NULL) {
		/* The memo is an optimisation: without room, just answer. */
		free(k);
		free(t);
		return text;
	}
	free(e->key);
	free(e->text);
	memcpy(k, key, len);
	*e = (struct entry){ .hash = h, .len = len, .key = k, .text = t };
	return text;
}

void rdtext_counts(const struct rdtext *m, size_t *lookups, size_t *hits)
{
	*lookups = m ? m->lookups : 0;
	*hits = m ? m->hits : 0;
}
