/*
 * answer.c -- reduce a validated reply to a struct answer, and the small
 * helpers that go with answers: copies, rcode names, cache TTLs.
 */
#include <ctype.h>
#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answer.h"
#include "error.h"
#include "rdtext.h"

static const char *const status_names[ST_COUNT] = {
	[ST_PENDING] = "pending",   [ST_NEW] = "new",         [ST_STALE] = "stale",
	[ST_NXDOMAIN] = "nxdomain", [ST_NODATA] = "nodata",   [ST_SERVFAIL] = "servfail",
	[ST_REFUSED] = "refused",   [ST_TIMEOUT] = "timeout", [ST_UNREACHABLE] = "unreachable",
	[ST_ERROR] = "error",
};

const char *status_name(enum pw_status s)
{
	return (unsigned)s < ST_COUNT ? status_names[s] : "?";
}

int status_parse(const char *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

bool status_usable(enum pw_status s)
{
	return s == ST_NEW || s == ST_STALE || s == ST_NXDOMAIN || s == ST_NODATA;
}

bool answer_usable(const struct answer *a)
{
	return a->outcome == OUT_REPLY &&
	       (a->rcode == LDNS_RCODE_NOERROR || a->rcode == LDNS_RCODE_NXDOMAIN);
}

long answer_cache_ttl(const struct answer *a)
{
	return a->nrecords ? a->ttl : a->neg_ttl;
}

const char *rcode_name(int rcode, char *buf, size_t len)
{
	if (rcode < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (rcode == 16) { /* ldns names only the 4-bit header rcodes */
		snprintf(buf, len, "BADVERS");
		return buf;
	}
	/* ldns's own table (what ldns_pkt_rcode2str prints), without the
	 * buffer and the copy that costs for every row of a report. */
	const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rcode);
	if (lt != NULL && lt->name != NULL)
		return lt->name;
	snprintf(buf, len, "RCODE%d", rcode);
	return buf;
}

void answer_init(struct answer *a)
{
	memset(a, 0, sizeof *a);
	a->rcode = -1;
	a->ttl = -1;
	a->neg_ttl = -1;
	a->edns.ext_rcode = -1;
	a->edns.ecs_scope = -1;
	a->edns.ecs_source = -1;
}

void answer_set_detail(struct answer *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(a->detail);
	a->detail = buf[0] ? strdup(buf) : NULL;
}

const char *answer_detail(const struct answer *a)
{
	return a->detail ? a->detail : "";
}

/* records[0..n) in one block: the pointers, then the strings they point
 * to. One allocation an answer instead of one a record (60,000 answers are
 * kept), and records_free() is a single free(). NULL without memory. */
static char **records_pack(char *const *records, size_t n)
{
	size_t len = n * sizeof(char *);
	for (size_t i = 0; i < n; i++)
		len += strlen(records[i]) + 1;
	char **v = malloc(len ? len : 1);
	if (v == NULL)
		return NULL;
	char *p = (char *)(v + n);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(records[i]) + 1;
		memcpy(p, records[i], l);
		v[i] = p;
		p += l;
	}
	return v;
}

void records_free(char **records, size_t n)
{
	(void)n; /* packed: see records_pack() */
	free(records);
}

void answer_free(struct answer *a)
{
	records_free(a->records, a->nrecords);
	free(a->key);
	free(a->soa_owner);
	free(a->detail);
	free(a->edns.nsid);
	a->records = NULL;
	a->key = a->soa_owner = a->detail = a->edns.nsid = NULL;
	a->nrecords = 0;
}

int answer_copy(struct answer *dst, const struct answer *src)
{
	*dst = *src;
	dst->records = NULL;
	dst->nrecords = 0;
	dst->key = dst->soa_owner = dst->detail = dst->edns.nsid = NULL;
	if (records_copy(src->records, src->nrecords, &dst->records, &dst->nrecords) < 0 ||
	    (src->key != NULL && (dst->key = strdup(src->key)) == NULL) ||
	    (src->soa_owner != NULL && (dst->soa_owner = strdup(src->soa_owner)) == NULL) ||
	    (src->detail != NULL && (dst->detail = strdup(src->detail)) == NULL) ||
	    (src->edns.nsid != NULL && (dst->edns.nsid = strdup(src->edns.nsid)) == NULL)) {
		answer_free(dst);
		answer_init(dst);
		return PW_ENOMEM;
	}
	return PW_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Does printing rr's rdata go through a printer that can abort on hostile
 * input? ldns 1.8.3 writes SvcParam key names (SVCB/HTTPS) without making
 * room first, so 16 "mandatory" keys trip an assertion in ldns_buffer.
 */
static bool rdata_printer_fragile(const ldns_rr *rr)
{
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) == LDNS_RDF_TYPE_SVCPARAMS)
			return true;
	return false;
}

/* RFC 3597 generic form, "\# LEN HEX": for every record the same bytes
 * give the same string, with no type-specific printer involved. */
static char *rdata_generic(const ldns_rr *rr)
{
	size_t len = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		len += ldns_rdf_size(ldns_rr_rdf(rr, i));
	size_t cap = 16 + 2 * len;
	char *s = malloc(cap), *p;
	if (s == NULL)
		return NULL;
	p = s + snprintf(s, cap, "\\# %zu%s", len, len ? " " : "");
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const uint8_t *d = ldns_rdf_data(ldns_rr_rdf(rr, i));
		for (size_t k = 0; k < ldns_rdf_size(ldns_rr_rdf(rr, i)); k++)
			p += snprintf(p, 3, "%02x", d[k]);
	}
	return s;
}

/* rdata fields of rr joined by spaces, in presentation form. */
static char *rdata_str(const ldns_rr *rr)
{
	ldns_buffer *buf;
	char *s = NULL;

	if (rdata_printer_fragile(rr))
		return rdata_generic(rr);
	if ((buf = ldns_buffer_new(128)) == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i > 0)
			ldns_buffer_printf(buf, " ");
		ldns_rdf2buffer_str(buf, ldns_rr_rdf(rr, i));
	}
	if (ldns_buffer_status_ok(buf))
		s = ldns_buffer_export2str(buf);
	ldns_buffer_free(buf);
	return s;
}

/* A record as text: its rdata, after its owner and type when with_owner
 * (records that are not what was asked for, such as a CNAME on the way). */
static char *record_str(const ldns_rr *rr, bool with_owner)
{
	char *rd = rdata_str(rr), *owner, *out;
	size_t len;

	if (rd == NULL || !with_owner)
		return rd;
	owner = ldns_rdf2str(ldns_rr_owner(rr));
	char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
	len = (owner ? strlen(owner) : 0) + (type ? strlen(type) : 0) + strlen(rd) + 3;
	out = (owner && type) ? malloc(len) : NULL;
	if (out != NULL)
		snprintf(out, len, "%s %s %s", owner, type, rd);
	free(owner);
	free(type);
	free(rd);
	return out;
}

int records_from_rrlist(ldns_rr_list *rrs, const ldns_rdf *qname, int qtype, struct rdtext *memo,
                        char ***out, size_t *n, long *minttl)
{
	size_t count = rrs ? ldns_rr_list_rr_count(rrs) : 0, k = 0;
	char **v = count ? calloc(count, sizeof *v) : NULL;

	*minttl = -1;
	*out = NULL;
	*n = 0;
	if (count && v == NULL)
		return PW_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		/* Signatures differ per signer and per re-signing, and are not
		 * the records that propagate: leave them out of the comparison. */
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG && qtype != LDNS_RR_TYPE_RRSIG)
			continue;
		/* Canonical form lower-cases names inside rdata (RFC 4034 6.2);
		 * in place, since the list is the caller's to throw away. */
		ldns_rr2canonical(rr);
		long ttl = (long)ldns_rr_ttl(rr);
		if (*minttl < 0 || ttl < *minttl)
			*minttl = ttl;
		bool with_owner = (int)ldns_rr_get_type(rr) != qtype ||
		                  (qname != NULL &&
		                   ldns_dname_compare(ldns_rr_owner(rr), qname) != 0);
		v[k] = rdtext_get(memo, rr, with_owner, record_str);
		if (v[k] == NULL)
			goto fail;
		/* Resolvers sometimes repeat a record; an RRset is a set. */
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			if (strcmp(v[j], v[k]) == 0)
				dup = 1;
		if (dup)
			free(v[k]);
		else
			k++;
	}
	if (k > 1)
		qsort(v, k, sizeof *v, cmp_str);
	if (k > 0 && (*out = records_pack(v, k)) == NULL)
		goto fail;
	for (size_t j = 0; j < k; j++)
		free(v[j]);
	free(v);
	*n = k;
	return PW_OK;
fail:
	for (size_t j = 0; j < k; j++)
		free(v[j]);
	free(v);
	return PW_ENOMEM;
}

int records_copy(char *const *records, size_t n, char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return PW_OK;
	if ((*out = records_pack(records, n)) == NULL)
		return PW_ENOMEM;
	*nout = n;
	return PW_OK;
}

char *records_join(char **records, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(records[i]) + 1;
	char *s = malloc(len), *p = s;
	if (s == NULL)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(records[i]);
		if (i > 0)
			*p++ = '\n';
		memcpy(p, records[i], l + 1);
		p += l;
	}
	return s;
}

/* SOA in the authority section: names the zone and carries the negative TTL. */
static int take_soa(struct answer *a, const ldns_rr_list *rrs, bool negative)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
			continue;
		a->soa_serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		a->has_soa = true;
		if (negative) {
			/* RFC 2308: min(SOA TTL, SOA MINIMUM) */
			long minimum = (long)ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
			long ttl = (long)ldns_rr_ttl(rr);
			a->neg_ttl = ttl < minimum ? ttl : minimum;
		}
		free(a->soa_owner);
		a->soa_owner = ldns_rdf2str(ldns_rr_owner(rr));
		if (a->soa_owner == NULL)
			return PW_ENOMEM;
		for (char *c = a->soa_owner; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		return PW_OK;
	}
	return PW_OK;
}

/* NSID bytes as text: printable ASCII kept, the rest as \xHH. */
static void nsid_text(char *out, size_t len, const uint8_t *d, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 5 < len; i++) {
		if (d[i] >= 0x20 && d[i] < 0x7f && d[i] != '\\')
			out[o++] = (char)d[i];
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", d[i]);
		out[o] = '\0';
	}
}

/* The OPT record: presence, size, version, and the NSID and ECS options. */
static void take_edns(struct answer *a, ldns_pkt *pkt)
{
	struct answer_edns *e = &a->edns;

	if (!ldns_pkt_edns(pkt))
		return;
	e->present = true;
	e->udp_size = ldns_pkt_edns_udp_size(pkt);
	e->version = ldns_pkt_edns_version(pkt);
	e->do_bit = ldns_pkt_edns_do(pkt);
	/* The full rcode: a BADVERS reply has 0 in the header. */
	e->ext_rcode = (int)ldns_pkt_edns_extended_rcode(pkt) << 4 | a->rcode;
	a->rcode = e->ext_rcode;
	ldns_edns_option_list *l = ldns_pkt_edns_get_option_list(pkt);
	for (size_t i = 0; l != NULL && i < ldns_edns_option_list_get_count(l); i++) {
		ldns_edns_option *o = ldns_edns_option_list_get_option(l, i);
		const uint8_t *d = ldns_edns_get_data(o);
		size_t n = ldns_edns_get_size(o);
		switch (ldns_edns_get_code(o)) {
		case LDNS_EDNS_NSID:
			e->has_nsid = true;
			char text[64];
			nsid_text(text, sizeof text, d, n);
			free(e->nsid);
			e->nsid = strdup(text); /* NULL without memory: as if empty */
			break;
		case LDNS_EDNS_CLIENT_SUBNET:
			/* family(2) source prefix(1) scope prefix(1) address */
			if (n >= 4) {
				e->ecs_source = d[2];
				e->ecs_scope = d[3];
			}
			break;
		default: break;
		}
	}
}

int answer_from_pkt(struct answer *a, ldns_pkt *pkt, struct rdtext *memo)
{
	const ldns_rr_list *q = ldns_pkt_question(pkt);
	const ldns_rr *qrr = q ? ldns_rr_list_rr(q, 0) : NULL;
	const ldns_rdf *qname = qrr ? ldns_rr_owner(qrr) : NULL;
	int qtype = qrr ? (int)ldns_rr_get_type(qrr) : -1;
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	int rc;

	a->outcome = OUT_REPLY;
	a->rcode = ldns_pkt_get_rcode(pkt);
	a->flags = (ldns_pkt_aa(pkt) ? PW_F_AA : 0) | (ldns_pkt_tc(pkt) ? PW_F_TC : 0) |
	           (ldns_pkt_ad(pkt) ? PW_F_AD : 0) | (ldns_pkt_ra(pkt) ? PW_F_RA : 0) |
	           (ldns_pkt_cd(pkt) ? PW_F_CD : 0);
	/* The option list is parsed lazily into the packet; it stays ours. */
	take_edns(a, pkt);
	for (size_t i = 0; an != NULL && i < ldns_rr_list_rr_count(an); i++)
		a->nrrsig += ldns_rr_get_type(ldns_rr_list_rr(an, i)) == LDNS_RR_TYPE_RRSIG;
	rc = records_from_rrlist(an, qname, qtype, memo, &a->records, &a->nrecords, &a->ttl);
	if (rc < 0)
		return rc;
	/* An SOA query answers with the SOA itself: that serial is the zone's. */
	if (qtype == LDNS_RR_TYPE_SOA && (rc = take_soa(a, an, false)) < 0)
		return rc;
	if (a->nrecords == 0 && (rc = take_soa(a, ldns_pkt_authority(pkt), true)) < 0)
		return rc;
	a->key = records_join(a->records, a->nrecords);
	if (a->rcode != LDNS_RCODE_NOERROR && a->rcode != LDNS_RCODE_NXDOMAIN &&
	    a->rcode != LDNS_RCODE_SERVFAIL && a->rcode != LDNS_RCODE_REFUSED) {
		char r[16];
		answer_set_detail(a, "rcode %s", rcode_name(a->rcode, r, sizeof r));
	}
	return a->key == NULL ? PW_ENOMEM : PW_OK;
}
