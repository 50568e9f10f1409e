/*
 * reslist.c -- parse, check and filter resolver lists.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "reslist.h"

#define PW_MAX_LINE 4096

/* "::1:5353" is the address ::1:14d9, but reads like ::1 port 5353: the
 * same text is a valid address with and without its last ":digits". Such a
 * probe once sent a test datagram off the machine; make the writer say. */
static bool ambiguous_v6(const char *s)
{
	struct in6_addr a;
	char head[64];
	const char *last = strrchr(s, ':');
	size_t hl = last ? (size_t)(last - s) : 0;

	if (last == NULL || last[1] == '\0' || strspn(last + 1, "0123456789") != strlen(last + 1) ||
	    strlen(last + 1) > 5 || hl == 0 || hl >= sizeof head)
		return false;
	memcpy(head, s, hl);
	head[hl] = '\0';
	return inet_pton(AF_INET6, head, &a) == 1;
}

/* inet_ntop() for IPv4, without the sprintf() inside glibc's, which was a
 * quarter of reading a list of 10,000. out holds at least 16 bytes. */
static void ipv4_text(const struct in_addr *a, char *out)
{
	const unsigned char *b = (const unsigned char *)&a->s_addr;
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

int reslist_parse_addr(const char *s, unsigned short defport, struct resolver *r)
{
	char host[64];
	const char *portstr = NULL;
	size_t hl;

	if (s[0] == '[') {
		/* [V6]:PORT, or [V6] alone for an address that would be ambiguous */
		const char *close = strchr(s, ']');
		if (close == NULL || (close[1] != ':' && close[1] != '\0') ||
		    (close[1] == ':' && close[2] == '\0'))
			return PW_EADDR;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof host)
			return PW_EADDR;
		memcpy(host, s + 1, hl);
		portstr = close[1] == ':' ? close + 2 : NULL;
	} else {
		const char *colon = strchr(s, ':');
		/* One colon is host:port; more is a bare IPv6 address. */
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hl = (size_t)(colon - s);
			portstr = colon + 1;
		} else {
			hl = strlen(s);
		}
		if (hl >= sizeof host)
			return PW_EADDR;
		memcpy(host, s, hl);
		if (portstr == NULL && strchr(s, ':') != NULL && ambiguous_v6(s))
			return PW_EAMBIG;
	}
	host[hl] = '\0';

	unsigned long port = defport;
	if (portstr != NULL) {
		char *end;
		if (!isdigit((unsigned char)*portstr))
			return PW_EPORT;
		errno = 0;
		port = strtoul(portstr, &end, 10);
		if (*end != '\0' || errno || port == 0 || port > 65535)
			return PW_EPORT;
	}

	memset(&r->addr, 0, sizeof r->addr);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&r->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&r->addr;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)port);
		r->addrlen = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		r->addrlen = sizeof *v6;
	} else {
		return PW_EADDR;
	}
	/* Store the normalised form so duplicates compare equal. */
	if (r->addr.sa.sa_family == AF_INET)
		ipv4_text(&v4->sin_addr, r->host);
	else
		inet_ntop(AF_INET6, &v6->sin6_addr, r->host, sizeof r->host);
	r->port = (unsigned short)port;
	return PW_OK;
}

/* Split off the next whitespace-separated token; NULL at end of line. */
static char *next_token(char **p)
{
	char *s = *p, *start;
	while (*s && isspace((unsigned char)*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	start = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

int reslist_parse_line(const char *line, struct resolver *r, char *what, size_t whatlen)
{
	char buf[PW_MAX_LINE];
	char *p = buf, *hash, *addr, *cc, *op;
	int rc;

	if (strlen(line) >= sizeof buf) {
		snprintf(what, whatlen, "line too long");
		return PW_ERANGE;
	}
	strcpy(buf, line);
	if ((hash = strchr(buf, '#')) != NULL)
		*hash = '\0';
	memset(r, 0, sizeof *r);

	addr = next_token(&p);
	if (addr == NULL)
		return 0;
	cc = next_token(&p);
	op = next_token(&p);
	if (cc == NULL || op == NULL) {
		snprintf(what, whatlen, "expected ADDRESS COUNTRY OPERATOR [LABEL]");
		return PW_EFIELDS;
	}
	if ((rc = reslist_parse_addr(addr, 53, r)) < 0) {
		snprintf(what, whatlen, "'%s': %s", addr, pw_strerror(rc));
		return rc;
	}
	if (strlen(cc) != 2 || !isalpha((unsigned char)cc[0]) || !isalpha((unsigned char)cc[1])) {
		snprintf(what, whatlen, "'%s': %s", cc, pw_strerror(PW_ECOUNTRY));
		return PW_ECOUNTRY;
	}
	r->country[0] = (char)toupper((unsigned char)cc[0]);
	r->country[1] = (char)toupper((unsigned char)cc[1]);

	/* Flags come right after the operator; the label is what is left. */
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p != '+')
			break;
		char *tok = next_token(&p);
		if (strcmp(tok, "+anycast") == 0) {
			r->anycast = true;
		} else {
			snprintf(what, whatlen, "'%s': %s", tok, pw_strerror(PW_EFLAG));
			return PW_EFLAG;
		}
	}
	size_t n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		p[--n] = '\0';
	r->operator_name = strdup(op);
	r->label = strdup(p);
	if (r->operator_name == NULL || r->label == NULL) {
		resolver_clear(r);
		snprintf(what, whatlen, "out of memory");
		return PW_ENOMEM;
	}
	return 1;
}

static int same_endpoint(const struct resolver *a, const struct resolver *b)
{
	return a->port == b->port && strcmp(a->host, b->host) == 0;
}

static size_t endpoint_hash(const struct resolver *r)
{
	size_t h = 5381u + r->port;
	for (const char *c = r->host; *c; c++)
		h = h * 33u ^ (unsigned char)*c;
	/* Mix the high bits down: addresses differ in their last characters,
	 * and the table takes the low bits (long probe runs without this). */
	uint64_t x = h;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x;
}

/* The first resolver that repeats an earlier one, by hashing: lists of
 * thousands (benchmarks, labs) make a pairwise scan too slow. Returns
 * PW_EDUP with its index in *dup, PW_OK, or PW_ENOMEM. */
static int find_duplicate(const struct reslist *list, size_t *dup)
{
	size_t size = 16;
	while (size < list->n * 2)
		size <<= 1;
	size_t *table = malloc(size * sizeof *table);
	int rc = PW_OK;

	if (table == NULL)
		return PW_ENOMEM;
	for (size_t i = 0; i < size; i++)
		table[i] = SIZE_MAX;
	for (size_t i = 0; i < list->n && rc == PW_OK; i++) {
		size_t h = endpoint_hash(&list->v[i]) & (size - 1);
		for (; table[h] != SIZE_MAX; h = (h + 1) & (size - 1)) {
			if (same_endpoint(&list->v[table[h]], &list->v[i])) {
				*dup = i;
				rc = PW_EDUP;
				break;
			}
		}
		table[h] = i;
	}
	free(table);
	return rc;
}

/* Index of the first resolver equal to list->v[i]. */
static size_t first_of(const struct reslist *list, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_endpoint(&list->v[j], &list->v[i]))
			return j;
	return i;
}

static bool ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* A line that is no text: a NUL or another control byte (tabs and a
 * final CR are whitespace). Returns its 1-based column, or 0. */
static size_t bad_byte(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t' && !(c == '\r' && i == len - 1)) || c == 0x7f)
			return i + 1;
	}
	return 0;
}

int reslist_load(const char *path, struct reslist *list, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	list->v = NULL;
	list->n = 0;
	err[0] = '\0';
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PW_EIO;
	}
	int rc = reslist_read(f, path, list, err, errlen);
	fclose(f);
	return rc;
}

int reslist_read(FILE *f, const char *path, struct reslist *list, char *err, size_t errlen)
{
	char *buf = NULL, what[256];
	size_t bufcap = 0;
	ssize_t got;
	size_t cap = 0;
	unsigned lineno = 0;
	size_t dup = 0;
	int rc = PW_OK;

	list->v = NULL;
	list->n = 0;
	err[0] = '\0';
	while ((got = getline(&buf, &bufcap, f)) > 0) {
		struct resolver r;
		size_t len = (size_t)got, col;
		char *line = buf;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		/* A UTF-8 byte order mark (some editors write one) is no text. */
		if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3, len -= 3;
		if ((col = bad_byte(line, len)) != 0) {
			unsigned char c = (unsigned char)line[col - 1];
			snprintf(err, errlen, "%s:%u: column %zu: %s byte 0x%02x: not a text file?",
			         path, lineno, col, c == 0 ? "NUL" : "control", c);
			rc = PW_EINVAL;
			break;
		}
		/* Labels end up in JSON, which is UTF-8; jansson knows what that is. */
		json_t *text = NULL;
		if (!ascii(line, len) && (text = json_stringn(line, len)) == NULL) {
			snprintf(err, errlen, "%s:%u: not UTF-8 text (save the list as UTF-8)",
			         path, lineno);
			rc = PW_EINVAL;
			break;
		}
		json_decref(text);
		if (len >= PW_MAX_LINE) {
			snprintf(err, errlen, "%s:%u: line too long (%zu bytes, at most %d)", path,
			         lineno, len, PW_MAX_LINE - 1);
			rc = PW_ERANGE;
			break;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		rc = reslist_parse_line(line, &r, what, sizeof what);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, what);
			break;
		}
		if (rc == 0)
			continue;
		rc = PW_OK;
		r.line = lineno;
		if (list->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct resolver *nv = realloc(list->v, ncap * sizeof *nv);
			if (nv == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				rc = PW_ENOMEM;
			} else {
				list->v = nv;
				cap = ncap;
			}
		}
		if (rc < 0) {
			resolver_clear(&r);
			break;
		}
		list->v[list->n++] = r;
	}
	if (rc == PW_OK && (rc = find_duplicate(list, &dup)) == PW_EDUP)
		snprintf(err, errlen, "%s:%u: duplicate resolver %s port %u (first on line %u)",
		         path, list->v[dup].line, list->v[dup].host, list->v[dup].port,
		         list->v[first_of(list, dup)].line);
	else if (rc == PW_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc == PW_OK && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = PW_EIO;
	}
	free(buf);
	if (rc == PW_OK && list->n == 0) {
		snprintf(err, errlen, "%s: no resolvers in the list", path);
		rc = PW_EEMPTY;
	}
	if (rc < 0) {
		reslist_free(list);
	} else if (list->n < cap) {
		/* The doubling's slack is up to half of a list that stays loaded. */
		struct resolver *nv = realloc(list->v, list->n * sizeof *nv);
		if (nv != NULL)
			list->v = nv;
	}
	return rc;
}

static int in_set(const char *s, const char **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, set[i]) == 0)
			return 1;
	return 0;
}

void reslist_apply(struct reslist *list, const struct reslist_filter *f)
{
	size_t out = 0;
	for (size_t i = 0; i < list->n; i++) {
		struct resolver *r = &list->v[i];
		int keep = (f->ncountries == 0 ||
		            in_set(r->country, f->countries, f->ncountries)) &&
		           (f->noperators == 0 ||
		            in_set(r->operator_name, f->operators, f->noperators)) &&
		           (f->family == 0 || f->family == r->addr.sa.sa_family) &&
		           (f->limit == 0 || out < f->limit);
		if (keep)
			list->v[out++] = *r;
		else
			resolver_clear(r);
	}
	list->n = out;
}

const char *reslist_default_path(void)
{
	static const char *const candidates[] = {
		PW_DATADIR "/resolvers.txt",
		"/usr/share/propwatch/resolvers.txt",
		"./resolvers.txt",
	};
	const char *env = getenv("PROPWATCH_RESOLVERS");
	if (env != NULL && *env != '\0')
		return env;
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

void resolver_clear(struct resolver *r)
{
	free(r->operator_name);
	free(r->label);
	r->operator_name = r->label = NULL;
}

void reslist_free(struct reslist *list)
{
	for (size_t i = 0; i < list->n; i++)
		resolver_clear(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

const char *resolver_addrstr(const struct resolver *r, char *buf, size_t len)
{
	if (r->port == 53)
		snprintf(buf, len, "%s", r->host);
	else if (r->addr.sa.sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", r->host, r->port);
	else
		snprintf(buf, len, "%s:%u", r->host, r->port);
	return buf;
}
