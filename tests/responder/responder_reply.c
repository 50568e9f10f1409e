/*
 * responder_reply.c - builds reply wire with ldns for one (behaviour, record
 * set, question).  Called only on a reply-cache miss; the result is cached
 * and later copies just get the ID and the question's 0x20 case patched.
 *
 * Header: QR=1, opcode QUERY, RD and CD copied, RA=1 unless `aa` or `nora`
 * (an authoritative server does not recurse), AA/AD from the behaviour.
 * Negative answers (NXDOMAIN, NODATA) carry the set's SOA in the authority
 * section with TTL = min(SOA TTL, SOA MINIMUM) per RFC 2308.  An answer that
 * does not fit the client's UDP limit (512, or its EDNS size clamped to
 * RSP_MAX_UDP) is replaced by an empty TC=1 reply, as real servers do.
 */
#include "responder.h"

#include <string.h>

static ldns_rr *question_rr(const struct query *q, bool wrong)
{
	uint8_t buf[256];
	size_t n = q->qname_len;
	const uint8_t *name = q->qname;
	if (wrong) {
		/* Another name the client did not ask for: "wrong-question.<qname>",
		 * or a fixed name when that would be too long. */
		static const uint8_t prefix[] = "\x0ewrong-question";
		static const uint8_t fixed[] = "\x0ewrong-question\x07invalid";
		size_t pl = sizeof prefix - 1;
		if (pl + n <= 255) {
			memcpy(buf, prefix, pl);
			memcpy(buf + pl, q->qname, n);
			n += pl;
		} else {
			n = sizeof fixed; /* includes the terminating root label */
			memcpy(buf, fixed, n);
		}
		name = buf;
	}
	ldns_rr *rr = ldns_rr_new();
	ldns_rr_set_owner(rr, ldns_dname_new_frm_data((uint16_t)n, name));
	ldns_rr_set_type(rr, (ldns_rr_type)q->qtype);
	ldns_rr_set_class(rr, (ldns_rr_class)q->qclass);
	ldns_rr_set_question(rr, true);
	return rr;
}

static void push_list(ldns_pkt *p, ldns_pkt_section sec, ldns_rr_list *l, int64_t ttl)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ttl >= 0)
			ldns_rr_set_ttl(rr, (uint32_t)ttl);
		ldns_pkt_push_rr(p, sec, ldns_rr_clone(rr));
	}
}

/* One attempt at the packet; `empty_tc` drops all records and sets TC. */
static size_t encode(struct server *s, const struct query *q, const struct reply_params *rp,
                     int rcode, ldns_rr_list *ans, ldns_rr_list *auth, bool empty_tc, uint8_t *out,
                     size_t cap)
{
	const struct behaviour *b = rp->b;
	ldns_pkt *p = ldns_pkt_new();
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	ldns_pkt_set_rd(p, q->rd);
	ldns_pkt_set_cd(p, q->cd);
	ldns_pkt_set_ra(p, !(b->aa || b->nora));
	ldns_pkt_set_aa(p, b->aa);
	ldns_pkt_set_ad(p, b->ad);
	ldns_pkt_set_tc(p, empty_tc);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, question_rr(q, b->wrong_question));
	if (!empty_tc) {
		push_list(p, LDNS_SECTION_ANSWER, ans, rp->ttl);
		push_list(p, LDNS_SECTION_AUTHORITY, auth, rp->ttl);
	}
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, 1232);
		ldns_pkt_set_edns_do(p, q->do_bit);
		if (q->nsid && b->nsid) {
			ldns_edns_option_list *l = ldns_edns_option_list_new();
			ldns_edns_option *o = ldns_edns_new_from_data(LDNS_EDNS_NSID,
			                                              strlen(b->nsid), b->nsid);
			if (l != NULL && o != NULL && ldns_edns_option_list_push(l, o)) {
				ldns_pkt_set_edns_option_list(p, l); /* the packet owns it */
			} else {
				if (o != NULL)
					ldns_edns_deep_free(o);
				if (l != NULL)
					ldns_edns_option_list_deep_free(l);
			}
		}
	}
	ldns_buffer_clear(s->lbuf);
	size_t len = 0;
	if (ldns_pkt2buffer_wire(s->lbuf, p) == LDNS_STATUS_OK) {
		len = ldns_buffer_position(s->lbuf);
		if (len <= cap)
			memcpy(out, ldns_buffer_begin(s->lbuf), len);
		else
			len = SIZE_MAX; /* too big for the caller: retry truncated */
	} else {
		len = SIZE_MAX;
	}
	ldns_pkt_free(p);
	return len;
}

size_t reply_build(struct server *s, const struct query *q, const struct reply_params *rp,
                   uint8_t *out, size_t cap)
{
	const struct behaviour *b = rp->b;
	ldns_rr_list *ans = ldns_rr_list_new(), *auth = ldns_rr_list_new();
	int rcode = LDNS_RCODE_NOERROR;
	bool negative = false;

	switch (b->mode) {
	case MODE_SERVE: {
		if (q->qclass != LDNS_RR_CLASS_IN && q->qclass != LDNS_RR_CLASS_ANY) {
			rcode = LDNS_RCODE_REFUSED; /* sets only hold class IN data */
			break;
		}
		ldns_rdf *qname = ldns_dname_new_frm_data((uint16_t)q->qname_len, q->qname);
		rcode = rp->set ? set_lookup(rp->set, qname, (ldns_rr_type)q->qtype, ans)
		                : LDNS_RCODE_NXDOMAIN;
		ldns_rdf_deep_free(qname);
		size_t n = ldns_rr_list_rr_count(ans);
		/* NODATA also when a CNAME chain ends at a name without the type. */
		negative = rcode == LDNS_RCODE_NXDOMAIN || n == 0 ||
		           (q->qtype != LDNS_RR_TYPE_ANY &&
		            ldns_rr_get_type(ldns_rr_list_rr(ans, n - 1)) != q->qtype);
		break;
	}
	case MODE_NXDOMAIN:
		rcode = LDNS_RCODE_NXDOMAIN;
		negative = true;
		break;
	case MODE_NODATA: negative = true; break;
	default: rcode = b->rcode; break;
	}
	if (negative && rp->set && rp->set->soa) {
		ldns_rr *soa = ldns_rr_clone(rp->set->soa);
		uint32_t min = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
		if (min < ldns_rr_ttl(soa))
			ldns_rr_set_ttl(soa, min);
		ldns_rr_list_push_rr(auth, soa);
	}

	size_t limit = rp->limit < cap ? rp->limit : cap;
	bool tc = b->truncate && !rp->tcp;
	size_t len = encode(s, q, rp, rcode, ans, auth, tc, out, limit);
	if (len == SIZE_MAX && !tc)
		len = encode(s, q, rp, rcode, ans, auth, true, out, limit);
	if (len == SIZE_MAX)
		len = 0;
	ldns_rr_list_deep_free(ans);
	ldns_rr_list_deep_free(auth);
	return len;
}

/* FORMERR / NOTIMP for queries ldns could not make sense of: a bare header. */
size_t reply_header_only(const uint8_t *query, size_t qlen, int rcode, uint8_t *out, size_t cap)
{
	if (qlen < 12 || cap < 12)
		return 0;
	memset(out, 0, 12);
	out[0] = query[0];
	out[1] = query[1];
	out[2] = (uint8_t)(0x80 | (query[2] & 0x79)); /* QR, opcode, RD */
	out[3] = (uint8_t)(rcode & 0x0f);
	return 12;
}
