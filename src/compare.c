/*
 * compare.c -- an answer against the ground truth; the ground truth itself
 * (--expect parsing, copies, comparisons).
 */
#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "error.h"
#include "query.h"

bool compare_key_is_new(int rcode, const char *key, bool positive, const struct expected *e)
{
	if (e->source == EXP_NONE)
		return false;
	if (e->nrecords == 0) /* the change is a deletion */
		return !positive && (e->rcode < 0 || e->rcode == rcode);
	return positive && rcode == LDNS_RCODE_NOERROR && strcmp(key, e->key) == 0;
}

bool compare_is_new(const struct answer *a, const struct expected *e)
{
	return answer_usable(a) && compare_key_is_new(a->rcode, a->key, a->nrecords > 0, e);
}

enum pw_status compare_status(const struct answer *a, const struct expected *e)
{
	switch (a->outcome) {
	case OUT_NONE: return ST_PENDING;
	case OUT_TIMEOUT: return ST_TIMEOUT;
	case OUT_UNREACHABLE: return ST_UNREACHABLE;
	case OUT_ERROR: return ST_ERROR;
	case OUT_REPLY: break;
	}
	switch (a->rcode) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		if (compare_is_new(a, e))
			return ST_NEW;
		if (a->nrecords > 0)
			return ST_STALE;
		return a->rcode == LDNS_RCODE_NXDOMAIN ? ST_NXDOMAIN : ST_NODATA;
	case LDNS_RCODE_SERVFAIL: return ST_SERVFAIL;
	case LDNS_RCODE_REFUSED: return ST_REFUSED;
	default: return ST_ERROR;
	}
}

/* Is the i-th whitespace-separated token of s (quotes respected) a decimal
 * number within [0, max]? Fills tok with the token. Returns 1 yes, 0 no,
 * -1 if there is no such token. */
static int token_in_range(const char *s, size_t i, unsigned long max, char *tok, size_t len)
{
	size_t k = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return -1;
		const char *start = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (k++ < i)
			continue;
		snprintf(tok, len, "%.*s", (int)(s - start), start);
		char *end;
		errno = 0;
		unsigned long v = strtoul(tok, &end, 10);
		return isdigit((unsigned char)tok[0]) && *end == '\0' && errno == 0 && v <= max;
	}
}

/* ldns reads integer fields with wrap-around (99999 becomes 34463, -1
 * 65535), which would make a wrong verdict out of a typo. Check every
 * integer field up to the first field that may span several tokens. */
static int check_int_fields(const ldns_rr *rr, const char *text, char *err, size_t errlen)
{
	static const unsigned long max[] = { [LDNS_RDF_TYPE_INT8] = 0xff,
		                             [LDNS_RDF_TYPE_INT16] = 0xffff,
		                             [LDNS_RDF_TYPE_INT32] = 0xffffffffUL };
	char tok[64];

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf_type t = ldns_rdf_get_type(ldns_rr_rdf(rr, i));
		if (t == LDNS_RDF_TYPE_INT8 || t == LDNS_RDF_TYPE_INT16 ||
		    t == LDNS_RDF_TYPE_INT32) {
			if (token_in_range(text, i, max[t], tok, sizeof tok) == 0) {
				snprintf(
				        err, errlen,
				        "--expect '%s': field %zu ('%s') must be a number from 0 to %lu",
				        text, i + 1, tok, max[t]);
				return PW_ERANGE;
			}
			continue;
		}
		if (t != LDNS_RDF_TYPE_DNAME && t != LDNS_RDF_TYPE_A && t != LDNS_RDF_TYPE_AAAA &&
		    t != LDNS_RDF_TYPE_PERIOD && t != LDNS_RDF_TYPE_TYPE &&
		    t != LDNS_RDF_TYPE_ALG && t != LDNS_RDF_TYPE_TIME)
			break;
	}
	return PW_OK;
}

/* An unterminated "..." would otherwise be taken as the rest of the line. */
static bool quotes_balanced(const char *s)
{
	bool in = false;
	for (; *s; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			in = !in;
	}
	return !in;
}

int expected_from_args(struct expected *e, const char *name, int type, const char *const *args,
                       size_t nargs, char *err, size_t errlen)
{
	ldns_rr_list *rrs = ldns_rr_list_new();
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_rdf *qname = NULL;
	char *tname = ldns_rr_type2str((ldns_rr_type)type);
	int rc = PW_ENOMEM;

	memset(e, 0, sizeof *e);
	e->source = EXP_USER;
	e->rcode = LDNS_RCODE_NOERROR;
	e->auth_ttl = -1;
	if (rrs == NULL || origin == NULL || tname == NULL)
		goto out;
	if ((qname = query_dname(name)) == NULL) {
		snprintf(err, errlen, "'%s': %s", name, pw_strerror(PW_ENAME));
		rc = PW_ENAME;
		goto out;
	}
	for (size_t i = 0; i < nargs; i++) {
		if (strcmp(args[i], "none") == 0) {
			if (nargs > 1) {
				snprintf(err, errlen,
				         "--expect none cannot be combined with records");
				rc = PW_EINVAL;
				goto out;
			}
			e->rcode = -1;
			break;
		}
		if (!quotes_balanced(args[i])) {
			snprintf(err, errlen, "--expect '%s': unterminated quote", args[i]);
			rc = PW_ERDATA;
			goto out;
		}
		/* Parse as a whole RR so ldns checks the rdata for this type;
		 * the origin makes names without a trailing dot absolute. */
		size_t len = strlen(name) + strlen(tname) + strlen(args[i]) + 16;
		char *line = malloc(len);
		ldns_rr *rr = NULL;
		if (line == NULL)
			goto out;
		snprintf(line, len, "%s 0 IN %s %s", name, tname, args[i]);
		ldns_status st = ldns_rr_new_frm_str(&rr, line, 0, origin, NULL);
		free(line);
		if (st != LDNS_STATUS_OK || rr == NULL) {
			snprintf(err, errlen, "--expect '%s': not valid %s data (%s)", args[i],
			         tname, ldns_get_errorstr_by_id(st));
			rc = PW_ERDATA;
			goto out;
		}
		ldns_rr_list_push_rr(rrs, rr);
		if ((rc = check_int_fields(rr, args[i], err, errlen)) < 0)
			goto out;
	}
	long ttl;
	ldns_dname2canonical(qname);
	rc = records_from_rrlist(rrs, qname, type, NULL, &e->records, &e->nrecords, &ttl);
	if (rc == PW_OK && (e->key = records_join(e->records, e->nrecords)) == NULL)
		rc = PW_ENOMEM;
out:
	ldns_rr_list_deep_free(rrs);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(qname);
	free(tname);
	if (rc < 0)
		expected_free(e);
	return rc;
}

void expected_free(struct expected *e)
{
	records_free(e->records, e->nrecords);
	free(e->key);
	free(e->zone);
	for (size_t i = 0; i < e->nauth; i++) {
		free(e->auth[i].name);
		answer_free(&e->auth[i].ans);
		answer_free(&e->auth[i].soa);
	}
	free(e->auth);
	memset(e, 0, sizeof *e);
}

int expected_copy(struct expected *dst, const struct expected *src)
{
	*dst = *src;
	dst->records = NULL;
	dst->nrecords = 0;
	dst->key = dst->zone = NULL;
	dst->auth = NULL;
	dst->nauth = 0;
	if (records_copy(src->records, src->nrecords, &dst->records, &dst->nrecords) < 0 ||
	    (src->key && (dst->key = strdup(src->key)) == NULL) ||
	    (src->zone && (dst->zone = strdup(src->zone)) == NULL))
		goto fail;
	if (src->nauth > 0 && (dst->auth = calloc(src->nauth, sizeof *dst->auth)) == NULL)
		goto fail;
	for (size_t i = 0; i < src->nauth; i++) {
		const struct auth_server *a = &src->auth[i];
		struct auth_server *b = &dst->auth[i];
		*b = *a;
		b->name = NULL;
		answer_init(&b->ans);
		answer_init(&b->soa);
		dst->nauth++;
		if ((a->name && (b->name = strdup(a->name)) == NULL) ||
		    answer_copy(&b->ans, &a->ans) < 0 || answer_copy(&b->soa, &a->soa) < 0)
			goto fail;
	}
	return PW_OK;
fail:
	expected_free(dst);
	return PW_ENOMEM;
}

bool expected_differs(const struct expected *a, const struct expected *b)
{
	if (a->source == EXP_NONE || b->source == EXP_NONE)
		return a->source != b->source;
	if (a->rcode != b->rcode || a->nrecords != b->nrecords)
		return true;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "") != 0;
}

bool expected_serial(const struct expected *e, uint32_t *serial)
{
	bool found = false;
	for (size_t i = 0; i < e->nauth; i++) {
		const struct auth_server *a = &e->auth[i];
		if (!a->usable || !a->soa.has_soa)
			continue;
		if (!found || serial_newer(a->soa.soa_serial, *serial))
			*serial = a->soa.soa_serial;
		found = true;
	}
	return found;
}
