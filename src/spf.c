/*
 * spf.c -- the SPF record parser and the lookup counter.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "mailtxt.h"
#include "spf.h"

#define LOOKUP_LIMIT 10 /* RFC 7208 4.6.4 */
#define MAX_DEPTH    12 /* include/redirect nesting followed */
#define MAX_QUERIES  96 /* callback calls in one walk, whatever the records say */
#define MAX_LOOKUPS  30 /* far enough past the limit to say by how much */

static const char *const mech_names[SPF_MECH_COUNT] = {
	[SPF_ALL] = "all", [SPF_INCLUDE] = "include",   [SPF_A] = "a",
	[SPF_MX] = "mx",   [SPF_PTR] = "ptr",           [SPF_IP4] = "ip4",
	[SPF_IP6] = "ip6", [SPF_EXISTS] = "exists",     [SPF_REDIRECT] = "redirect",
	[SPF_EXP] = "exp", [SPF_MODIFIER] = "modifier",
};

const char *spf_mech_name(enum spf_mech m)
{
	return (unsigned)m < SPF_MECH_COUNT ? mech_names[m] : "?";
}

bool spf_is_record(const char *text)
{
	return strncasecmp(text, "v=spf1", 6) == 0 && (text[6] == '\0' || text[6] == ' ');
}

bool spf_term_queries(const struct spf_term *t)
{
	switch (t->mech) {
	case SPF_INCLUDE:
	case SPF_A:
	case SPF_MX:
	case SPF_PTR:
	case SPF_EXISTS:
	case SPF_REDIRECT: return true;
	default: return false;
	}
}

const struct spf_term *spf_find(const struct spf_record *r, enum spf_mech m)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->terms[i].mech == m)
			return &r->terms[i];
	return NULL;
}

void spf_free(struct spf_record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->terms[i].arg);
		free(r->terms[i].name);
	}
	free(r->terms);
	r->terms = NULL;
	r->n = 0;
}

/* ---- the grammar (RFC 7208 section 12) ----------------------------------- */

/* A macro-string (7.1): literals %x21-7E but '%', and macros. Returns
 * whether it is well formed; *macros says whether it holds a %{...}. */
static bool macro_string_ok(const char *s, bool *macros)
{
	*macros = false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e)
			return false;
		if (c != '%')
			continue;
		s++;
		if (*s == '%' || *s == '_' || *s == '-')
			continue;
		if (*s != '{' || !strchr("slodiphcrtvSLODIPHCRTV", s[1]) || s[1] == '\0')
			return false;
		s += 2;
		while (isdigit((unsigned char)*s))
			s++;
		if (*s == 'r' || *s == 'R')
			s++;
		while (*s && strchr(".-+,/_=", *s))
			s++;
		if (*s != '}')
			return false;
		*macros = true;
	}
	return true;
}

/* A domain-spec: a macro-string ending in a macro or in ".toplabel[.]",
 * where a toplabel is not all digits. */
static bool domain_spec_ok(const char *s, char *why, size_t len)
{
	bool macros;
	if (*s == '\0') {
		snprintf(why, len, "an empty domain");
		return false;
	}
	if (!macro_string_ok(s, &macros)) {
		snprintf(why, len, "'%.80s' is not a valid domain-spec (bad character or macro)",
		         s);
		return false;
	}
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '}')
		return true;
	if (macros)
		return true; /* the domain-end follows the expansion; judged at run time */
	const char *end = s + n - (s[n - 1] == '.'), *dot = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '.')
			dot = p;
	bool digits = dot != NULL;
	for (const char *p = dot ? dot + 1 : s; p < end; p++)
		digits &= isdigit((unsigned char)*p) != 0;
	if (dot == NULL || dot + 1 == end || digits || !mailtxt_hostname(s)) {
		snprintf(why, len, "'%.80s' is not a domain name", s);
		return false;
	}
	return true;
}

/* "N" in [0, max], no sign and no leading zero. */
static int cidr_value(const char *s, size_t n, int max)
{
	int v = 0;
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Take a dual-cidr-length ("/24", "//64", "/24//64") off the end of arg. */
static bool take_dual_cidr(char *arg, struct spf_term *t, char *why, size_t len)
{
	char *dd = strstr(arg, "//");
	if (dd != NULL) {
		t->cidr6 = cidr_value(dd + 2, strlen(dd + 2), 128);
		if (t->cidr6 < 0) {
			snprintf(why, len, "bad IPv6 prefix length '%s'", dd);
			return false;
		}
		*dd = '\0';
	}
	char *sl = strrchr(arg, '/');
	if (sl != NULL) {
		t->cidr4 = cidr_value(sl + 1, strlen(sl + 1), 32);
		if (t->cidr4 < 0) {
			snprintf(why, len, "bad IPv4 prefix length '%s'", sl);
			return false;
		}
		*sl = '\0';
	}
	return true;
}

/* ip4:NET[/N] or ip6:NET[/N]. */
static bool network_ok(struct spf_term *t, char *why, size_t len)
{
	bool v6 = t->mech == SPF_IP6;
	unsigned char buf[16];
	char *sl = strchr(t->arg, '/');
	if (sl != NULL) {
		int v = cidr_value(sl + 1, strlen(sl + 1), v6 ? 128 : 32);
		if (v < 0) {
			snprintf(why, len, "bad prefix length '%s' in %s:%s", sl,
			         mech_names[t->mech], t->arg);
			return false;
		}
		*(v6 ? &t->cidr6 : &t->cidr4) = v;
		*sl = '\0';
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, t->arg, buf) != 1) {
		snprintf(why, len, "'%s' is not an %s address", t->arg, v6 ? "IPv6" : "IPv4");
		return false;
	}
	return true;
}

static bool modifier_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* One term (a directive or a modifier), tok being its text. */
static int parse_term(char *tok, struct spf_term *t, char *why, size_t len)
{
	size_t nl = 0;
	memset(t, 0, sizeof *t);
	t->cidr4 = t->cidr6 = -1;
	if (isalpha((unsigned char)tok[0]))
		while (modifier_name_char(tok[nl]))
			nl++;
	if (nl > 0 && tok[nl] == '=') {
		tok[nl] = '\0';
		const char *val = tok + nl + 1;
		bool macros;
		if (strcasecmp(tok, "redirect") == 0 || strcasecmp(tok, "exp") == 0) {
			t->mech = strcasecmp(tok, "redirect") == 0 ? SPF_REDIRECT : SPF_EXP;
			if (!domain_spec_ok(val, why, len))
				return PW_EINVAL;
		} else {
			t->mech = SPF_MODIFIER;
			if (!macro_string_ok(val, &macros)) {
				snprintf(why, len, "bad value in modifier %s=%.60s", tok, val);
				return PW_EINVAL;
			}
			if ((t->name = strdup(tok)) == NULL)
				return PW_ENOMEM;
		}
		return (t->arg = strdup(val)) == NULL ? PW_ENOMEM : PW_OK;
	}
	char *p = tok;
	t->qualifier = '+';
	if (*p && strchr("+-~?", *p))
		t->qualifier = *p++;
	size_t ml = strcspn(p, ":/");
	char *arg = p[ml] == ':' ? p + ml + 1 : NULL;
	char *rest = p + ml; /* ":..." or "/..." or "" */
	int m;
	for (m = 0; m <= SPF_EXISTS; m++)
		if (strlen(mech_names[m]) == ml && strncasecmp(p, mech_names[m], ml) == 0)
			break;
	if (m > SPF_EXISTS) {
		snprintf(why, len, "unknown mechanism '%.80s'", p);
		return PW_EINVAL;
	}
	t->mech = (enum spf_mech)m;
	bool takes_arg = m != SPF_ALL,
	     needs_arg = m == SPF_INCLUDE || m == SPF_EXISTS || m == SPF_IP4 || m == SPF_IP6;
	bool takes_cidr = m == SPF_A || m == SPF_MX;
	if ((!takes_arg && *rest) || (needs_arg && arg == NULL) ||
	    (!takes_cidr && arg == NULL && *rest)) {
		snprintf(why, len, "'%.80s': %s %s", p, mech_names[m],
		         needs_arg ? "needs ':' and a value" : "takes no value here");
		return PW_EINVAL;
	}
	if (m == SPF_ALL)
		return PW_OK;
	if ((t->arg = strdup(arg ? arg : rest)) == NULL)
		return PW_ENOMEM;
	if (m == SPF_IP4 || m == SPF_IP6)
		return network_ok(t, why, len) ? PW_OK : PW_EINVAL;
	if (takes_cidr && !take_dual_cidr(t->arg, t, why, len))
		return PW_EINVAL;
	if (arg == NULL) { /* a or mx with only a prefix length */
		free(t->arg);
		t->arg = NULL;
		return PW_OK;
	}
	return domain_spec_ok(t->arg, why, len) ? PW_OK : PW_EINVAL;
}

int spf_parse(const char *text, struct spf_record *r, char *err, size_t errlen)
{
	char *copy = NULL, *save = NULL, why[200] = "";
	int rc = PW_OK;

	memset(r, 0, sizeof *r);
	if (!spf_is_record(text)) {
		snprintf(err, errlen, "does not begin with v=spf1");
		return PW_EINVAL;
	}
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) {
			snprintf(err, errlen, "a character that is not printable ASCII (0x%02x)",
			         (unsigned char)*c);
			return PW_EINVAL;
		}
	if ((copy = strdup(text + 6)) == NULL)
		return PW_ENOMEM;
	size_t cap = 1;
	for (const char *c = copy; *c; c++)
		cap += *c == ' ';
	if ((r->terms = calloc(cap, sizeof *r->terms)) == NULL) {
		free(copy);
		return PW_ENOMEM;
	}
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct spf_term *t = &r->terms[r->n];
		if ((rc = parse_term(tok, t, why, sizeof why)) < 0) {
			free(t->arg);
			free(t->name);
			break;
		}
		r->n++;
		if ((t->mech == SPF_REDIRECT || t->mech == SPF_EXP) && spf_find(r, t->mech) != t) {
			snprintf(why, sizeof why, "%s= is given twice", mech_names[t->mech]);
			rc = PW_EINVAL;
			break;
		}
	}
	free(copy);
	if (rc == PW_EINVAL)
		snprintf(err, errlen, "%s", why);
	return rc;
}

/* ---- the lookup counter -------------------------------------------------- */

struct walk {
	spf_resolve_fn fn;
	void *ctx;
	struct spf_count *c;
	char path[MAX_DEPTH + 1][256]; /* the records on the way to here */
	int depth;
	unsigned queries;
};

static void problem(struct walk *w, enum spf_problem_kind k, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void problem(struct walk *w, enum spf_problem_kind k, const char *name, const char *fmt, ...)
{
	va_list ap;
	if (w->c->nproblems == SPF_MAX_PROBLEMS)
		return;
	struct spf_problem *p = &w->c->problems[w->c->nproblems++];
	p->kind = k;
	snprintf(p->name, sizeof p->name, "%s", name);
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof p->detail, fmt, ap);
	va_end(ap);
}

/* Lower case, no trailing dot: how names on the path compare. */
static void norm(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	for (; src[n] && n + 1 < len; n++)
		dst[n] = (char)tolower((unsigned char)src[n]);
	dst[n] = '\0';
	if (n > 1 && dst[n - 1] == '.')
		dst[n - 1] = '\0';
}

static int ask(struct walk *w, const char *name, int type, struct spf_rr *out)
{
	memset(out, 0, sizeof *out);
	out->rcode = -1;
	if (w->queries >= MAX_QUERIES) {
		w->c->truncated = true;
		return 1;
	}
	w->queries++;
	int rc = w->fn(w->ctx, name, type, out);
	if (rc == 0 && out->rcode < 0)
		problem(w, SPF_P_UNRESOLVED, name, "no usable answer to the %s lookup",
		        type == LDNS_RR_TYPE_TXT  ? "TXT"
		        : type == LDNS_RR_TYPE_MX ? "MX"
		                                  : "address");
	return rc;
}

static void note_void(struct walk *w, const char *name, const char *why)
{
	struct spf_count *c = w->c;
	size_t used = strlen(c->void_names);
	c->voids++;
	if (used + 4 < sizeof c->void_names)
		snprintf(c->void_names + used, sizeof c->void_names - used, "%s%s (%s)",
		         used ? ", " : "", name, why);
}

/* Does the name of a/mx/exists find anything? Counts a void lookup. */
static int probe(struct walk *w, const char *name, int t1, int t2)
{
	struct spf_rr a;
	int rc = ask(w, name, t1, &a);
	if (rc != 0 || a.rcode < 0 || a.n > 0)
		return rc < 0 ? rc : 0;
	bool nx = a.rcode == 3;
	if (t2 != 0 && !nx) {
		if ((rc = ask(w, name, t2, &a)) != 0 || a.rcode < 0 || a.n > 0)
			return rc < 0 ? rc : 0;
	}
	note_void(w, name, nx ? "NXDOMAIN" : "no records");
	return 0;
}

static int walk_record(struct walk *w, const char *domain, const struct spf_record *r);

/* include:target or redirect=target: fetch, check and walk its record. */
static int descend(struct walk *w, const char *target)
{
	char name[256], err[200];
	struct spf_rr txt;
	norm(name, sizeof name, target);
	for (int i = 0; i <= w->depth; i++)
		if (strcmp(w->path[i], name) == 0) {
			problem(w, SPF_P_LOOP, w->path[w->depth], "%s", name);
			return 0;
		}
	if (w->depth >= MAX_DEPTH || w->c->lookups > MAX_LOOKUPS) {
		w->c->truncated = true;
		return 0;
	}
	int rc = ask(w, name, LDNS_RR_TYPE_TXT, &txt);
	if (rc != 0 || txt.rcode < 0)
		return rc < 0 ? rc : 0;
	if (txt.n == 0) {
		note_void(w, name, txt.rcode == 3 ? "NXDOMAIN" : "no records");
		problem(w, SPF_P_MISSING, name, "%s",
		        txt.rcode == 3 ? "does not exist" : "has no TXT record");
		return 0;
	}
	char *found = NULL;
	size_t nspf = 0;
	for (size_t i = 0; i < txt.n; i++) {
		char *t = mailtxt_join(txt.records[i]);
		if (t == NULL) {
			free(found);
			return PW_ENOMEM;
		}
		if (spf_is_record(t) && nspf++ == 0)
			found = t;
		else
			free(t);
	}
	if (nspf != 1) {
		free(found);
		problem(w, nspf ? SPF_P_MULTIPLE : SPF_P_MISSING, name, "%s",
		        nspf ? "has more than one SPF record"
		             : "has TXT records, but no SPF record");
		return 0;
	}
	struct spf_record sub;
	rc = spf_parse(found, &sub, err, sizeof err);
	free(found);
	if (rc == PW_EINVAL)
		problem(w, SPF_P_SYNTAX, name, "%s", err);
	if (rc < 0) {
		spf_free(&sub);
		return rc == PW_EINVAL ? 0 : rc;
	}
	w->depth++;
	snprintf(w->path[w->depth], sizeof w->path[w->depth], "%s", name);
	rc = walk_record(w, name, &sub);
	w->depth--;
	spf_free(&sub);
	return rc;
}

static int walk_record(struct walk *w, const char *domain, const struct spf_record *r)
{
	int rc = 0;
	for (size_t i = 0; i < r->n && rc >= 0; i++) {
		const struct spf_term *t = &r->terms[i];
		bool macros = false;
		if (!spf_term_queries(t) || t->mech == SPF_REDIRECT)
			continue;
		w->c->lookups++;
		const char *target = t->arg ? t->arg : domain;
		if (t->arg != NULL && !macro_string_ok(t->arg, &macros))
			continue;
		if (macros)
			continue; /* depends on the message being checked */
		switch (t->mech) {
		case SPF_INCLUDE: rc = descend(w, target); break;
		case SPF_A: rc = probe(w, target, LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA); break;
		case SPF_MX: rc = probe(w, target, LDNS_RR_TYPE_MX, 0); break;
		case SPF_EXISTS: rc = probe(w, target, LDNS_RR_TYPE_A, 0); break;
		case SPF_PTR: problem(w, SPF_P_PTR, domain, "%s", "uses the ptr mechanism"); break;
		default: break;
		}
	}
	/* redirect is followed last, and only without an all (6.1). */
	const struct spf_term *red = spf_find(r, SPF_REDIRECT);
	if (rc >= 0 && red != NULL && spf_find(r, SPF_ALL) == NULL) {
		bool macros = false;
		w->c->lookups++;
		if (macro_string_ok(red->arg, &macros) && !macros)
			rc = descend(w, red->arg);
	}
	return rc;
}

int spf_count(const char *domain, const struct spf_record *top, spf_resolve_fn fn, void *ctx,
              struct spf_count *c)
{
	struct walk *w = calloc(1, sizeof *w);
	if (w == NULL)
		return PW_ENOMEM;
	memset(c, 0, sizeof *c);
	w->fn = fn;
	w->ctx = ctx;
	w->c = c;
	norm(w->path[0], sizeof w->path[0], domain);
	int rc = walk_record(w, w->path[0], top);
	free(w);
	return rc < 0 ? rc : 0;
}
