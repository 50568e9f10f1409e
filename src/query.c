/*
 * query.c -- build the query once, check replies byte by byte.
 */
#include <ctype.h>
#include <ldns/ldns.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "error.h"
#include "query.h"

static const char *const verdict_names[REPLY_VERDICT_COUNT] = {
	[REPLY_OK] = "ok",
	[REPLY_SHORT] = "short reply",
	[REPLY_BAD_ID] = "ID mismatch",
	[REPLY_NOT_QR] = "QR bit clear",
	[REPLY_BAD_QUESTION] = "question mismatch",
	[REPLY_MALFORMED] = "malformed reply",
};

const char *reply_verdict_name(enum reply_verdict v)
{
	return (unsigned)v < REPLY_VERDICT_COUNT ? verdict_names[v] : "?";
}

int query_parse_type(const char *s, int *type)
{
	/* ldns reads TYPEnnn with atoi(): check the number ourselves. */
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] != '\0') {
		unsigned long v = 0;
		for (const char *p = s + 4; *p; p++) {
			if (*p < '0' || *p > '9' ||
			    (v = v * 10 + (unsigned long)(*p - '0')) > 65535)
				return PW_ETYPE;
		}
		if (v == 0)
			return PW_ETYPE;
		*type = (int)v;
		return PW_OK;
	}
	ldns_rr_type t = ldns_get_rr_type_by_name(s);
	/* ldns returns 0 for unknown names; TYPE0 is never a useful question. */
	if (t == 0)
		return PW_ETYPE;
	*type = (int)t;
	return PW_OK;
}

struct ldns_struct_rdf *query_dname(const char *name)
{
	ldns_rdf *dname = NULL;

	if (name == NULL || *name == '\0' || ldns_str2rdf_dname(&dname, name) != LDNS_STATUS_OK)
		return NULL;
	if (!ldns_dname_str_absolute(name)) {
		/* "example.com" means the FQDN; make it absolute. */
		ldns_rdf *root = ldns_dname_new_frm_str(".");
		ldns_status st = root ? ldns_dname_cat(dname, root) : LDNS_STATUS_MEM_ERR;
		ldns_rdf_deep_free(root);
		if (st != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(dname);
			return NULL;
		}
	}
	return dname;
}

int query_init(struct query *q, const char *name, int type, bool rd, bool dnssec)
{
	ldns_rdf *dname;
	ldns_pkt *pkt = NULL;
	ldns_buffer *qbuf = NULL;
	int rc = PW_ENOMEM;

	memset(q, 0, sizeof *q);
	if ((dname = query_dname(name)) == NULL)
		return PW_ENAME;
	pkt = ldns_pkt_query_new(dname, (ldns_rr_type)type, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0);
	if (pkt == NULL)
		goto out; /* dname was not taken */
	dname = NULL;
	ldns_pkt_set_edns_udp_size(pkt, 1232);
	ldns_pkt_set_edns_do(pkt, dnssec);
	if (dnssec)
		ldns_pkt_set_cd(pkt, false);
	if (ldns_pkt2wire(&q->wire, pkt, &q->wirelen) != LDNS_STATUS_OK)
		goto out;

	qbuf = ldns_buffer_new(272);
	if (qbuf == NULL ||
	    ldns_rr2buffer_wire(qbuf, ldns_rr_list_rr(ldns_pkt_question(pkt), 0),
	                        LDNS_SECTION_QUESTION) != LDNS_STATUS_OK ||
	    ldns_buffer_position(qbuf) > sizeof q->qwire)
		goto out;
	q->qwirelen = ldns_buffer_position(qbuf);
	memcpy(q->qwire, ldns_buffer_begin(qbuf), q->qwirelen);
	/* Keep the absolute form: it is what every view prints. */
	q->name = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)));
	if (q->name == NULL)
		goto out;
	q->type = type;
	q->rd = rd;
	q->dnssec = dnssec;
	rc = PW_OK;
out:
	ldns_buffer_free(qbuf);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(dname);
	if (rc < 0)
		query_free(q);
	return rc;
}

void query_free(struct query *q)
{
	free(q->wire);
	free(q->name);
	q->wire = NULL;
	q->name = NULL;
}

void query_set_id(uint8_t *wire, uint16_t id)
{
	wire[0] = (uint8_t)(id >> 8);
	wire[1] = (uint8_t)id;
}

/* Compare the question on the wire with ours, names case-insensitively. */
static int question_matches(const struct query *q, const uint8_t *buf, size_t len)
{
	size_t namelen = q->qwirelen - 4;

	if (len < 12 + q->qwirelen || buf[4] != 0 || buf[5] != 1)
		return 0;
	/* Label length bytes are at most 63, below 'A', so folding the name
	 * bytes only ever changes letters (resolvers may echo 0x20 case). */
	for (size_t i = 0; i < namelen; i++)
		if (tolower(buf[12 + i]) != tolower(q->qwire[i]))
			return 0;
	return memcmp(buf + 12 + namelen, q->qwire + namelen, 4) == 0;
}

enum reply_verdict query_check_reply(const struct query *q, uint16_t id, const uint8_t *buf,
                                     size_t len, ldns_pkt **pkt)
{
	*pkt = NULL;
	if (len < 12)
		return REPLY_SHORT;
	if (((unsigned)buf[0] << 8 | buf[1]) != id)
		return REPLY_BAD_ID;
	if (!(buf[2] & 0x80))
		return REPLY_NOT_QR;
	/* Some servers (unbound's access-control refuse) answer errors with a
	 * bare header. Nothing in it is believed but the error itself. */
	int rcode = buf[3] & 0x0f;
	bool bare = len == 12 &&
	            (buf[4] | buf[5] | buf[6] | buf[7] | buf[8] | buf[9] | buf[10] | buf[11]) == 0;
	if (!(bare && (rcode == LDNS_RCODE_FORMERR || rcode == LDNS_RCODE_SERVFAIL ||
	               rcode == LDNS_RCODE_NOTIMPL || rcode == LDNS_RCODE_REFUSED)) &&
	    !question_matches(q, buf, len))
		return REPLY_BAD_QUESTION;
	if (ldns_wire2pkt(pkt, buf, len) != LDNS_STATUS_OK) {
		*pkt = NULL;
		return REPLY_MALFORMED;
	}
	return REPLY_OK;
}

uint16_t query_random_id(void)
{
	static __thread uint16_t pool[256];
	static __thread unsigned left;

	if (left == 0) {
		size_t got = 0;
		while (got < sizeof pool) {
			ssize_t n = getrandom((uint8_t *)pool + got, sizeof pool - got, 0);
			if (n > 0)
				got += (size_t)n;
		}
		left = sizeof pool / sizeof pool[0];
	}
	return pool[--left];
}
