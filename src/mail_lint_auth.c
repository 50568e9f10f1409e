/*
 * mail_lint_auth.c -- the checks of sender authentication: SPF (RFC
 * 7208), DMARC (RFC 7489) and the DKIM keys of the selectors asked for
 * (RFC 6376, RFC 8301).
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"
#include "dmarc.h"
#include "error.h"
#include "mail_lint.h"
#include "mail_lint_int.h"
#include "spf.h"

/* ---- SPF ------------------------------------------------------------------ */

static int spf_resolve(void *ctx, const char *name, int type, struct spf_rr *out)
{
	struct mail_rr rr;
	int rc = lint_resolve(ctx, name, type, &rr);
	out->rcode = rr.rcode;
	out->records = rr.records;
	out->n = rr.n;
	return rc;
}

static void spf_problems(const struct mail_input *in, struct mail_report *r,
                         const struct spf_count *c)
{
	char rec[300], fix[400];
	for (size_t i = 0; i < c->nproblems; i++) {
		const struct spf_problem *p = &c->problems[i];
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= c->problems[j].kind == p->kind &&
			       strcmp(c->problems[j].name, p->name) == 0;
		if (dup)
			continue;
		snprintf(rec, sizeof rec, "%s. TXT", p->name);
		switch (p->kind) {
		case SPF_P_SYNTAX:
			mail_add(r, CK_SPF_SYNTAX, rec, "correct the SPF record there",
			         "the SPF record of %s, which %s's SPF includes, is invalid: %s",
			         p->name, in->domain, p->detail);
			break;
		case SPF_P_MULTIPLE:
			mail_add(
			        r, CK_SPF_MULTIPLE, rec, "merge them into one record",
			        "%s, which %s's SPF includes, has more than one SPF record: a permerror",
			        p->name, in->domain);
			break;
		case SPF_P_MISSING:
			snprintf(fix, sizeof fix,
			         "publish an SPF record at %s., or remove the term naming it",
			         p->name);
			mail_add(r, CK_SPF_INCLUDE_MISSING, rec, fix,
			         "%s, which %s's SPF includes, %s: a permerror", p->name,
			         in->domain, p->detail);
			break;
		case SPF_P_LOOP:
			snprintf(fix, sizeof fix,
			         "remove the include or redirect in %s. that points back", p->name);
			mail_add(r, CK_SPF_LOOP, rec, fix,
			         "SPF loop: the record of %s includes or redirects to %s, which is "
			         "already on the way from %s: receivers give a permerror",
			         p->name, p->detail, in->domain);
			break;
		case SPF_P_PTR:
			mail_add(
			        r, CK_SPF_PTR, rec, "replace ptr with ip4:, ip6: or a: terms",
			        "the SPF record of %s uses ptr, which is slow and unreliable (RFC 7208 "
			        "5.5: do not use it)",
			        p->name);
			break;
		case SPF_P_UNRESOLVED: break; /* no verdict from a lookup that failed */
		}
	}
}

static void spf_all(const struct mail_input *in, struct mail_report *r, const struct spf_record *s,
                    const char *rec)
{
	const struct spf_term *all = spf_find(s, SPF_ALL);
	if (all != NULL && (all->qualifier == '+' || all->qualifier == '?')) {
		mail_add(r, CK_SPF_ALL_PERMISSIVE, rec,
		         "end the record with `-all` (or `~all` while testing)",
		         "the record ends in %call: %s", all->qualifier,
		         all->qualifier == '+'
		                 ? "any host may send mail as the domain"
		                 : "neutral for every other host, which protects nothing");
		if (all->qualifier == '?')
			lint_last_sev(r, SEV_WARNING);
	}
	if (all == NULL && spf_find(s, SPF_REDIRECT) == NULL)
		mail_add(
		        r, CK_SPF_NO_ALL, rec, "end the record with `-all` (or `~all`)",
		        "no all term and no redirect: mail from hosts the record does not list gets "
		        "a neutral result");
	(void)in;
}

int lint_spf(const struct mail_input *in, struct mail_report *r)
{
	struct mail_rr rr;
	char rec[300], err[256], fix[400];
	size_t n, nspf = 0;
	int rc;

	snprintf(rec, sizeof rec, "%s TXT", in->domain);
	if ((rc = lint_resolve(in, in->domain, LDNS_RR_TYPE_TXT, &rr)) < 0 || rr.rcode < 0)
		return rc;
	char **texts = lint_texts(&rr, &n);
	if (texts == NULL)
		return PW_ENOMEM;
	const char *spf = NULL;
	for (size_t i = 0; i < n; i++)
		if (spf_is_record(texts[i]) && nspf++ == 0)
			spf = texts[i];
	if (nspf == 0) {
		mail_add(r, CK_SPF_MISSING, rec, "publish one, e.g. `v=spf1 mx -all`",
		         "no SPF record (a TXT record beginning v=spf1)");
	} else if (nspf > 1) {
		mail_add(r, CK_SPF_MULTIPLE, rec, "merge them into one record",
		         "%zu SPF records: receivers give a permerror (RFC 7208 3.2)", nspf);
	} else {
		struct spf_record s;
		if ((rc = spf_parse(spf, &s, err, sizeof err)) == PW_EINVAL) {
			const char *v6 = strstr(err, "'ipv6:"), *v4 = strstr(err, "'ipv4:");
			if (v4 != NULL || v6 != NULL)
				snprintf(fix, sizeof fix,
				         "write `%s` for an %s network: `ip%c:%.*s`",
				         v4 ? "ip4:" : "ip6:", v4 ? "IPv4" : "IPv6", v4 ? '4' : '6',
				         (int)strcspn((v4 ? v4 : v6) + 6, "'"), (v4 ? v4 : v6) + 6);
			else
				snprintf(fix, sizeof fix, "correct the record (%s)", err);
			mail_add(r, CK_SPF_SYNTAX, rec, fix, "the SPF record is invalid: %s", err);
		} else if (rc == PW_OK) {
			struct spf_count c;
			spf_all(in, r, &s, rec);
			if ((rc = spf_count(in->domain, &s, spf_resolve, (void *)in, &c)) == 0) {
				if (c.lookups > 10)
					mail_add(
					        r, CK_SPF_LOOKUPS, rec,
					        "replace includes by the ip4:/ip6: terms they stand for, or "
					        "drop unused ones, to get to 10 or fewer",
					        "%s%u terms that query the DNS, counting through include and "
					        "redirect: more than the limit of 10 (RFC 7208 4.6.4)",
					        c.truncated ? "at least " : "", c.lookups);
				if (c.voids > 2)
					mail_add(
					        r, CK_SPF_VOID_LOOKUPS, rec,
					        "remove the terms whose names do not exist or have no records",
					        "%u lookups find nothing, more than the limit of 2 (RFC 7208 "
					        "4.6.4): %s",
					        c.voids, c.void_names);
				spf_problems(in, r, &c);
			}
		}
		spf_free(&s);
	}
	lint_texts_free(texts);
	return rc == PW_EINVAL ? 0 : rc;
}

/* ---- DMARC ---------------------------------------------------------------- */

/* Reports may go to the domain itself, a parent or child of it, or
 * another name in its zone without anyone's consent (RFC 7489 7.1 asks
 * for the Organizational Domain; without the public suffix list, the zone
 * stands in for it). */
static bool same_org(const struct mail_input *in, const char *dest)
{
	char d[260];
	snprintf(d, sizeof d, "%s.", dest);
	return lint_in_zone(d, in->domain) || lint_in_zone(in->domain, d) ||
	       lint_in_zone(d, in->zone);
}

static int dmarc_rua(const struct mail_input *in, struct mail_report *r,
                     const struct dmarc_record *d, const char *rec)
{
	char dom[256], err[256], fix[1024], name[600];
	for (size_t i = 0; i < d->nrua; i++) {
		if (dmarc_uri_parse(d->rua[i], dom, sizeof dom, err, sizeof err) < 0) {
			if (strchr(d->rua[i], '@') && strchr(d->rua[i], ':') == NULL)
				snprintf(fix, sizeof fix, "write it as a URI: `mailto:%s`",
				         d->rua[i]);
			else
				snprintf(fix, sizeof fix,
				         "use a mailto: URI, e.g. `mailto:dmarc@%s`", in->domain);
			mail_add(r, CK_DMARC_RUA_INVALID, rec, fix,
			         "rua entry '%s' is not a valid report address: %s (no aggregate "
			         "reports will come)",
			         d->rua[i], err);
			continue;
		}
		if (same_org(in, dom))
			continue;
		struct mail_rr rr;
		size_t n;
		bool ok = false;
		char dn[260];
		snprintf(dn, sizeof dn, "%.*s", (int)strlen(in->domain) - 1, in->domain);
		snprintf(name, sizeof name, "%s._report._dmarc.%s.", dn, dom);
		int rc = lint_resolve(in, name, LDNS_RR_TYPE_TXT, &rr);
		if (rc < 0)
			return rc;
		if (rr.rcode < 0)
			continue;
		char **texts = lint_texts(&rr, &n);
		if (texts == NULL)
			return PW_ENOMEM;
		for (size_t k = 0; k < n; k++)
			ok |= strncmp(texts[k], "v=DMARC1", 8) == 0;
		lint_texts_free(texts);
		if (!ok) {
			snprintf(fix, sizeof fix, "have %s publish `%s TXT \"v=DMARC1\"`", dom,
			         name);
			mail_add(
			        r, CK_DMARC_RUA_UNAUTHORIZED, rec, fix,
			        "aggregate reports go to %s, another domain, which does not agree to "
			        "take them (no v=DMARC1 at %s): receivers will not send them (RFC 7489 "
			        "7.1)",
			        d->rua[i], name);
		}
	}
	return 0;
}

/* The fix for a record whose v=DMARC1 is not first: the record with it
 * moved to the front. */
static void v_first(const char *text, char *fix, size_t len)
{
	size_t o = (size_t)snprintf(fix, len, "put v=DMARC1 first: `v=DMARC1");
	for (const char *p = text; *p && o < len;) {
		size_t n = strcspn(p, ";");
		const char *s = p, *e = p + n;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s && !dmarc_is_version_tag(s, (size_t)(e - s)))
			o += (size_t)snprintf(fix + o, len - o, "; %.*s", (int)(e - s), s);
		p += n + (p[n] == ';');
	}
	if (o < len)
		snprintf(fix + o, len - o, "`");
}

int lint_dmarc(const struct mail_input *in, struct mail_report *r)
{
	char name[300], rec[310], err[256], fix[400];
	struct lint_txt t;
	int rc = lint_versioned_txt(in, "_dmarc", dmarc_is_record, name, rec, &t);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	size_t nd = t.count;
	const char *text = t.text;
	if (nd == 0) {
		snprintf(fix, sizeof fix,
		         "publish one, e.g. `v=DMARC1; p=quarantine; rua=mailto:dmarc@%.*s`",
		         (int)strlen(in->domain) - 1, in->domain);
		mail_add(r, CK_DMARC_MISSING, rec, fix, "no DMARC record at %s", name);
	} else if (nd > 1) {
		mail_add(r, CK_DMARC_MULTIPLE, rec, "keep one of them",
		         "%zu DMARC records: receivers apply none of them (RFC 7489 6.6.3)", nd);
	} else {
		struct dmarc_record d;
		rc = dmarc_parse(text, &d, err, sizeof err);
		if (rc == PW_EINVAL) {
			if (strstr(err, "must be the first tag") != NULL)
				v_first(text, fix, sizeof fix);
			else if (strstr(err, "p= tag") != NULL)
				snprintf(
				        fix, sizeof fix,
				        "add a policy after v=DMARC1: p=none, p=quarantine or p=reject");
			else
				snprintf(fix, sizeof fix, "correct the record (%s)", err);
			mail_add(r, CK_DMARC_SYNTAX, rec, fix,
			         "the DMARC record is invalid, so receivers ignore it: %s", err);
			rc = 0;
		} else if (rc == PW_OK) {
			if (strcmp(d.p, "none") == 0)
				mail_add(
				        r, CK_DMARC_POLICY_NONE, rec,
				        "move to p=quarantine, then p=reject, once the reports look clean",
				        "p=none: receivers report, but do nothing about mail that fails");
			rc = dmarc_rua(in, r, &d, rec);
		}
		dmarc_free(&d);
	}
	lint_texts_free(t.texts);
	return rc;
}

/* ---- DKIM ----------------------------------------------------------------- */

static int dkim_one(const struct mail_input *in, struct mail_report *r, const char *sel)
{
	struct mail_rr rr;
	char name[600], rec[610], err[256], fix[700];
	size_t n;
	int rc;

	snprintf(name, sizeof name, "%s._domainkey.%s", sel, in->domain);
	snprintf(rec, sizeof rec, "%s TXT", name);
	if ((rc = lint_resolve(in, name, LDNS_RR_TYPE_TXT, &rr)) < 0 || rr.rcode < 0)
		return rc;
	if (rr.n == 0) {
		snprintf(fix, sizeof fix,
		         "publish the key of selector %s (`v=DKIM1; k=rsa; p=...`), or check "
		         "--dkim-selector",
		         sel);
		mail_add(r, CK_DKIM_MISSING, rec, fix, "no DKIM key for selector %s at %s%s", sel,
		         name, rr.rcode == LDNS_RCODE_NXDOMAIN ? " (the name does not exist)" : "");
		return 0;
	}
	if (rr.n > 1) {
		mail_add(r, CK_DKIM_SYNTAX, rec, "keep the one key record of the selector",
		         "%zu TXT records for selector %s: verifiers cannot tell which is the key",
		         rr.n, sel);
		return 0;
	}
	char **texts = lint_texts(&rr, &n);
	if (texts == NULL)
		return PW_ENOMEM;
	struct dkim_key k;
	rc = dkim_parse(texts[0], &k, err, sizeof err);
	lint_texts_free(texts);
	if (rc == PW_EINVAL) {
		snprintf(fix, sizeof fix,
		         "publish the key again as `v=DKIM1; k=rsa; p=<base64>` (%s)", err);
		mail_add(r, CK_DKIM_SYNTAX, rec, fix,
		         "the key record of selector %s is invalid: %s", sel, err);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (k.revoked)
		mail_add(
		        r, CK_DKIM_REVOKED, rec,
		        "nothing to do if the key was retired on purpose; else publish it again",
		        "p= is empty: the key of selector %s is revoked, mail signed with it fails",
		        sel);
	else if (strcmp(k.k, "rsa") == 0 && k.bits < 1024)
		mail_add(r, CK_DKIM_WEAK_KEY, rec,
		         "make a 2048-bit key, publish it under a new selector and sign with it",
		         "the RSA key of selector %s has %d bits: verifiers reject keys under 1024 "
		         "(RFC 8301 3.2)",
		         sel, k.bits);
	return 0;
}

int lint_dkim(const struct mail_input *in, struct mail_report *r)
{
	for (size_t i = 0; i < in->nselectors; i++) {
		int rc = dkim_one(in, r, in->selectors[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
