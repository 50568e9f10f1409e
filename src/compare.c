/*
 * compare.c -- classify answers against the expected one, group variants.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "error.h"
#include "query.h"

void compare_classify(struct answer *a, const struct expected *e)
{
	if (!status_usable(a->status) || e->source == EXP_NONE)
		return;
	bool negative = a->nrecords == 0;
	bool match;

	if (e->nrecords == 0) /* the change is a deletion */
		match = negative && (e->rcode < 0 || e->rcode == a->rcode);
	else
		match = !negative && a->rcode == LDNS_RCODE_NOERROR && strcmp(a->key, e->key) == 0;
	if (match)
		a->status = ST_NEW;
	else if (!negative)
		a->status = ST_STALE;
	else
		a->status = a->rcode == LDNS_RCODE_NXDOMAIN ? ST_NXDOMAIN : ST_NODATA;
}

static int cmp_variant(const void *x, const void *y)
{
	const struct variant *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->is_new != b->is_new)
		return a->is_new ? -1 : 1;
	if (a->rcode != b->rcode)
		return a->rcode - b->rcode;
	return strcmp(a->key, b->key);
}

int compare_variants(struct answer *answers, size_t n, const struct expected *e,
                     struct variant **out, size_t *nout)
{
	struct variant *v = NULL;
	size_t nv = 0;

	(void)e;
	*out = NULL;
	*nout = 0;
	/* Few distinct answers are the norm, so a linear scan beats a hash. */
	for (size_t i = 0; i < n; i++) {
		struct answer *a = &answers[i];
		size_t k;
		a->variant = -1;
		if (!status_usable(a->status))
			continue;
		for (k = 0; k < nv; k++)
			if (v[k].rcode == a->rcode && strcmp(v[k].key, a->key) == 0)
				break;
		if (k == nv) {
			struct variant *nvv = realloc(v, (nv + 1) * sizeof *v);
			if (nvv == NULL) {
				free(v);
				return PW_ENOMEM;
			}
			v = nvv;
			v[nv] = (struct variant){ a->rcode,    a->key, a->records,
				                  a->nrecords, 0,      a->status == ST_NEW };
			nv++;
		}
		v[k].count++;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, cmp_variant);
	for (size_t i = 0; i < n; i++) {
		struct answer *a = &answers[i];
		if (!status_usable(a->status))
			continue;
		for (size_t k = 0; k < nv; k++)
			if (v[k].rcode == a->rcode && strcmp(v[k].key, a->key) == 0)
				a->variant = (int)k;
	}
	*out = v;
	*nout = nv;
	return PW_OK;
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
	}
	long ttl;
	ldns_dname2canonical(qname);
	rc = records_from_rrlist(rrs, qname, type, &e->records, &e->nrecords, &ttl);
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
	for (size_t i = 0; i < e->nrecords; i++)
		free(e->records[i]);
	free(e->records);
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
