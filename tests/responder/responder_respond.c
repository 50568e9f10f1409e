/*
 * responder_respond.c - applies an endpoint's behaviour to one query and
 * produces the bytes to send (or nothing).  Transport-independent: UDP and
 * TCP both call rsp_respond(); the differences are that TCP never truncates,
 * never drops (drop= simulates packet loss), and closes the connection for
 * wrong-source (a TCP reply cannot come from another address).
 *
 * expire=DUR: the endpoint serves the serve= set with every TTL equal to the
 * seconds remaining (rounded up, so never 0 while it lasts), then the then=
 * set with its own TTLs (or ttl=N).  The clock starts at config load (process
 * start, or the SIGHUP that introduced or changed the endpoint) unless
 * expire-from=first, where it starts at the endpoint's first query.
 */
#include "responder.h"

#include <stdio.h>
#include <string.h>

static void log_query(const struct endpoint *ep, const struct query *q, bool tcp)
{
	char a[80], name[1024];
	size_t o = 0;
	key_format(&ep->key, a, sizeof a);
	for (size_t i = 0; i < q->qname_len && q->qname[i] && o + 8 < sizeof name;) {
		uint8_t l = q->qname[i++];
		for (uint8_t j = 0; j < l && i < q->qname_len && o + 8 < sizeof name; j++, i++) {
			uint8_t ch = q->qname[i];
			if (ch > 32 && ch < 127 && ch != '.' && ch != '\\')
				name[o++] = (char)ch;
			else
				o += (size_t)snprintf(name + o, sizeof name - o, "\\%03u", ch);
		}
		name[o++] = '.';
	}
	if (!o)
		name[o++] = '.';
	name[o] = 0;
	rsp_log("%s %s %s type %u id %u", tcp ? "tcp" : "udp", a, name, q->qtype, q->id);
}

static size_t garbage(struct server *s, const struct behaviour *b, const uint8_t *w, size_t len,
                      uint8_t *out, size_t cap)
{
	size_t n = b->mode == MODE_GARBAGE_RAW ? 1 + rng_next(&s->rng) % 64
	                                       : 12 + rng_next(&s->rng) % 52;
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)rng_next(&s->rng);
	if (b->mode == MODE_GARBAGE && len >= 2 && n >= 12) {
		/* Looks like the reply to this query (same ID, QR=1) but claims
		 * 65535 records in every section, so no parser can accept it. */
		out[0] = w[0];
		out[1] = w[1];
		out[2] = (uint8_t)((out[2] | 0x80) & ~0x78);
		memset(out + 4, 0xff, 8);
	}
	return n;
}

static void patch(const struct behaviour *b, const struct query *q, uint8_t *out, size_t len)
{
	uint16_t id = b->wrong_id ? (uint16_t)(q->id ^ 0xffff) : q->id;
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	/* Echo the question exactly as asked (0x20 case); the cached copy was
	 * built for another spelling of the same name. */
	if (!b->wrong_question && len >= 12 + q->qname_len)
		memcpy(out + 12, q->qname, q->qname_len);
}

static bool same_question(const struct query *a, const struct query *b)
{
	return a->qname_len == b->qname_len && !memcmp(a->lname, b->lname, a->qname_len) &&
	       a->qtype == b->qtype && a->qclass == b->qclass && a->rd == b->rd && a->cd == b->cd &&
	       a->edns == b->edns && a->do_bit == b->do_bit && a->udp_size == b->udp_size;
}

enum rsp_action rsp_respond(struct server *s, struct endpoint *ep, const uint8_t *w, size_t len,
                            bool tcp, struct rsp_out *out)
{
	const struct behaviour *b = ep->b;
	if (tcp)
		ep->n_tcp++;
	else
		ep->n_udp++;
	out->len = 0;
	out->delay_ms = 0;
	out->other_source = b->wrong_source;

	if (b->mode == MODE_SILENT)
		return ACT_NONE;
	/* A resolver that stops answering: its cache may still hold an answer. */
	if (b->silent_after && ep->n_udp + ep->n_tcp > b->silent_after)
		return ACT_NONE;
	if (!tcp && b->drop > 0 && rng_double(&s->rng) < b->drop)
		return ACT_NONE;
	if (tcp && b->wrong_source)
		return ACT_CLOSE;
	if (b->delay_max_ms)
		out->delay_ms = b->delay_min_ms +
		                (uint32_t)(rng_next(&s->rng) %
		                           (b->delay_max_ms - b->delay_min_ms + 1));
	if (b->mode == MODE_GARBAGE || b->mode == MODE_GARBAGE_RAW) {
		out->len = garbage(s, b, w, len, out->buf, out->cap);
		return ACT_SEND;
	}

	struct query q;
	enum qparse r = query_parse_fast(w, len, &q);
	bool fast = r == QP_OK;
	if (r == QP_SLOW)
		r = query_parse_ldns(w, len, &q);
	if (r == QP_IGNORE)
		return ACT_NONE;
	if (r == QP_FORMERR || r == QP_NOTIMP) {
		out->len = reply_header_only(
		        w, len, r == QP_FORMERR ? LDNS_RCODE_FORMERR : LDNS_RCODE_NOTIMPL, out->buf,
		        out->cap);
		return out->len ? ACT_SEND : ACT_NONE;
	}
	if (s->verbose)
		log_query(ep, &q, tcp);

	const struct rset *set = b->serve >= 0 ? &s->cfg->sets[b->serve] : NULL;
	struct reply_params rp = { .b = b, .set = set, .ttl = b->ttl, .tcp = tcp };
	uint8_t phase = 0;
	bool cacheable = true;
	if (b->expire_ms) {
		int64_t now = now_ms();
		if (ep->t0_ms < 0)
			ep->t0_ms = now;
		int64_t left = (int64_t)b->expire_ms - (now - ep->t0_ms);
		if (left > 0) {
			rp.ttl = (left + 999) / 1000;
			cacheable = false; /* TTL changes every second */
		} else {
			rp.set = &s->cfg->sets[b->then];
			phase = 1;
		}
	}
	if (tcp)
		rp.limit = RSP_MAX_MSG;
	else if (q.edns)
		rp.limit = q.udp_size < 512           ? 512
		           : q.udp_size > RSP_MAX_UDP ? RSP_MAX_UDP
		                                      : q.udp_size;
	else
		rp.limit = 512;

	struct cache_key k;
	memset(&k, 0, offsetof(struct cache_key, lname));
	k.beh = b->idx;
	k.phase = phase;
	k.flags = (uint8_t)(q.rd | q.cd << 1 | q.edns << 2 | q.do_bit << 3 | tcp << 4 |
	                    q.nsid << 5);
	k.qlen = (uint8_t)q.qname_len;
	k.qtype = q.qtype;
	k.qclass = q.qclass;
	k.limit = (uint16_t)rp.limit;
	memcpy(k.lname, q.lname, q.qname_len);

	size_t clen;
	const uint8_t *cw = cacheable && fast ? cache_get(s->cache, &k, &clen) : NULL;
	if (cw && clen <= out->cap) {
		memcpy(out->buf, cw, clen);
		out->len = clen;
	} else {
		if (fast) {
			/* Cache miss: let ldns_wire2pkt have the final word on the
			 * query, and only cache if both parsers agree. */
			struct query lq;
			r = query_parse_ldns(w, len, &lq);
			if (r != QP_OK) {
				out->len = r == QP_IGNORE
				                   ? 0
				                   : reply_header_only(w, len,
				                                       r == QP_FORMERR
				                                               ? LDNS_RCODE_FORMERR
				                                               : LDNS_RCODE_NOTIMPL,
				                                       out->buf, out->cap);
				return out->len ? ACT_SEND : ACT_NONE;
			}
			if (!same_question(&q, &lq))
				cacheable = false;
			q = lq;
		}
		out->len = reply_build(s, &q, &rp, out->buf, out->cap);
		if (!out->len)
			out->len = reply_header_only(w, len, LDNS_RCODE_SERVFAIL, out->buf,
			                             out->cap);
		else if (cacheable && fast)
			cache_put(s->cache, &k, out->buf, out->len);
	}
	if (out->len >= 12)
		patch(b, &q, out->buf, out->len);
	return out->len ? ACT_SEND : ACT_NONE;
}
