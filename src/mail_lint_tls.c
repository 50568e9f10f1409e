/*
 * mail_lint_tls.c -- the checks of transport security and of the zone's
 * signatures: MTA-STS, TLS-RPT, DANE TLSA at each MX target, DNSSEC.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mail_lint.h"
#include "mail_lint_int.h"
#include "tlspolicy.h"

/* The TXT records at PREFIX.DOMAIN that begin with the version: exactly
 * one may, and it must parse. */
static int policy_txt(const struct mail_input *in, struct mail_report *r, const char *prefix,
                      bool (*is_record)(const char *), int (*check)(const char *, char *, size_t),
                      enum mail_check_id id, const char *what, const char *example)
{
	char name[300], rec[310], err[256], fix[600];
	struct lint_txt t;
	int rc = lint_versioned_txt(in, prefix, is_record, name, rec, &t);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	size_t count = t.count;
	const char *text = t.text;
	if (count > 1) {
		mail_add(r, id, rec, "keep one record",
		         "%zu %s records: senders ignore the policy unless there is exactly one",
		         count, what);
	} else if (count == 1 && check(text, err, sizeof err) < 0) {
		snprintf(fix, sizeof fix, "write it as `%s`", example);
		mail_add(r, id, rec, fix, "the %s record is invalid, so senders ignore it: %s",
		         what, err);
	}
	lint_texts_free(t.texts);
	return 0;
}

static int sts_check(const char *text, char *err, size_t errlen)
{
	char id[64];
	return sts_parse(text, id, sizeof id, err, errlen);
}

/* TLSA at _25._tcp of every MX target: worth knowing where the zone is
 * validated, a mistake where it is not (senders ignore it, RFC 7672). */
static int dane(const struct mail_input *in, struct mail_report *r)
{
	char name[300], rec[310], fix[400];
	for (size_t i = 0; i < r->ntargets; i++) {
		struct mail_rr rr;
		const char *t = r->targets[i].name;
		lint_name(name, sizeof name, "_25._tcp", t);
		snprintf(rec, sizeof rec, "%s TLSA", name);
		int rc = lint_resolve(in, name, LDNS_RR_TYPE_TLSA, &rr);
		if (rc < 0)
			return rc;
		if (rr.rcode < 0 || rr.n == 0)
			continue;
		bool here = lint_in_zone(t, in->zone);
		bool secure = here ? in->dnssec == DNSSEC_SECURE || in->dnssec == DNSSEC_UNKNOWN
		                   : rr.ad;
		if (secure) {
			mail_add(
			        r, CK_DANE_TLSA, rec,
			        "publish the TLSA of a new certificate or key before switching to it",
			        "%zu TLSA record%s for %s: DANE senders check its certificate against "
			        "them",
			        rr.n, rr.n == 1 ? "" : "s", t);
		} else {
			snprintf(
			        fix, sizeof fix,
			        "sign the zone of %s and publish its DS, or remove the TLSA records",
			        t);
			mail_add(
			        r, CK_DANE_WITHOUT_DNSSEC, rec, fix,
			        "TLSA records for %s, but %s is not validated by DNSSEC: DANE senders "
			        "ignore them",
			        t, here ? in->zone : name);
		}
	}
	return 0;
}

int lint_tls(const struct mail_input *in, struct mail_report *r)
{
	char ex[300];
	int rc = policy_txt(in, r, "_mta-sts", sts_is_record, sts_check, CK_MTA_STS_SYNTAX,
	                    "MTA-STS", "v=STSv1; id=20261201");
	if (rc < 0)
		return rc;
	snprintf(ex, sizeof ex, "v=TLSRPTv1; rua=mailto:tls-reports@%.*s",
	         (int)strlen(in->domain) - 1, in->domain);
	rc = policy_txt(in, r, "_smtp._tls", tlsrpt_is_record, tlsrpt_parse, CK_TLSRPT_SYNTAX,
	                "TLS-RPT", ex);
	return rc < 0 ? rc : dane(in, r);
}

void lint_dnssec(const struct mail_input *in, struct mail_report *r)
{
	char rec[300];
	snprintf(rec, sizeof rec, "%s SOA", in->zone);
	const char *note = in->dnssec_note ? in->dnssec_note : "";
	if (in->dnssec == DNSSEC_INSECURE) {
		char fix[400];
		snprintf(fix, sizeof fix,
		         "sign %s and publish its DS at the parent (and keep a validating resolver "
		         "at the top of the list)",
		         in->zone);
		mail_add(r, CK_DNSSEC_UNSIGNED, rec, fix,
		         "the zone %s is not validated: no resolver set AD%s%s; this needs a "
		         "validating resolver in the list",
		         in->zone, note[0] ? " " : "", note);
	} else if (in->dnssec == DNSSEC_BOGUS) {
		mail_add(
		        r, CK_DNSSEC_BOGUS, rec,
		        "repair the chain of trust: the DS at the parent must match a DNSKEY of the "
		        "zone, and the signatures must be current",
		        "validating resolvers fail to validate %s (SERVFAIL, but an answer with "
		        "CD)%s%s: their users get no answer for any of its names",
		        in->zone, note[0] ? " " : "", note);
	}
}
