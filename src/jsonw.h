/*
 * jsonw.h -- a streaming JSON writer for reports of 10,000 rows and more.
 *
 * Building a jansson tree per row and dumping it cost five microseconds a
 * resolver, mostly in allocation; this writes the structure straight into
 * one buffer that goes out in 64 KiB pieces. Strings are still escaped by
 * jansson (one reused string value), so no escaping code lives here.
 * Keys are our own identifiers and are written as they are.
 *
 * Commas are the writer's business: every value or key after the first
 * in an object or array gets one. jw_break() asks for a line break and
 * indentation before the next item (or closing bracket), for the one-row-
 * a-line layout of the reports.
 */
#ifndef PW_JSONW_H
#define PW_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define JW_DEPTH 16

struct jw;

/* A writer onto f; NULL when out of memory. */
struct jw *jw_open(FILE *f);
/* Flush, free; PW_OK, or PW_EIO when any write failed. */
int jw_close(struct jw *w);

/* End a top-level value with a newline and hand everything written so far
 * to the file (NDJSON: every line whole on disk before the next begins).
 * PW_OK, or PW_EIO when a write failed. */
int jw_line_end(struct jw *w);

void jw_obj(struct jw *w); /* { */
void jw_end(struct jw *w); /* } or ], whichever is open */
void jw_arr(struct jw *w); /* [ */
void jw_key(struct jw *w, const char *key);
void jw_break(struct jw *w, int indent);

void jw_str(struct jw *w, const char *s);         /* NULL writes null */
void jw_str_or_null(struct jw *w, const char *s); /* "" writes null too */
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* v rounded to `digits` decimals, in jansson's form (always a '.'). */
void jw_real(struct jw *w, double v, int digits);
/* The same, or null when v < 0 (our "unknown"). */
void jw_real_or_null(struct jw *w, double v, int digits);
/* v >= 0, or null (our "unknown"). */
void jw_int_or_null(struct jw *w, long long v);
/* An array of n strings. */
void jw_strv(struct jw *w, char *const *v, size_t n);
/* A jansson value, consumed (for the small parts built as trees). */
void jw_json(struct jw *w, json_t *v);

/* key + value, the common case. */
#define jw_kstr(w, k, s)  (jw_key(w, k), jw_str(w, s))
#define jw_kint(w, k, v)  (jw_key(w, k), jw_int(w, v))
#define jw_kbool(w, k, v) (jw_key(w, k), jw_bool(w, v))
#define jw_knull(w, k)    (jw_key(w, k), jw_null(w))

#endif
