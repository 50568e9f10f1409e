/*
 * responder_util.c - small helpers for pw-responder: monotonic time, a
 * seedable PRNG (so drop=/garbage/delay ranges are reproducible), strict
 * number/duration parsing for the config, and endpoint address keys.
 */
#include "responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: fast, good enough for loss/jitter simulation, never 0. */
uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

double rng_double(uint64_t *state)
{
	return (double)(rng_next(state) >> 11) / 9007199254740992.0; /* [0,1) */
}

void rsp_log(const char *fmt, ...)
{
	va_list ap;
	fputs("pw-responder: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		rsp_log("out of memory");
		exit(1);
	}
	return p;
}

void *xrealloc(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz) {
		rsp_log("out of memory");
		exit(1);
	}
	size_t bytes = n * sz;
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q) {
		rsp_log("out of memory");
		exit(1);
	}
	return q;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		rsp_log("out of memory");
		exit(1);
	}
	return d;
}

/* Whole-string unsigned integer, no sign, no trailing junk. */
int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "300ms", "2s", "1.5s", "30m", "1h".  A unit is required: a bare number
 * would be ambiguous between ms and s, and tests must read unambiguously. */
int parse_duration_ms(const char *s, uint64_t *ms)
{
	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	double mul;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s"))
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else
		return -1;
	v *= mul;
	if (v > 7 * 24 * 3600000.0)
		return -1;
	*ms = (uint64_t)(v + 0.5);
	return 0;
}

/* "30%" or a fraction "0.3". */
int parse_percent(const char *s, double *p)
{
	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	if (!strcmp(end, "%"))
		v /= 100;
	else if (*end)
		return -1;
	if (v < 0 || v > 1)
		return -1;
	*p = v;
	return 0;
}

/* "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53".  Port defaults to 53 unless
 * required. */
int key_parse(const char *s, bool port_required, struct ep_key *k)
{
	char host[64];
	const char *port = NULL;
	memset(k, 0, sizeof *k);
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || (size_t)(rb - s - 1) >= sizeof host)
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = 0;
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1])
			return -1;
	} else {
		const char *c1 = strchr(s, ':');
		if (c1 && strchr(c1 + 1, ':'))
			c1 = NULL; /* bare IPv6, no port */
		size_t hl = c1 ? (size_t)(c1 - s) : strlen(s);
		if (hl >= sizeof host)
			return -1;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (c1)
			port = c1 + 1;
	}
	if (inet_pton(AF_INET, host, k->addr) == 1)
		k->family = 4;
	else if (inet_pton(AF_INET6, host, k->addr) == 1)
		k->family = 6;
	else
		return -1;
	if (port) {
		uint64_t p;
		if (parse_uint(port, 65535, &p) || p == 0)
			return -1;
		k->port = (uint16_t)p;
	} else {
		if (port_required)
			return -1;
		k->port = 53;
	}
	return 0;
}

void key_format(const struct ep_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, a, sizeof a);
	if (k->family == 4)
		snprintf(buf, len, "%s:%u", a, k->port);
	else
		snprintf(buf, len, "[%s]:%u", a, k->port);
}

/* Only 127/8 and ::1: pw-responder must never serve (or answer) anything
 * that is not loopback. */
bool key_is_loopback(const struct ep_key *k)
{
	static const uint8_t v6lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	if (k->family == 4)
		return k->addr[0] == 127;
	return k->family == 6 && !memcmp(k->addr, v6lo, 16);
}

void key_from_sockaddr(const struct sockaddr_storage *ss, struct ep_key *k)
{
	memset(k, 0, sizeof *k);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		k->family = 4;
		memcpy(k->addr, &sin->sin_addr, 4);
		k->port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		k->family = 6;
		memcpy(k->addr, &sin6->sin6_addr, 16);
		k->port = ntohs(sin6->sin6_port);
	}
}

socklen_t key_to_sockaddr(const struct ep_key *k, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (k->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(k->port);
		memcpy(&sin->sin_addr, k->addr, 4);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(k->port);
	memcpy(&sin6->sin6_addr, k->addr, 16);
	return sizeof *sin6;
}

bool sockaddr_is_loopback(const struct sockaddr_storage *ss)
{
	struct ep_key k;
	key_from_sockaddr(ss, &k);
	return key_is_loopback(&k);
}

/* FNV-1a 64 with a final mix; keys are short, this is not the bottleneck. */
uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
