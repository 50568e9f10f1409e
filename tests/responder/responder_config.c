/*
 * responder_config.c - parses the pw-responder config file into a struct
 * config.  The syntax is documented in tests/responder/README.md; in short:
 *
 *   set NAME OWNER [TTL] [IN] TYPE RDATA      record set line (zone-file RR)
 *   endpoint ADDR[:PORT] TOKEN...             one endpoint ([::1]:PORT for v6)
 *   range FIRST-ADDR COUNT PORT TOKEN...      COUNT consecutive IPv4 addresses
 *   portrange ADDR FIRST-PORT COUNT TOKEN...  COUNT consecutive ports
 *   bind auto|wildcard|specific               socket strategy (responder_bind.c)
 *   seed N                                    PRNG seed for drop/garbage/jitter
 *
 * Every error is reported as "FILE:LINE: message" and makes the load fail
 * (exit 2 at startup, old config kept on SIGHUP).
 */
#include "responder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 64

struct parser {
	struct config *c;
	const char *path;
	int line;
	char *err;
	size_t errlen;
	int64_t now;
};

static int perr(struct parser *p, const char *fmt, ...) RSP_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
	return -1;
}

/* Cut a trailing comment: '#' at line start or after whitespace, outside
 * double quotes (TXT rdata may contain '#'). */
static void strip_comment(char *s)
{
	bool inq = false;
	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		else if (*p == '#' && !inq && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = 0;
			return;
		}
	}
}

static char *next_token(char **cur)
{
	char *p = *cur;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (!*p) {
		*cur = p;
		return NULL;
	}
	char *start = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		p++;
	if (*p)
		*p++ = 0;
	*cur = p;
	return start;
}

static int parse_rcode(const char *s)
{
	static const char *names[] = { "noerror", "formerr", "servfail", "nxdomain",
		                       "notimp",  "refused", "yxdomain", "yxrrset",
		                       "nxrrset", "notauth", "notzone" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(s, names[i]))
			return (int)i;
	uint64_t v;
	if (!parse_uint(s, 15, &v))
		return (int)v;
	return -1;
}

/* Tokens that pick what kind of answer is given; at most one per endpoint. */
static int set_mode(struct parser *p, struct behaviour *b, const char **mode_tok, const char *tok,
                    enum rsp_mode m, int rcode)
{
	if (*mode_tok)
		return perr(p, "'%s' conflicts with '%s'", tok, *mode_tok);
	*mode_tok = tok;
	b->mode = m;
	b->rcode = rcode;
	return 0;
}

static int parse_delay(struct parser *p, struct behaviour *b, const char *v)
{
	uint64_t lo, hi;
	const char *dash = strchr(v, '-');
	if (dash) {
		char buf[64];
		if ((size_t)(dash - v) >= sizeof buf)
			return perr(p, "bad delay '%s'", v);
		memcpy(buf, v, (size_t)(dash - v));
		buf[dash - v] = 0;
		if (parse_duration_ms(buf, &lo) || parse_duration_ms(dash + 1, &hi) || hi < lo)
			return perr(p, "bad delay '%s' (want e.g. 300ms or 100ms-2s)", v);
	} else {
		if (parse_duration_ms(v, &lo))
			return perr(p, "bad delay '%s' (want e.g. 300ms or 100ms-2s)", v);
		hi = lo;
	}
	if (hi > 600000)
		return perr(p, "delay '%s' too long (max 10m)", v);
	b->delay_min_ms = (uint32_t)lo;
	b->delay_max_ms = (uint32_t)hi;
	return 0;
}

static int parse_behaviour_tokens(struct parser *p, struct behaviour *b, char **tok, int ntok)
{
	const char *mode_tok = NULL;
	bool expire_from_set = false;
	b->mode = MODE_SERVE;
	b->serve = b->then = -1;
	b->ttl = -1;
	for (int i = 0; i < ntok; i++) {
		const char *t = tok[i];
		const char *eq = strchr(t, '=');
		const char *v = eq ? eq + 1 : NULL;
		size_t klen = eq ? (size_t)(eq - t) : strlen(t);
#define IS(k) (klen == sizeof(k) - 1 && !strncmp(t, k, klen))
		if (eq && !*v)
			return perr(p, "'%s' needs a value", t);
		if (IS("serve") && v) {
			free(b->serve_name);
			b->serve_name = xstrdup(v);
		} else if (IS("nsid") && v) {
			if (strlen(v) > 64)
				return perr(p, "nsid '%s' is longer than 64 bytes", v);
			free(b->nsid);
			b->nsid = xstrdup(v);
		} else if (IS("then") && v) {
			free(b->then_name);
			free(b->nsid);
			b->then_name = xstrdup(v);
		} else if (IS("silent-after") && v) {
			if (parse_uint(v, 1000000000, &b->silent_after) || !b->silent_after)
				return perr(p, "bad silent-after '%s' (want 1..1000000000)", v);
		} else if (IS("ttl") && v) {
			uint64_t n;
			if (parse_uint(v, 2147483647, &n))
				return perr(p, "bad ttl '%s' (want 0..2147483647)", v);
			b->ttl = (int64_t)n;
		} else if (IS("delay") && v) {
			if (parse_delay(p, b, v))
				return -1;
		} else if (IS("expire") && v) {
			if (parse_duration_ms(v, &b->expire_ms) || !b->expire_ms)
				return perr(p, "bad expire '%s' (want e.g. 20s)", v);
		} else if (IS("expire-from") && v) {
			if (!strcmp(v, "start"))
				b->expire_from_first = false;
			else if (!strcmp(v, "first"))
				b->expire_from_first = true;
			else
				return perr(p, "bad expire-from '%s' (want start or first)", v);
			expire_from_set = true;
		} else if (IS("drop") && v) {
			if (parse_percent(v, &b->drop))
				return perr(p, "bad drop '%s' (want e.g. 30%%)", v);
		} else if (IS("rcode") && v) {
			int rc = parse_rcode(v);
			if (rc < 0)
				return perr(p, "bad rcode '%s' (want a name like formerr or 0..15)",
				            v);
			if (set_mode(p, b, &mode_tok, t, MODE_RCODE, rc))
				return -1;
		} else if (IS("garbage")) {
			if (v && strcmp(v, "random"))
				return perr(p, "bad garbage '%s' (want garbage or garbage=random)",
				            t);
			if (set_mode(p, b, &mode_tok, t, v ? MODE_GARBAGE_RAW : MODE_GARBAGE, 0))
				return -1;
		} else if (v) {
			return perr(p, "unknown behaviour token '%s'", t);
		} else if (IS("silent")) {
			if (set_mode(p, b, &mode_tok, t, MODE_SILENT, 0))
				return -1;
		} else if (IS("servfail")) {
			if (set_mode(p, b, &mode_tok, t, MODE_RCODE, LDNS_RCODE_SERVFAIL))
				return -1;
		} else if (IS("refused")) {
			if (set_mode(p, b, &mode_tok, t, MODE_RCODE, LDNS_RCODE_REFUSED))
				return -1;
		} else if (IS("nxdomain")) {
			if (set_mode(p, b, &mode_tok, t, MODE_NXDOMAIN, LDNS_RCODE_NXDOMAIN))
				return -1;
		} else if (IS("nodata")) {
			if (set_mode(p, b, &mode_tok, t, MODE_NODATA, 0))
				return -1;
		} else if (IS("truncate")) {
			b->truncate = true;
		} else if (IS("wrong-id")) {
			b->wrong_id = true;
		} else if (IS("wrong-question")) {
			b->wrong_question = true;
		} else if (IS("wrong-source")) {
			b->wrong_source = true;
		} else if (IS("aa")) {
			b->aa = true;
		} else if (IS("ad")) {
			b->ad = true;
		} else if (IS("nora")) {
			b->nora = true;
		} else {
			return perr(p, "unknown behaviour token '%s'", t);
		}
#undef IS
	}
	if (!mode_tok && !b->serve_name)
		return perr(p, "no behaviour: give serve=SET or one of silent, servfail, refused, "
		               "nxdomain, nodata, rcode=X, garbage");
	if (b->expire_ms && (!b->then_name || !b->serve_name || b->mode != MODE_SERVE))
		return perr(p, "expire= needs serve=SET and then=SET (and no other answer mode)");
	if (b->then_name && !b->expire_ms)
		return perr(p, "then= needs expire=");
	if (expire_from_set && !b->expire_ms)
		return perr(p, "expire-from= needs expire=");
	return 0;
}

static int find_set(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nsets; i++)
		if (!strcmp(c->sets[i].name, name))
			return (int)i;
	return -1;
}

static void behaviour_free(struct behaviour *b)
{
	if (!b)
		return;
	free(b->text);
	free(b->serve_name);
	free(b->then_name);
	free(b);
}

static void bhash_insert(struct config *c, uint32_t idx)
{
	size_t mask = c->bhcap - 1;
	size_t h = hash_bytes(c->behs[idx]->text, strlen(c->behs[idx]->text)) & mask;
	while (c->bhash[h])
		h = (h + 1) & mask;
	c->bhash[h] = idx + 1;
}

/* Returns the shared behaviour for these tokens, parsing it on first use. */
static struct behaviour *behaviour_get(struct parser *p, char **tok, int ntok)
{
	struct config *c = p->c;
	char text[4096];
	size_t off = 0;
	text[0] = 0;
	for (int i = 0; i < ntok; i++) {
		int n = snprintf(text + off, sizeof text - off, "%s%s", i ? " " : "", tok[i]);
		if (n < 0 || (size_t)n >= sizeof text - off) {
			perr(p, "behaviour too long");
			return NULL;
		}
		off += (size_t)n;
	}
	if (c->bhcap) {
		size_t mask = c->bhcap - 1;
		for (size_t h = hash_bytes(text, off) & mask; c->bhash[h]; h = (h + 1) & mask)
			if (!strcmp(c->behs[c->bhash[h] - 1]->text, text))
				return c->behs[c->bhash[h] - 1];
	}
	struct behaviour *b = xcalloc(1, sizeof *b);
	if (parse_behaviour_tokens(p, b, tok, ntok)) {
		behaviour_free(b);
		return NULL;
	}
	b->text = xstrdup(text);
	b->line = p->line;
	if (c->nbehs == c->capbehs) {
		c->capbehs = c->capbehs ? c->capbehs * 2 : 16;
		c->behs = xrealloc(c->behs, c->capbehs, sizeof *c->behs);
	}
	b->idx = (unsigned)c->nbehs;
	c->behs[c->nbehs++] = b;
	if (c->nbehs * 2 > c->bhcap) {
		free(c->bhash);
		c->bhcap = c->bhcap ? c->bhcap * 2 : 64;
		c->bhash = xcalloc(c->bhcap, sizeof *c->bhash);
		for (size_t i = 0; i < c->nbehs; i++)
			bhash_insert(c, (uint32_t)i);
	} else {
		bhash_insert(c, b->idx);
	}
	return b;
}

static int add_endpoint(struct parser *p, const struct ep_key *k, struct behaviour *b)
{
	struct config *c = p->c;
	if (!key_is_loopback(k)) {
		char a[80];
		key_format(k, a, sizeof a);
		return perr(p, "%s is not a loopback address (only 127.0.0.0/8 and ::1 are served)",
		            a);
	}
	if (c->neps >= RSP_MAX_ENDPOINTS)
		return perr(p, "too many endpoints (max %d)", RSP_MAX_ENDPOINTS);
	if (c->neps == c->capeps) {
		c->capeps = c->capeps ? c->capeps * 2 : 64;
		c->eps = xrealloc(c->eps, c->capeps, sizeof *c->eps);
	}
	struct endpoint *e = &c->eps[c->neps++];
	memset(e, 0, sizeof *e);
	e->key = *k;
	e->b = b;
	e->line = p->line;
	e->t0_ms = b->expire_from_first ? -1 : p->now;
	return 0;
}

static int do_endpoint(struct parser *p, char **tok, int ntok)
{
	struct ep_key k;
	if (ntok < 2)
		return perr(p, "usage: endpoint ADDR[:PORT] BEHAVIOUR...");
	if (key_parse(tok[0], false, &k))
		return perr(p, "bad address '%s' (want 127.0.0.1:5300 or [::1]:5300)", tok[0]);
	struct behaviour *b = behaviour_get(p, tok + 1, ntok - 1);
	return b ? add_endpoint(p, &k, b) : -1;
}

static int do_range(struct parser *p, char **tok, int ntok)
{
	struct ep_key k;
	uint64_t count, port;
	if (ntok < 4)
		return perr(p, "usage: range FIRST-IPV4 COUNT PORT BEHAVIOUR...");
	if (key_parse(tok[0], false, &k) || k.family != 4 || strchr(tok[0], ':'))
		return perr(p, "bad range start '%s' (want an IPv4 address without port)", tok[0]);
	if (parse_uint(tok[1], RSP_MAX_ENDPOINTS, &count) || !count)
		return perr(p, "bad range count '%s' (want 1..%d)", tok[1], RSP_MAX_ENDPOINTS);
	if (parse_uint(tok[2], 65535, &port) || !port)
		return perr(p, "bad port '%s'", tok[2]);
	uint32_t a0 = (uint32_t)k.addr[0] << 24 | (uint32_t)k.addr[1] << 16 |
	              (uint32_t)k.addr[2] << 8 | k.addr[3];
	if ((uint64_t)a0 + count - 1 > 0x7fffffffULL)
		return perr(p, "range %s + %s leaves 127.0.0.0/8", tok[0], tok[1]);
	struct behaviour *b = behaviour_get(p, tok + 3, ntok - 3);
	if (!b)
		return -1;
	k.port = (uint16_t)port;
	for (uint64_t i = 0; i < count; i++) {
		uint32_t a = a0 + (uint32_t)i;
		k.addr[0] = (uint8_t)(a >> 24);
		k.addr[1] = (uint8_t)(a >> 16);
		k.addr[2] = (uint8_t)(a >> 8);
		k.addr[3] = (uint8_t)a;
		if (add_endpoint(p, &k, b))
			return -1;
	}
	return 0;
}

static int do_portrange(struct parser *p, char **tok, int ntok)
{
	struct ep_key k;
	uint64_t count, port;
	if (ntok < 4)
		return perr(p, "usage: portrange ADDR FIRST-PORT COUNT BEHAVIOUR...");
	const char *a = tok[0];
	char buf[64];
	if (*a == '[') { /* accept [::1] too */
		size_t l = strlen(a);
		if (l < 3 || l - 2 >= sizeof buf || a[l - 1] != ']')
			return perr(p, "bad address '%s'", a);
		memcpy(buf, a + 1, l - 2);
		buf[l - 2] = 0;
		a = buf;
	}
	if (key_parse(a, false, &k) || (k.family == 4 && strchr(a, ':')))
		return perr(p, "bad address '%s' (no port here)", tok[0]);
	if (parse_uint(tok[1], 65535, &port) || !port)
		return perr(p, "bad port '%s'", tok[1]);
	if (parse_uint(tok[2], 65535, &count) || !count || port + count - 1 > 65535)
		return perr(p, "bad portrange count '%s' (ports must stay <= 65535)", tok[2]);
	struct behaviour *b = behaviour_get(p, tok + 3, ntok - 3);
	if (!b)
		return -1;
	for (uint64_t i = 0; i < count; i++) {
		k.port = (uint16_t)(port + i);
		if (add_endpoint(p, &k, b))
			return -1;
	}
	return 0;
}

static int do_line(struct parser *p, char *s)
{
	strip_comment(s);
	char *cur = s;
	char *dir = next_token(&cur);
	if (!dir)
		return 0;
	if (!strcmp(dir, "set")) {
		char *name = next_token(&cur);
		while (*cur == ' ' || *cur == '\t')
			cur++;
		size_t l = strlen(cur);
		while (l && (cur[l - 1] == ' ' || cur[l - 1] == '\t' || cur[l - 1] == '\r' ||
		             cur[l - 1] == '\n'))
			cur[--l] = 0;
		if (!name || !*cur)
			return perr(p, "usage: set NAME OWNER TTL CLASS TYPE RDATA");
		if (strspn(name,
		           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
		    strlen(name))
			return perr(p, "bad set name '%s'", name);
		struct rset *set = set_get_or_add(p->c, name, p->line);
		char msg[400];
		if (set_add_rr(set, cur, msg, sizeof msg))
			return perr(p, "%s", msg);
		return 0;
	}
	char *tok[MAX_TOKENS];
	int ntok = 0;
	char *t;
	while ((t = next_token(&cur))) {
		if (ntok == MAX_TOKENS)
			return perr(p, "too many tokens");
		tok[ntok++] = t;
	}
	if (!strcmp(dir, "endpoint"))
		return do_endpoint(p, tok, ntok);
	if (!strcmp(dir, "range"))
		return do_range(p, tok, ntok);
	if (!strcmp(dir, "portrange"))
		return do_portrange(p, tok, ntok);
	if (!strcmp(dir, "bind")) {
		if (ntok != 1)
			return perr(p, "usage: bind auto|wildcard|specific");
		if (!strcmp(tok[0], "auto"))
			p->c->bind_mode = BIND_AUTO;
		else if (!strcmp(tok[0], "wildcard"))
			p->c->bind_mode = BIND_WILDCARD;
		else if (!strcmp(tok[0], "specific"))
			p->c->bind_mode = BIND_SPECIFIC;
		else
			return perr(p, "bad bind mode '%s' (want auto, wildcard or specific)",
			            tok[0]);
		return 0;
	}
	if (!strcmp(dir, "seed")) {
		if (ntok != 1 || parse_uint(tok[0], UINT64_MAX, &p->c->seed))
			return perr(p, "usage: seed NUMBER");
		p->c->seed_set = true;
		return 0;
	}
	return perr(p, "unknown directive '%s' (want set, endpoint, range, portrange, bind, seed)",
	            dir);
}

/* After the whole file: resolve set names, index endpoints, catch duplicates. */
static int finish(struct parser *p)
{
	struct config *c = p->c;
	char msg[400];
	for (size_t i = 0; i < c->nsets; i++) {
		if (set_finish(&c->sets[i], msg, sizeof msg)) {
			p->line = c->sets[i].line;
			return perr(p, "%s", msg);
		}
	}
	for (size_t i = 0; i < c->nbehs; i++) {
		struct behaviour *b = c->behs[i];
		p->line = b->line;
		if (b->serve_name && (b->serve = find_set(c, b->serve_name)) < 0)
			return perr(p, "unknown set '%s'", b->serve_name);
		if (b->then_name && (b->then = find_set(c, b->then_name)) < 0)
			return perr(p, "unknown set '%s'", b->then_name);
	}
	if (!c->neps) {
		p->line = 0;
		return perr(p, "no endpoints defined");
	}
	c->htcap = 16;
	while (c->htcap < c->neps * 2)
		c->htcap *= 2;
	c->ht = xcalloc(c->htcap, sizeof *c->ht);
	size_t mask = c->htcap - 1;
	for (size_t i = 0; i < c->neps; i++) {
		size_t h = hash_bytes(&c->eps[i].key, sizeof c->eps[i].key) & mask;
		for (; c->ht[h]; h = (h + 1) & mask) {
			const struct endpoint *o = &c->eps[c->ht[h] - 1];
			if (!memcmp(&o->key, &c->eps[i].key, sizeof o->key)) {
				char a[80];
				key_format(&o->key, a, sizeof a);
				p->line = c->eps[i].line;
				return perr(p, "endpoint %s already defined at line %d", a,
				            o->line);
			}
		}
		c->ht[h] = (uint32_t)i + 1;
	}
	return 0;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct config *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	struct parser p = { .c = c, .path = path, .err = err, .errlen = errlen, .now = now_ms() };
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (getline(&line, &cap, f) >= 0) {
		p.line++;
		if ((rc = do_line(&p, line)))
			break;
	}
	free(line);
	if (!rc && ferror(f))
		rc = perr(&p, "read error");
	fclose(f);
	if (!rc)
		rc = finish(&p);
	if (rc) {
		config_free(c);
		return NULL;
	}
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsets; i++) {
		free(c->sets[i].name);
		ldns_rr_list_deep_free(c->sets[i].rrs);
	}
	free(c->sets);
	for (size_t i = 0; i < c->nbehs; i++)
		behaviour_free(c->behs[i]);
	free(c->behs);
	free(c->bhash);
	free(c->eps);
	free(c->ht);
	free(c->path);
	free(c);
}

struct endpoint *config_find(const struct config *c, const struct ep_key *k)
{
	size_t mask = c->htcap - 1;
	for (size_t h = hash_bytes(k, sizeof *k) & mask; c->ht[h]; h = (h + 1) & mask) {
		struct endpoint *e = &c->eps[c->ht[h] - 1];
		if (!memcmp(&e->key, k, sizeof *k))
			return e;
	}
	return NULL;
}

/* On reload, endpoints keep their query counters, and their expire= clock
 * when their behaviour text is unchanged, so a SIGHUP that flips one
 * endpoint does not restart the countdown of all the others. */
void config_inherit(struct config *nc, const struct config *old)
{
	for (size_t i = 0; i < nc->neps; i++) {
		struct endpoint *e = &nc->eps[i];
		const struct endpoint *o = old ? config_find(old, &e->key) : NULL;
		if (!o)
			continue;
		e->n_udp = o->n_udp;
		e->n_tcp = o->n_tcp;
		if (!strcmp(o->b->text, e->b->text))
			e->t0_ms = o->t0_ms;
	}
}
