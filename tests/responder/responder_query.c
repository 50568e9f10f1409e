/*
 * responder_query.c - turns a query datagram into a struct query.
 *
 * Two parsers:
 *   query_parse_fast  a strict hand-written parser for the common shape (one
 *                     question, no compression, optionally one OPT RR).  It
 *                     only exists to build the reply-cache key without any
 *                     allocation; anything unusual returns QP_SLOW.
 *   query_parse_ldns  ldns_wire2pkt, the authoritative parser.  It runs for
 *                     everything the fast parser declines and on every cache
 *                     miss, so a reply is only ever built for a query ldns
 *                     accepted.
 */
#include "responder.h"

#include <string.h>

static void lower_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	/* Label length bytes are <= 63, below 'A', so lower-casing the whole
	 * wire name only touches label characters. */
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (uint8_t)(src[i] | 0x20) : src[i];
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

enum qparse query_parse_fast(const uint8_t *w, size_t len, struct query *q)
{
	if (len < 12)
		return QP_SLOW;
	if (w[2] & 0x80)
		return QP_IGNORE; /* a response: never answer those (no loops) */
	if (((w[2] >> 3) & 0x0f) != 0 || rd16(w + 4) != 1 || rd16(w + 6) || rd16(w + 8) ||
	    rd16(w + 10) > 1)
		return QP_SLOW;
	size_t off = 12, nl = 0;
	for (;;) {
		if (off >= len)
			return QP_SLOW;
		uint8_t l = w[off];
		if (l & 0xc0)
			return QP_SLOW;
		if (nl + 1 + l > 255 || off + 1 + l > len)
			return QP_SLOW;
		memcpy(q->qname + nl, w + off, (size_t)l + 1);
		nl += (size_t)l + 1;
		off += (size_t)l + 1;
		if (!l)
			break;
	}
	if (off + 4 > len)
		return QP_SLOW;
	q->qname_len = nl;
	lower_copy(q->lname, q->qname, nl);
	q->qtype = rd16(w + off);
	q->qclass = rd16(w + off + 2);
	off += 4;
	q->edns = q->do_bit = q->nsid = false;
	q->udp_size = 0;
	if (rd16(w + 10) == 1) {
		/* OPT: root owner, type 41, class = UDP size, TTL = ext-rcode,
		 * version, flags; of the options only NSID matters. */
		if (off + 11 > len || w[off] != 0 || rd16(w + off + 1) != LDNS_RR_TYPE_OPT)
			return QP_SLOW;
		if (w[off + 6] != 0) /* EDNS version != 0: let ldns handle it */
			return QP_SLOW;
		size_t rdlen = rd16(w + off + 9);
		if (off + 11 + rdlen != len)
			return QP_SLOW;
		q->edns = true;
		q->udp_size = rd16(w + off + 3);
		q->do_bit = (w[off + 7] & 0x80) != 0;
		for (size_t o = off + 11; o + 4 <= len; o += 4 + rd16(w + o + 2))
			q->nsid |= rd16(w + o) == LDNS_EDNS_NSID;
	} else if (off != len) {
		return QP_SLOW;
	}
	q->id = rd16(w);
	q->opcode = 0;
	q->rd = (w[2] & 0x01) != 0;
	q->cd = (w[3] & 0x10) != 0;
	return QP_OK;
}

enum qparse query_parse_ldns(const uint8_t *w, size_t len, struct query *q)
{
	if (len < 12 || (w[2] & 0x80))
		return QP_IGNORE;
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, w, len) != LDNS_STATUS_OK || !p) {
		if (p)
			ldns_pkt_free(p);
		return QP_FORMERR;
	}
	enum qparse r = QP_OK;
	q->id = ldns_pkt_id(p);
	q->opcode = (uint8_t)ldns_pkt_get_opcode(p);
	q->rd = ldns_pkt_rd(p);
	q->cd = ldns_pkt_cd(p);
	if (ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY) {
		r = QP_NOTIMP;
	} else if (ldns_pkt_qdcount(p) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(p)) != 1) {
		r = QP_FORMERR;
	} else {
		const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		const ldns_rdf *owner = ldns_rr_owner(qr);
		size_t n = ldns_rdf_size(owner);
		if (!owner || n < 1 || n > 255 || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME) {
			r = QP_FORMERR;
		} else {
			memcpy(q->qname, ldns_rdf_data(owner), n);
			q->qname_len = n;
			lower_copy(q->lname, q->qname, n);
			q->qtype = (uint16_t)ldns_rr_get_type(qr);
			q->qclass = (uint16_t)ldns_rr_get_class(qr);
			q->edns = ldns_pkt_edns(p);
			q->udp_size = ldns_pkt_edns_udp_size(p);
			q->do_bit = ldns_pkt_edns_do(p);
			q->nsid = false;
			ldns_edns_option_list *l = ldns_pkt_edns_get_option_list(p);
			for (size_t i = 0; l && i < ldns_edns_option_list_get_count(l); i++)
				q->nsid |= ldns_edns_get_code(ldns_edns_option_list_get_option(
				                   l, i)) == LDNS_EDNS_NSID;
		}
	}
	ldns_pkt_free(p);
	return r;
}
