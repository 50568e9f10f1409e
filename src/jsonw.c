/*
 * jsonw.c -- a streaming JSON writer: see jsonw.h for why.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsonw.h"

#define JW_BUF (64 * 1024)

struct jw {
	FILE *f;
	json_t *str;               /* reused for jansson's escaping */
	int depth;                 /* open objects and arrays */
	bool first[JW_DEPTH + 1];  /* nothing written yet at this depth */
	char closer[JW_DEPTH + 1]; /* what ends the container open at this depth */
	bool after_key;            /* a value completes a key: no comma */
	int brk;                   /* indentation of a pending line break, -1 for none */
	int err;
	size_t len;
	char buf[JW_BUF];
};

static void flush(struct jw *w)
{
	if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
		w->err = 1;
	w->len = 0;
}

/* Room for n more bytes at w->buf + w->len (n <= JW_BUF): a report is
 * millions of tiny pieces, so the common case is this test and a copy. */
static inline char *room(struct jw *w, size_t n)
{
	if (w->len + n > sizeof w->buf)
		flush(w);
	return w->buf + w->len;
}

static void put_long(struct jw *w, const char *s, size_t n)
{
	flush(w);
	w->err |= fwrite(s, 1, n, w->f) != n;
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	if (n > sizeof w->buf) {
		put_long(w, s, n);
		return;
	}
	memcpy(room(w, n), s, n);
	w->len += n;
}

static inline void put1(struct jw *w, char c)
{
	*room(w, 1) = c;
	w->len++;
}

/* jansson's dump callback. */
static int put_cb(const char *s, size_t n, void *data)
{
	put(data, s, n);
	return 0;
}

static void pending_break(struct jw *w)
{
	if (w->brk < 0)
		return;
	static const char spaces[] = "                                ";
	int n = w->brk < (int)sizeof spaces - 1 ? w->brk : (int)sizeof spaces - 1;
	put1(w, '\n');
	put(w, spaces, (size_t)n);
	w->brk = -1;
}

/* What goes before a value or key: a comma unless first, then any break. */
static inline void before(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put1(w, ',');
	w->first[w->depth] = false;
	if (w->brk >= 0)
		pending_break(w);
}

struct jw *jw_open(FILE *f)
{
	struct jw *w = malloc(sizeof *w);
	if (w == NULL)
		return NULL;
	w->str = json_string("");
	if (w->str == NULL) {
		free(w);
		return NULL;
	}
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
	w->brk = -1;
	w->err = 0;
	w->len = 0;
	return w;
}

int jw_close(struct jw *w)
{
	flush(w);
	int err = w->err || w->depth != 0;
	json_decref(w->str);
	free(w);
	return err ? PW_EIO : PW_OK;
}

int jw_line_end(struct jw *w)
{
	if (w->depth != 0 || w->after_key)
		w->err = 1; /* a line ended inside a value: a bug */
	put1(w, '\n');
	w->first[0] = true;
	w->brk = -1;
	flush(w);
	if (fflush(w->f) != 0)
		w->err = 1;
	return w->err ? PW_EIO : PW_OK;
}

static void open_(struct jw *w, char c, char closer)
{
	before(w);
	put1(w, c);
	if (w->depth < JW_DEPTH) {
		w->depth++;
		w->first[w->depth] = true;
		w->closer[w->depth] = closer;
	} else {
		w->err = 1; /* deeper than any report of ours: a bug */
	}
}

void jw_obj(struct jw *w)
{
	open_(w, '{', '}');
}

void jw_arr(struct jw *w)
{
	open_(w, '[', ']');
}

void jw_end(struct jw *w)
{
	if (w->depth == 0 || w->after_key) {
		w->err = 1; /* unbalanced: a bug */
		return;
	}
	pending_break(w);
	put1(w, w->closer[w->depth]);
	w->depth--;
}

/* "s", or "s": for a key, in one reserved copy; false if it cannot fit. */
static bool put_quoted(struct jw *w, const char *s, size_t n, bool colon)
{
	size_t need = n + 2 + colon;
	if (need > sizeof w->buf)
		return false;
	char *p = room(w, need);
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	if (colon)
		p[n + 2] = ':';
	w->len += need;
	return true;
}

void jw_key(struct jw *w, const char *key)
{
	before(w);
	if (!put_quoted(w, key, strlen(key), true)) {
		w->err = 1; /* our own identifiers are short: a bug */
		return;
	}
	w->after_key = true;
}

void jw_break(struct jw *w, int indent)
{
	w->brk = indent;
}

/* Printable ASCII without a quote or backslash is its own JSON form, and
 * most of what we write (addresses, statuses, records) is that; anything
 * else is jansson's to escape. */
static bool plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

void jw_str(struct jw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	before(w);
	size_t n = strlen(s);
	if (plain(s, n) && put_quoted(w, s, n, false))
		return;
	if (json_string_setn(w->str, s, n) < 0) {
		/* Not UTF-8 (inputs are checked, so this is a bug): never bad JSON. */
		char *copy = malloc(n + 1);
		if (copy == NULL) {
			w->err = 1;
			return;
		}
		for (size_t i = 0; i < n; i++)
			copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
		json_string_setn_nocheck(w->str, copy, n);
		free(copy);
	}
	if (json_dump_callback(w->str, put_cb, w, JSON_ENCODE_ANY) < 0)
		w->err = 1;
}

void jw_str_or_null(struct jw *w, const char *s)
{
	if (s == NULL || s[0] == '\0')
		jw_null(w);
	else
		jw_str(w, s);
}

/* u's decimal digits, written leftwards so that they end at e; returns
 * where they begin. snprintf's format parsing was a tenth of a 10,000-row
 * report. */
static char *digits_left(char *e, unsigned long long u)
{
	do {
		*--e = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return e;
}

void jw_int(struct jw *w, long long v)
{
	char b[24], *e = b + sizeof b;
	char *p = digits_left(e, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	before(w);
	put(w, p, (size_t)(e - p));
}

void jw_int_or_null(struct jw *w, long long v)
{
	if (v >= 0)
		jw_int(w, v);
	else
		jw_null(w);
}

void jw_strv(struct jw *w, char *const *v, size_t n)
{
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_end(w);
}

void jw_bool(struct jw *w, bool v)
{
	before(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w)
{
	before(w);
	put(w, "null", 4);
}

/* What "%.*f" writes for v rounded to `digits` (0-6) decimals, |v| < 1e9,
 * without printf: at that size the double nearest the rounded value prints
 * back as the digits of llround(v * 10^digits). */
static int fixed_digits(char *b, double v, int digits)
{
	static const unsigned long long scales[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	unsigned long long scale = scales[digits];
	long long m = llround(v * (double)scale);
	unsigned long long u = m < 0 ? 0ull - (unsigned long long)m : (unsigned long long)m;
	char t[48], *e = t + sizeof t, *p = e;
	if (digits > 0) {
		/* The fraction with its leading zeros: scale + fraction has one
		 * more digit, a 1, whose place takes the point. */
		p = digits_left(e, scale + u % scale);
		*p = '.';
	}
	p = digits_left(p, u / scale);
	if (m < 0)
		*--p = '-';
	memcpy(b, p, (size_t)(e - p));
	return (int)(e - p);
}

void jw_real(struct jw *w, double v, int digits)
{
	char b[64];
	int n;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	if (digits >= 0 && digits <= 6 && fabs(v) < 1e9) {
		n = fixed_digits(b, v, digits);
	} else {
		double scale = pow(10, digits);
		n = snprintf(b, sizeof b - 2, "%.*f", digits, round(v * scale) / scale);
		if (n < 0 || n >= (int)sizeof b - 2) {
			jw_null(w);
			return;
		}
	}
	/* 12.300 -> 12.3, 5.000 -> 5.0, as jansson writes them; no "-0.0". */
	if (digits > 0) {
		while (b[n - 1] == '0' && b[n - 2] != '.')
			n--;
	} else {
		memcpy(b + n, ".0", 2);
		n += 2;
	}
	char *p = b;
	if (n == 4 && memcmp(b, "-0.0", 4) == 0)
		p++, n--;
	before(w);
	put(w, p, (size_t)n);
}

void jw_real_or_null(struct jw *w, double v, int digits)
{
	if (v < 0)
		jw_null(w);
	else
		jw_real(w, v, digits);
}

void jw_json(struct jw *w, json_t *v)
{
	before(w);
	if (v == NULL || json_dump_callback(v, put_cb, w,
	                                    JSON_COMPACT | JSON_PRESERVE_ORDER |
	                                            JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY) < 0)
		w->err = 1;
	json_decref(v);
}
