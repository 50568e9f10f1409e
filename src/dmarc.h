/*
 * dmarc.h -- DMARC policy records (RFC 7489 6.3, 6.4).
 *
 * A record is a tag=value list (mailtxt.h) at _dmarc.DOMAIN whose first
 * tag must be v=DMARC1 and which must have a policy (p=). Receivers ignore
 * a record whose v= is not first, but a record that says v=DMARC1 at all
 * was meant as one, so dmarc_is_record() finds those too and the parser
 * says what is wrong with them. Report URIs (rua=, ruf=) are kept as
 * written and judged one by one with dmarc_uri_parse(), because a bad
 * report address loses the reports but not the policy.
 */
#ifndef PW_DMARC_H
#define PW_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#define DMARC_MAX_URIS 8

struct dmarc_record {
	char p[16];                /* none, quarantine or reject */
	char sp[16];               /* subdomain policy, "" if not given */
	int pct;                   /* 0-100, 100 if not given */
	char adkim, aspf;          /* 'r' or 's' */
	char *rua[DMARC_MAX_URIS]; /* aggregate report URIs, as written */
	size_t nrua;               /* how many */
	char *ruf[DMARC_MAX_URIS]; /* failure report URIs, as written */
	size_t nruf;               /* how many */
};

/* Was text meant as a DMARC record: does any of its ';'-separated parts
 * read v=DMARC1 (white space around '=' allowed)? */
bool dmarc_is_record(const char *text);
/* Is s[0..len) the tag v=DMARC1 (any case, white space around '=')? */
bool dmarc_is_version_tag(const char *s, size_t len);

/* Parse text. Returns 0, PW_EINVAL with why in err (v=DMARC1 not first,
 * no p=, a bad value of a known tag), or PW_ENOMEM. Unknown tags are
 * ignored, as receivers must. r is always safe to free. */
int dmarc_parse(const char *text, struct dmarc_record *r, char *err, size_t errlen);
void dmarc_free(struct dmarc_record *r);

/* One report URI: "mailto:ADDR[!SIZE]" (SIZE digits with an optional
 * k, m, g or t). Returns 0 with the address's domain in domain, or
 * PW_EINVAL with why in err. */
int dmarc_uri_parse(const char *uri, char *domain, size_t dlen, char *err, size_t errlen);

#endif
