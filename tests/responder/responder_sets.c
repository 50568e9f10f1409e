/*
 * responder_sets.c - named record sets ("set NAME OWNER TTL CLASS TYPE RDATA")
 * and the answer lookup used by serve=SET.
 *
 * Lookup rules (simple authoritative-server semantics, enough for tests):
 *   - records whose owner equals the qname (case-insensitively) and whose
 *     type equals the qtype (or qtype ANY) form the answer;
 *   - a CNAME at the qname is returned and followed inside the set (at most
 *     8 hops), like an authoritative server answering for its own zone;
 *   - a name that is neither an owner nor an ancestor of one (empty
 *     non-terminal) is NXDOMAIN; otherwise NOERROR, possibly NODATA.
 * Sets are small, so a linear scan is fine: it only runs on a cache miss.
 */
#include "responder.h"

#include <stdio.h>
#include <string.h>

struct rset *set_get_or_add(struct config *c, const char *name, int line)
{
	for (size_t i = 0; i < c->nsets; i++)
		if (!strcmp(c->sets[i].name, name))
			return &c->sets[i];
	if (c->nsets == c->capsets) {
		c->capsets = c->capsets ? c->capsets * 2 : 8;
		c->sets = xrealloc(c->sets, c->capsets, sizeof *c->sets);
	}
	struct rset *s = &c->sets[c->nsets++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	s->rrs = ldns_rr_list_new();
	s->line = line;
	return s;
}

int set_add_rr(struct rset *set, const char *rrtext, char *err, size_t errlen)
{
	ldns_rr *rr = NULL;
	/* Origin "." makes names without a trailing dot absolute rather than
	 * silently relative (which would produce broken wire names). */
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_status st = ldns_rr_new_frm_str(&rr, rrtext, 3600, origin, NULL);
	ldns_rdf_deep_free(origin);
	if (st != LDNS_STATUS_OK || !rr) {
		snprintf(err, errlen, "bad record \"%s\": %s", rrtext, ldns_get_errorstr_by_id(st));
		if (rr)
			ldns_rr_free(rr);
		return -1;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		snprintf(err, errlen, "bad record \"%s\": only class IN is supported", rrtext);
		ldns_rr_free(rr);
		return -1;
	}
	ldns_rr_list_push_rr(set->rrs, rr);
	return 0;
}

int set_finish(struct rset *set, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	set->soa = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(set->rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(set->rrs, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			set->soa = rr;
			break;
		}
	}
	return 0;
}

/* Appends clones to `answer`; returns the DNS rcode (NOERROR or NXDOMAIN). */
int set_lookup(const struct rset *set, const ldns_rdf *qname, ldns_rr_type qtype,
               ldns_rr_list *answer)
{
	const ldns_rdf *name = qname;
	int rcode = LDNS_RCODE_NOERROR;
	size_t n = ldns_rr_list_rr_count(set->rrs);

	for (int hop = 0; hop < 8; hop++) {
		bool exists = false, matched = false;
		const ldns_rr *cname = NULL;
		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(set->rrs, i);
			const ldns_rdf *owner = ldns_rr_owner(rr);
			if (ldns_dname_compare(owner, name) == 0) {
				ldns_rr_type t = ldns_rr_get_type(rr);
				exists = true;
				if (t == qtype || qtype == LDNS_RR_TYPE_ANY) {
					ldns_rr_list_push_rr(answer, ldns_rr_clone(rr));
					matched = true;
				} else if (t == LDNS_RR_TYPE_CNAME && !cname) {
					cname = rr;
				}
			} else if (!exists && ldns_dname_is_subdomain(owner, name)) {
				exists = true; /* empty non-terminal: NODATA, not NXDOMAIN */
			}
		}
		if (!exists) {
			rcode = LDNS_RCODE_NXDOMAIN;
			break;
		}
		if (matched || !cname)
			break;
		ldns_rr_list_push_rr(answer, ldns_rr_clone(cname));
		name = ldns_rr_rdf(cname, 0);
	}
	return rcode;
}
