/*
 * dmarc.c -- the DMARC record parser.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "error.h"
#include "mailtxt.h"

/* Skip spaces and tabs in s[*i..len). */
static void skip_wsp(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

bool dmarc_is_version_tag(const char *s, size_t len)
{
	size_t i = 0;
	skip_wsp(s, len, &i);
	if (i == len || (s[i] != 'v' && s[i] != 'V'))
		return false;
	i++;
	skip_wsp(s, len, &i);
	if (i == len || s[i] != '=')
		return false;
	i++;
	skip_wsp(s, len, &i);
	if (len - i < 6 || strncasecmp(s + i, "DMARC1", 6) != 0)
		return false;
	i += 6;
	skip_wsp(s, len, &i);
	return i == len;
}

bool dmarc_is_record(const char *text)
{
	for (const char *p = text;;) {
		size_t n = strcspn(p, ";");
		if (dmarc_is_version_tag(p, n))
			return true;
		if (p[n] == '\0')
			return false;
		p += n + 1;
	}
}

void dmarc_free(struct dmarc_record *r)
{
	for (size_t i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	for (size_t i = 0; i < r->nruf; i++)
		free(r->ruf[i]);
	memset(r, 0, sizeof *r);
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcasecmp(v, *set) == 0)
			return true;
	return false;
}

/* Split a comma-separated URI list into uris (copies). */
static int split_uris(const char *tag, const char *v, char **uris, size_t *n, char *err,
                      size_t errlen)
{
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, ",");
		size_t l = len;
		while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		if (l == 0) {
			snprintf(err, errlen, "%s= has an empty entry", tag);
			return PW_EINVAL;
		}
		if (*n == DMARC_MAX_URIS) {
			snprintf(err, errlen, "%s= has more than %d URIs", tag, DMARC_MAX_URIS);
			return PW_EINVAL;
		}
		if ((uris[*n] = strndup(p, l)) == NULL)
			return PW_ENOMEM;
		(*n)++;
		p += len;
		if (*p == ',')
			p++;
	}
	return PW_OK;
}

static int known_tag(struct dmarc_record *r, const struct mailtag *t, char *err, size_t errlen)
{
	static const char *const policies[] = { "none", "quarantine", "reject", NULL };
	static const char *const modes[] = { "r", "s", NULL };
	const char *n = t->name, *v = t->value;

	if (strcasecmp(n, "p") == 0 || strcasecmp(n, "sp") == 0) {
		if (!one_of(v, policies)) {
			snprintf(err, errlen,
			         "%s=%.40s: the policy must be none, quarantine or reject", n, v);
			return PW_EINVAL;
		}
		char *dst = strcasecmp(n, "p") == 0 ? r->p : r->sp;
		for (size_t i = 0; i < 15 && v[i]; i++)
			dst[i] = (char)tolower((unsigned char)v[i]);
	} else if (strcasecmp(n, "adkim") == 0 || strcasecmp(n, "aspf") == 0) {
		if (!one_of(v, modes)) {
			snprintf(err, errlen, "%s=%.40s: must be r (relaxed) or s (strict)", n, v);
			return PW_EINVAL;
		}
		*(strcasecmp(n, "adkim") == 0 ? &r->adkim : &r->aspf) = (char)tolower(*v);
	} else if (strcasecmp(n, "pct") == 0) {
		char *end;
		long pct = strtol(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end || pct > 100) {
			snprintf(err, errlen, "pct=%.40s: must be a whole number from 0 to 100", v);
			return PW_EINVAL;
		}
		r->pct = (int)pct;
	} else if (strcasecmp(n, "rua") == 0) {
		return split_uris("rua", v, r->rua, &r->nrua, err, errlen);
	} else if (strcasecmp(n, "ruf") == 0) {
		return split_uris("ruf", v, r->ruf, &r->nruf, err, errlen);
	}
	return PW_OK;
}

int dmarc_parse(const char *text, struct dmarc_record *r, char *err, size_t errlen)
{
	struct mailtags tags;
	char *copy = strdup(text);
	int rc;

	memset(r, 0, sizeof *r);
	r->pct = 100;
	r->adkim = r->aspf = 'r';
	if (copy == NULL)
		return PW_ENOMEM;
	if ((rc = mailtags_split(copy, &tags, err, errlen)) < 0)
		goto out;
	rc = PW_EINVAL;
	if (tags.n == 0 || strcasecmp(tags.v[0].name, "v") != 0 ||
	    strcmp(tags.v[0].value, "DMARC1") != 0) {
		const struct mailtag *v = mailtags_find(&tags, "v", true);
		if (v != NULL && strcasecmp(v->value, "DMARC1") == 0 && v != &tags.v[0])
			snprintf(err, errlen, "v=DMARC1 must be the first tag (it is tag %zu)",
			         (size_t)(v - tags.v) + 1);
		else
			snprintf(err, errlen, "the first tag must be v=DMARC1");
		goto out;
	}
	for (size_t i = 1; i < tags.n; i++)
		if ((rc = known_tag(r, &tags.v[i], err, errlen)) < 0)
			goto out;
	rc = PW_OK;
	if (r->p[0] == '\0') {
		snprintf(err, errlen, "no policy: the p= tag is required");
		rc = PW_EINVAL;
	}
out:
	free(copy);
	return rc;
}

int dmarc_uri_parse(const char *uri, char *domain, size_t dlen, char *err, size_t errlen)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", uri);
	char *bang = strrchr(buf, '!');
	if (bang != NULL) {
		const char *s = bang + 1;
		size_t digits = strspn(s, "0123456789");
		if (digits == 0 || (s[digits] && (strchr("kmgtKMGT", s[digits]) == NULL ||
		                                  s[digits + 1] != '\0'))) {
			snprintf(err, errlen, "'%.60s': bad size limit after '!' (e.g. !10m)", uri);
			return PW_EINVAL;
		}
		*bang = '\0';
	}
	return mailtxt_mailto(buf, domain, dlen, err, errlen);
}
