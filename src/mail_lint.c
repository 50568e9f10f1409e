/*
 * mail_lint.c -- the table of checks, findings, and the order the areas
 * are linted in.
 */
#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "mail_lint.h"
#include "mail_lint_int.h"
#include "mailtxt.h"

/* Every check: id, severity, area. The ids are an interface (JSON, the
 * man page, the lab's expectations): never rename one. */
const struct mail_check mail_checks[CK_COUNT] = {
	[CK_MX_MISSING] = { "mx-missing", SEV_WARNING, AREA_MX },
	[CK_MX_NULL] = { "mx-null", SEV_INFO, AREA_MX },
	[CK_MX_NULL_CONFLICT] = { "mx-null-conflict", SEV_ERROR, AREA_MX },
	[CK_MX_TARGET_IP] = { "mx-target-ip", SEV_ERROR, AREA_MX },
	[CK_MX_TARGET_CNAME] = { "mx-target-cname", SEV_ERROR, AREA_MX },
	[CK_MX_TARGET_UNRESOLVABLE] = { "mx-target-unresolvable", SEV_ERROR, AREA_MX },
	[CK_MX_TARGET_DOUBLED] = { "mx-target-doubled", SEV_ERROR, AREA_MX },
	[CK_MX_DUPLICATE] = { "mx-duplicate", SEV_WARNING, AREA_MX },
	[CK_MX_SINGLE] = { "mx-single", SEV_INFO, AREA_MX },
	[CK_MX_SAME_PREFERENCE] = { "mx-same-preference", SEV_INFO, AREA_MX },
	[CK_MX_NO_IPV6] = { "mx-no-ipv6", SEV_INFO, AREA_MX },
	[CK_SPF_MISSING] = { "spf-missing", SEV_WARNING, AREA_SPF },
	[CK_SPF_MULTIPLE] = { "spf-multiple", SEV_ERROR, AREA_SPF },
	[CK_SPF_SYNTAX] = { "spf-syntax", SEV_ERROR, AREA_SPF },
	[CK_SPF_LOOKUPS] = { "spf-lookups", SEV_ERROR, AREA_SPF },
	[CK_SPF_VOID_LOOKUPS] = { "spf-void-lookups", SEV_ERROR, AREA_SPF },
	[CK_SPF_ALL_PERMISSIVE] = { "spf-all-permissive", SEV_ERROR, AREA_SPF },
	[CK_SPF_NO_ALL] = { "spf-no-all", SEV_WARNING, AREA_SPF },
	[CK_SPF_PTR] = { "spf-ptr", SEV_WARNING, AREA_SPF },
	[CK_SPF_INCLUDE_MISSING] = { "spf-include-missing", SEV_ERROR, AREA_SPF },
	[CK_SPF_LOOP] = { "spf-loop", SEV_ERROR, AREA_SPF },
	[CK_DMARC_MISSING] = { "dmarc-missing", SEV_WARNING, AREA_DMARC },
	[CK_DMARC_MULTIPLE] = { "dmarc-multiple", SEV_ERROR, AREA_DMARC },
	[CK_DMARC_SYNTAX] = { "dmarc-syntax", SEV_ERROR, AREA_DMARC },
	[CK_DMARC_POLICY_NONE] = { "dmarc-policy-none", SEV_WARNING, AREA_DMARC },
	[CK_DMARC_RUA_INVALID] = { "dmarc-rua-invalid", SEV_WARNING, AREA_DMARC },
	[CK_DMARC_RUA_UNAUTHORIZED] = { "dmarc-rua-unauthorized", SEV_WARNING, AREA_DMARC },
	[CK_DKIM_MISSING] = { "dkim-missing", SEV_ERROR, AREA_DKIM },
	[CK_DKIM_SYNTAX] = { "dkim-syntax", SEV_ERROR, AREA_DKIM },
	[CK_DKIM_REVOKED] = { "dkim-revoked", SEV_INFO, AREA_DKIM },
	[CK_DKIM_WEAK_KEY] = { "dkim-weak-key", SEV_ERROR, AREA_DKIM },
	[CK_MTA_STS_SYNTAX] = { "mta-sts-syntax", SEV_ERROR, AREA_TLS },
	[CK_TLSRPT_SYNTAX] = { "tlsrpt-syntax", SEV_ERROR, AREA_TLS },
	[CK_DANE_TLSA] = { "dane-tlsa", SEV_INFO, AREA_TLS },
	[CK_DANE_WITHOUT_DNSSEC] = { "dane-without-dnssec", SEV_WARNING, AREA_TLS },
	[CK_DNSSEC_UNSIGNED] = { "dnssec-unsigned", SEV_INFO, AREA_DNSSEC },
	[CK_DNSSEC_BOGUS] = { "dnssec-bogus", SEV_ERROR, AREA_DNSSEC },
	[CK_PROPAGATION_INCOMPLETE] = { "propagation-incomplete", SEV_WARNING, AREA_PROPAGATION },
};

const char *mail_sev_name(enum mail_sev s)
{
	static const char *const names[SEV_COUNT] = { "error", "warning", "info" };
	return (unsigned)s < SEV_COUNT ? names[s] : "?";
}

const char *mail_area_name(enum mail_area a)
{
	static const char *const names[AREA_COUNT] = {
		"MX", "SPF", "DMARC", "DKIM", "MTA-STS, TLS-RPT and DANE", "DNSSEC", "Propagation"
	};
	return (unsigned)a < AREA_COUNT ? names[a] : "?";
}

void mail_add(struct mail_report *r, enum mail_check_id id, const char *record, const char *fix,
              const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct mail_finding *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
	if (nv == NULL) {
		r->error = PW_ENOMEM;
		return;
	}
	r->v = nv;
	struct mail_finding *f = &r->v[r->n];
	f->check = id;
	f->sev = mail_checks[id].sev;
	f->record = strdup(record);
	f->message = strdup(msg);
	f->fix = strdup(fix);
	if (f->record == NULL || f->message == NULL || f->fix == NULL) {
		free(f->record);
		free(f->message);
		free(f->fix);
		r->error = PW_ENOMEM;
		return;
	}
	r->n++;
}

void lint_last_sev(struct mail_report *r, enum mail_sev s)
{
	if (r->n > 0)
		r->v[r->n - 1].sev = s;
}

size_t mail_count(const struct mail_report *r, enum mail_sev s)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].sev == s;
	return n;
}

void mail_report_free(struct mail_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].record);
		free(r->v[i].message);
		free(r->v[i].fix);
	}
	for (size_t i = 0; i < r->ntargets; i++)
		free(r->targets[i].name);
	free(r->v);
	free(r->targets);
	memset(r, 0, sizeof *r);
}

int lint_resolve(const struct mail_input *in, const char *name, int type, struct mail_rr *out)
{
	memset(out, 0, sizeof *out);
	out->rcode = -1;
	int rc = in->resolve(in->ctx, name, type, out);
	if (rc < 0)
		return rc;
	if (out->rcode != LDNS_RCODE_NOERROR && out->rcode != LDNS_RCODE_NXDOMAIN) {
		out->rcode = -1;
		out->n = 0;
	}
	return 0;
}

char **lint_texts(const struct mail_rr *rr, size_t *n)
{
	char **v = calloc(rr->n + 1, sizeof *v);
	*n = 0;
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < rr->n; i++) {
		if ((v[i] = mailtxt_join(rr->records[i])) == NULL) {
			lint_texts_free(v);
			return NULL;
		}
		(*n)++;
	}
	return v;
}

void lint_texts_free(char **texts)
{
	for (size_t i = 0; texts != NULL && texts[i]; i++)
		free(texts[i]);
	free(texts);
}

int lint_versioned_txt(const struct mail_input *in, const char *prefix,
                       bool (*is_record)(const char *), char *name, char *rec, struct lint_txt *t)
{
	struct mail_rr rr;
	size_t n;
	int rc;

	*t = (struct lint_txt){ 0 };
	lint_name(name, 300, prefix, in->domain);
	snprintf(rec, 310, "%s TXT", name);
	if ((rc = lint_resolve(in, name, LDNS_RR_TYPE_TXT, &rr)) < 0)
		return rc;
	if (rr.rcode < 0)
		return 1;
	if ((t->texts = lint_texts(&rr, &n)) == NULL)
		return PW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (is_record(t->texts[i]) && t->count++ == 0)
			t->text = t->texts[i];
	return 0;
}

const char *lint_name(char *buf, size_t len, const char *prefix, const char *name)
{
	snprintf(buf, len, "%s.%s", prefix, name);
	return buf;
}

bool lint_in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	if (strcmp(zone, ".") == 0)
		return true;
	if (n < z || strcasecmp(name + n - z, zone) != 0)
		return false;
	return n == z || name[n - z - 1] == '.';
}

int mail_lint(const struct mail_input *in, struct mail_report *r)
{
	int rc;
	memset(r, 0, sizeof *r);
	if ((rc = lint_mx(in, r)) < 0 || (rc = lint_spf(in, r)) < 0 ||
	    (rc = lint_dmarc(in, r)) < 0 || (rc = lint_dkim(in, r)) < 0 ||
	    (rc = lint_tls(in, r)) < 0)
		return rc;
	lint_dnssec(in, r);
	return r->error;
}
