/*
 * mailtxt.c -- TXT strings joined, tag=value lists split, report URIs
 * checked.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "mailtxt.h"

#define DEL 0x7f

char *mailtxt_join(const char *p)
{
	size_t len = strlen(p);
	char *out = malloc(len + 1), *o = out;
	bool quoted = false;

	if (out == NULL)
		return NULL;
	while (*p) {
		unsigned char c = (unsigned char)*p++;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (c == ' ' || c == '\t'))
			continue; /* between strings */
		if (c == '\\' && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2])) {
			int v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
			*o++ = (char)(v == 0 || v > 255 ? DEL : v);
			continue;
		}
		if (c == '\\' && *p)
			c = (unsigned char)*p++;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *trim(char *s, char *end)
{
	while (s < end && is_wsp(*s))
		s++;
	while (end > s && is_wsp(end[-1]))
		end--;
	*end = '\0';
	return s;
}

static bool tag_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool tag_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(c >= 0x21 && c <= 0x7e && c != ';') && !is_wsp(*s))
			return false;
	}
	return true;
}

int mailtags_split(char *text, struct mailtags *t, char *err, size_t errlen)
{
	char *p = text;

	t->n = 0;
	for (;;) {
		char *semi = strchr(p, ';');
		char *end = semi ? semi : p + strlen(p);
		char *eq = memchr(p, '=', (size_t)(end - p));
		bool blank = true;
		for (const char *q = p; q < end; q++)
			blank &= is_wsp(*q);
		if (blank && semi == NULL)
			break; /* the end, or a ';' at the end */
		if (blank) {
			snprintf(err, errlen, "an empty tag between two ';'");
			return PW_EINVAL;
		}
		if (eq == NULL) {
			snprintf(err, errlen, "'%.*s' is not tag=value",
			         (int)(end - p > 40 ? 40 : end - p), p);
			return PW_EINVAL;
		}
		char *name = trim(p, eq), *value = trim(eq + 1, end);
		if (!tag_name_ok(name)) {
			snprintf(err, errlen, "bad tag name '%.40s'", name);
			return PW_EINVAL;
		}
		if (!tag_value_ok(value)) {
			snprintf(err, errlen,
			         "tag %.40s has a character that is not printable ASCII", name);
			return PW_EINVAL;
		}
		for (size_t i = 0; i < t->n; i++)
			if (strcasecmp(t->v[i].name, name) == 0) {
				snprintf(err, errlen, "tag %.40s is given twice", name);
				return PW_EINVAL;
			}
		if (t->n == MAILTAG_MAX) {
			snprintf(err, errlen, "more than %d tags", MAILTAG_MAX);
			return PW_EINVAL;
		}
		t->v[t->n++] = (struct mailtag){ name, value };
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return PW_OK;
}

const struct mailtag *mailtags_find(const struct mailtags *t, const char *name, bool nocase)
{
	for (size_t i = 0; i < t->n; i++)
		if ((nocase ? strcasecmp(t->v[i].name, name) : strcmp(t->v[i].name, name)) == 0)
			return &t->v[i];
	return NULL;
}

bool mailtxt_has_prefix(const char *text, const char *version)
{
	size_t n = strlen(version);
	if (strncmp(text, version, n) != 0)
		return false;
	return text[n] == '\0' || text[n] == ';' || is_wsp(text[n]);
}

bool mailtxt_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-' && c != '_')
			return false;
		if (label == 0 && c == '-')
			return false;
		label++;
	}
	return true;
}

/* Characters of the local part of an address (RFC 5322 atext and '.'),
 * plus '%' for percent-encoding (RFC 6068). */
static bool local_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (!isalnum(c) && !strchr("!#$&'*+-/=?^_`{|}~.", c))
			return false;
	}
	return true;
}

int mailtxt_mailto(const char *uri, char *domain, size_t dlen, char *err, size_t errlen)
{
	char host[256];

	if (strncasecmp(uri, "mailto:", 7) != 0) {
		snprintf(err, errlen, "'%.60s' is not a mailto: URI", uri);
		return PW_EINVAL;
	}
	const char *addr = uri + 7, *at = strrchr(addr, '@');
	size_t alen = strcspn(addr, "?");
	if (at == NULL || at > addr + alen) {
		snprintf(err, errlen, "'%.60s' has no address (local@domain)", uri);
		return PW_EINVAL;
	}
	if (!local_ok(addr, (size_t)(at - addr))) {
		snprintf(err, errlen, "'%.60s': bad local part before '@'", uri);
		return PW_EINVAL;
	}
	size_t hlen = (size_t)(addr + alen - at - 1);
	if (hlen == 0 || hlen >= sizeof host) {
		snprintf(err, errlen, "'%.60s': no domain after '@'", uri);
		return PW_EINVAL;
	}
	memcpy(host, at + 1, hlen);
	host[hlen] = '\0';
	if (!mailtxt_hostname(host) || strchr(host, '.') == NULL) {
		snprintf(err, errlen, "'%.60s': '%.60s' is not a domain name", uri, host);
		return PW_EINVAL;
	}
	if (host[hlen - 1] == '.')
		host[--hlen] = '\0';
	for (size_t i = 0; i < hlen; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	snprintf(domain, dlen, "%s", host);
	return PW_OK;
}

int mailtxt_https(const char *uri, char *err, size_t errlen)
{
	char host[256];

	if (strncasecmp(uri, "https://", 8) != 0) {
		snprintf(err, errlen, "'%.60s' is not an https: URI", uri);
		return PW_EINVAL;
	}
	const char *h = uri + 8;
	size_t hlen = strcspn(h, ":/?#");
	if (hlen == 0 || hlen >= sizeof host) {
		snprintf(err, errlen, "'%.60s' has no host", uri);
		return PW_EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!mailtxt_hostname(host)) {
		snprintf(err, errlen, "'%.60s': '%.60s' is not a host name", uri, host);
		return PW_EINVAL;
	}
	for (const char *c = h + hlen; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
			snprintf(err, errlen, "'%.60s' has a space or a character outside ASCII",
			         uri);
			return PW_EINVAL;
		}
	return PW_OK;
}
