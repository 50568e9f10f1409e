/*
 * fuzz_mail.c -- the parsers of mail records, which read whatever a zone
 * publishes: TXT presentation joined, tag lists, SPF (and the lookup
 * walk over records made of the input, split at NUL bytes), DMARC and its
 * report URIs, DKIM keys (OpenSSL's DER reader behind them), MTA-STS and
 * TLS-RPT.
 */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"
#include "dmarc.h"
#include "mailtxt.h"
#include "spf.h"
#include "tlspolicy.h"

/* The input's NUL-separated parts, as TXT records of every name. */
struct parts {
	char *v[8];
	size_t n;
};

static int answer(void *ctx, const char *name, int type, struct spf_rr *out)
{
	const struct parts *p = ctx;
	size_t h = strlen(name);
	out->rcode = h % 5 == 0 ? 3 : h % 7 == 0 ? -1 : 0;
	out->records = p->v;
	out->n = type == LDNS_RR_TYPE_TXT || h % 2 ? p->n : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct parts parts = { { NULL }, 0 };
	for (char *p = s; parts.n < 8 && p <= s + size; p += strlen(p) + 1)
		parts.v[parts.n++] = p;

	char *text = mailtxt_join(s);
	if (text != NULL) {
		char err[256], dom[256], id[64];
		struct spf_record r;
		if (spf_parse(text, &r, err, sizeof err) == 0) {
			struct spf_count c;
			(void)spf_count("example.test", &r, answer, &parts, &c);
		}
		spf_free(&r);
		struct dmarc_record d;
		if (dmarc_parse(text, &d, err, sizeof err) == 0)
			for (size_t i = 0; i < d.nrua; i++)
				(void)dmarc_uri_parse(d.rua[i], dom, sizeof dom, err, sizeof err);
		dmarc_free(&d);
		(void)dmarc_is_record(text);
		struct dkim_key k;
		(void)dkim_parse(text, &k, err, sizeof err);
		(void)sts_parse(text, id, sizeof id, err, sizeof err);
		(void)tlsrpt_parse(text, err, sizeof err);
		(void)dmarc_uri_parse(text, dom, sizeof dom, err, sizeof err);
		(void)mailtxt_https(text, err, sizeof err);
		struct mailtags t;
		(void)mailtags_split(text, &t, err, sizeof err);
		free(text);
	}
	free(s);
	return 0;
}
