/*
 * query.c -- build the query once, spell each try's name in random case,
 * check replies byte by byte.
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
	[REPLY_BAD_CASE] = "0x20 case mismatch",
	[REPLY_MALFORMED] = "malformed reply",
};

const char *reply_verdict_name(enum reply_verdict v)
{
	return (unsigned)v < REPLY_VERDICT_COUNT ? verdict_names[v] : "?";
}

/* Types that ask for no records: OPT (41) and the meta range 128-254
 * (TKEY, TSIG, IXFR, AXFR, MAILB, MAILA and the unassigned rest). ANY
 * (255) stays: it is a real question, if a poor one. */
static bool meta_type(unsigned long t)
{
	return t == 41 || (t >= 128 && t <= 254);
}

int query_parse_type(const char *s, int *type)
{
	unsigned long v = 0;
	/* ldns reads TYPEnnn with atoi(): check the number ourselves. */
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] != '\0') {
		for (const char *p = s + 4; *p; p++) {
			if (*p < '0' || *p > '9' ||
			    (v = v * 10 + (unsigned long)(*p - '0')) > 65535)
				return PW_ETYPE;
		}
	} else {
		/* ldns returns 0 for unknown names; TYPE0 is never a useful question. */
		v = ldns_get_rr_type_by_name(s);
	}
	if (v == 0)
		return PW_ETYPE;
	if (meta_type(v))
		return PW_EMETATYPE;
	*type = (int)v;
	return PW_OK;
}

struct ldns_struct_rdf *query_dname(const char *name)
{
	ldns_rdf *dname = NULL;

	if (name == NULL || *name == '\0')
		return NULL;
	/* ldns takes a bare space or control byte into a label; on a command
	 * line that is a typo (or a quoting slip), not a name. */
	for (const char *c = name; *c; c++) {
		if (*c == '\\' && c[1] != '\0')
			c++;
		else if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return NULL;
	}
	if (ldns_str2rdf_dname(&dname, name) != LDNS_STATUS_OK)
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

void query_opts_default(struct query_opts *o)
{
	memset(o, 0, sizeof *o);
	o->qclass = LDNS_RR_CLASS_IN;
	o->rd = true;
	o->edns = 0;
}

/* The EDNS options of o, or NULL for none. */
static ldns_edns_option_list *edns_options(const struct query_opts *o)
{
	/* ECS for the documentation prefix 198.51.100.0/24 (RFC 5737), scope 0. */
	static const uint8_t ecs[] = { 0, 1, 24, 0, 198, 51, 100 };
	ldns_edns_option_list *l;

	if (!o->nsid && !o->ecs && !o->unknown_option)
		return NULL;
	if ((l = ldns_edns_option_list_new()) == NULL)
		return NULL;
	if (o->nsid)
		ldns_edns_option_list_push(l, ldns_edns_new_from_data(LDNS_EDNS_NSID, 0, ""));
	if (o->ecs)
		ldns_edns_option_list_push(
		        l, ldns_edns_new_from_data(LDNS_EDNS_CLIENT_SUBNET, sizeof ecs, ecs));
	if (o->unknown_option)
		ldns_edns_option_list_push(
		        l, ldns_edns_new_from_data((ldns_edns_option_code)o->unknown_option, 4,
		                                   "pw20"));
	return l;
}

int query_new(struct query *q, const char *name, int type, const struct query_opts *o)
{
	ldns_rdf *dname;
	ldns_pkt *pkt = NULL;
	ldns_buffer *qbuf = NULL;
	int rc = PW_ENOMEM;

	memset(q, 0, sizeof *q);
	if ((dname = query_dname(name)) == NULL)
		return PW_ENAME;
	q->name = ldns_rdf2str(dname);
	ldns_dname2canonical(dname);
	pkt = ldns_pkt_query_new(dname, (ldns_rr_type)type, (ldns_rr_class)o->qclass,
	                         o->rd ? LDNS_RD : 0);
	if (pkt == NULL || q->name == NULL)
		goto out; /* dname was not taken */
	dname = NULL;
	if (o->cd)
		ldns_pkt_set_cd(pkt, true);
	if (o->edns >= 0) {
		ldns_pkt_set_edns_udp_size(pkt, 1232);
		ldns_pkt_set_edns_version(pkt, (uint8_t)o->edns);
		ldns_pkt_set_edns_do(pkt, o->dnssec);
		ldns_edns_option_list *l = edns_options(o);
		if (l != NULL)
			ldns_pkt_set_edns_option_list(pkt, l); /* the packet owns it now */
		/* ldns writes OPT only when some EDNS field is set: udp size is. */
	}
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
	for (size_t i = 0; i + 4 < q->qwirelen; i++)
		q->nletters += isalpha(q->qwire[i]) != 0;
	q->type = type;
	q->o = *o;
	rc = PW_OK;
out:
	ldns_buffer_free(qbuf);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(dname);
	if (rc < 0)
		query_free(q);
	return rc;
}

int query_init(struct query *q, const char *name, int type, bool rd, bool dnssec)
{
	struct query_opts o;
	query_opts_default(&o);
	o.rd = rd;
	o.dnssec = dnssec;
	return query_new(q, name, type, &o);
}

void query_free(struct query *q)
{
	free(q->wire);
	free(q->name);
	q->wire = NULL;
	q->name = NULL;
}

/* The 0x20 spelling: letter k of the name is upper case when bit k of a
 * stream drawn from seed is set (xorshift32: cheap to redo when checking). */
static void spell(const struct query *q, uint8_t *name, uint32_t seed)
{
	uint32_t x = seed;
	unsigned bit = 32;
	for (size_t i = 0; i + 4 < q->qwirelen; i++) {
		uint8_t c = q->qwire[i];
		if (!isalpha(c)) {
			name[i] = c;
			continue;
		}
		if (bit == 32) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			bit = 0;
		}
		name[i] = (x >> bit++) & 1 ? (uint8_t)toupper(c) : c;
	}
}

void query_prepare(const struct query *q, uint8_t *wire, uint16_t id, uint32_t case_seed)
{
	wire[0] = (uint8_t)(id >> 8);
	wire[1] = (uint8_t)id;
	if (case_seed != 0)
		spell(q, wire + 12, case_seed);
	else
		memcpy(wire + 12, q->qwire, q->qwirelen - 4);
}

/* Compare the question on the wire with ours: REPLY_OK, REPLY_BAD_CASE
 * when only the 0x20 case differs, else REPLY_BAD_QUESTION. */
static enum reply_verdict question_matches(const struct query *q, uint32_t seed, const uint8_t *buf,
                                           size_t len)
{
	size_t namelen = q->qwirelen - 4;
	uint8_t sent[272];

	if (len < 12 + q->qwirelen || buf[4] != 0 || buf[5] != 1 ||
	    memcmp(buf + 12 + namelen, q->qwire + namelen, 4) != 0)
		return REPLY_BAD_QUESTION;
	/* Label length bytes are at most 63, below 'A', so folding the name
	 * bytes only ever changes letters. */
	for (size_t i = 0; i < namelen; i++)
		if (tolower(buf[12 + i]) != q->qwire[i])
			return REPLY_BAD_QUESTION;
	if (seed == 0)
		return REPLY_OK;
	spell(q, sent, seed);
	return memcmp(buf + 12, sent, namelen) == 0 ? REPLY_OK : REPLY_BAD_CASE;
}

/* More than one TSIG record in the additional section? ldns 1.8.3 keeps
 * the last and leaks the others (ldns_pkt_set_tsig frees nothing), so such
 * a message, which RFC 8945 does not allow anyway, must not reach it.
 * Walks names and rdata lengths only, and only when two additional records
 * could be TSIGs (a usual reply has one at most, its OPT); where the walk
 * cannot go on, neither can ldns's parse, which then rejects the message. */
static bool wire_tsigs_ok(const uint8_t *b, size_t len)
{
	if ((b[10] << 8 | b[11]) < 2)
		return true;
	size_t qd = (size_t)(b[4] << 8 | b[5]);
	size_t ad = qd + (size_t)(b[6] << 8 | b[7]) + (size_t)(b[8] << 8 | b[9]);
	size_t n = ad + (size_t)(b[10] << 8 | b[11]);
	unsigned tsigs = 0;

	for (size_t i = 0, off = 12; i < n; i++) {
		for (;;) { /* the owner name */
			if (off >= len)
				return true;
			uint8_t l = b[off];
			if ((l & 0xc0) == 0xc0) { /* a pointer ends it */
				off += 2;
				break;
			}
			if (l & 0xc0)
				return true;
			off += 1u + l;
			if (l == 0)
				break;
		}
		if (off + 4 > len)
			return true;
		unsigned type = (unsigned)(b[off] << 8 | b[off + 1]);
		off += 4;
		if (i < qd)
			continue;
		if (off + 6 > len)
			return true;
		off += 6 + (size_t)(b[off + 4] << 8 | b[off + 5]);
		if (i >= ad && type == LDNS_RR_TYPE_TSIG && ++tsigs > 1)
			return false;
	}
	return true;
}

/* ldns_wire2pkt for a message from the network (see wire_tsigs_ok). */
int query_wire2pkt(ldns_pkt **pkt, const uint8_t *buf, size_t len)
{
	*pkt = NULL;
	if (len >= 12 && !wire_tsigs_ok(buf, len))
		return LDNS_STATUS_WIRE_INCOMPLETE_ADDITIONAL;
	return (int)ldns_wire2pkt(pkt, buf, len);
}

enum reply_verdict query_check_reply(const struct query *q, uint16_t id, uint32_t case_seed,
                                     const uint8_t *buf, size_t len, ldns_pkt **pkt)
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
	               rcode == LDNS_RCODE_NOTIMPL || rcode == LDNS_RCODE_REFUSED))) {
		enum reply_verdict v = question_matches(q, case_seed, buf, len);
		if (v != REPLY_OK)
			return v;
	}
	if (query_wire2pkt(pkt, buf, len) != LDNS_STATUS_OK) {
		*pkt = NULL;
		return REPLY_MALFORMED;
	}
	return REPLY_OK;
}

/* Random bytes from the kernel, buffered per thread: one getrandom() per
 * 512 bytes keeps a 60,000-query sweep to about 250 system calls. */
static void random_bytes(void *out, size_t n)
{
	static __thread uint8_t pool[512];
	static __thread size_t left;

	for (uint8_t *o = out; n > 0; n--) {
		if (left == 0) {
			size_t got = 0;
			while (got < sizeof pool) {
				ssize_t k = getrandom(pool + got, sizeof pool - got, 0);
				if (k > 0)
					got += (size_t)k;
			}
			left = sizeof pool;
		}
		*o++ = pool[--left];
	}
}

uint16_t query_random_id(void)
{
	uint16_t v;
	random_bytes(&v, sizeof v);
	return v;
}

uint32_t query_random_seed(void)
{
	uint32_t v;
	do
		random_bytes(&v, sizeof v);
	while (v == 0);
	return v;
}
