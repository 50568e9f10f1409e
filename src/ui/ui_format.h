/*
 * ui_format.h -- the dashboard's text, apart from curses.
 *
 * Everything the dashboard shows as text is formatted here into plain
 * buffers of an exact display width, so it can be unit-tested without a
 * terminal and the drawing code (ui_draw.c) only places strings and colours.
 * Widths are terminal columns, not bytes: labels from the resolver list may
 * be UTF-8, and the bar and sparkline use block characters when the locale
 * is UTF-8 (plain ASCII otherwise).
 */
#ifndef PW_UI_FORMAT_H
#define PW_UI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"

/* Columns of the resolver table, in screen order. */
enum ui_col {
	COL_MARK,     /* '*' while a query to it is in flight */
	COL_NAME,     /* label from the list, or the operator */
	COL_CC,       /* country */
	COL_OPERATOR, /* who runs it */
	COL_ADDRESS,  /* address[:port] */
	COL_STATUS,   /* new, stale, servfail, ... (coloured by ui_draw.c) */
	COL_TTL,      /* seconds its cached answer has left, counting down live */
	COL_ETA,      /* when a stale cache should flip */
	COL_LATENCY,  /* of its last reply */
	COL_PROTO,    /* udp or tcp */
	COL_SITE,     /* the anycast site (NSID) of its last reply */
	COL_CHANGED,  /* how long ago its status last changed */
	UI_NCOLS
};

/* Where each column goes for one terminal width. */
struct ui_layout {
	int x[UI_NCOLS]; /* first screen column of each column */
	int w[UI_NCOLS]; /* its width; 0 when left out for lack of room */
	int width;       /* the width laid out */
};

/* What one table row shows, already reduced to plain values. */
struct ui_rowdata {
	const char *name;            /* label, or operator when there is none */
	const char *country;         /* two letters */
	const char *continent;       /* a probe's continent ("EU"), NULL or "" for none */
	const char *operator_name;   /* "Google" */
	const char *address;         /* "192.0.2.1" or "[2001:db8::1]:5353" */
	enum pw_status status;       /* its latest outcome */
	bool has_truth;              /* false: new and stale cannot be told apart */
	double ttl;                  /* seconds its cached answer has left, < 0 none */
	double eta;                  /* seconds until its cache drops the old answer, < 0 none */
	double latency_ms;           /* of the last reply, < 0 without one */
	enum pw_transport transport; /* of the last reply */
	const char *site;            /* NSID of the last reply, NULL without one */
	double changed_ago;          /* seconds since its status changed, < 0 never */
	bool busy;                   /* a query to it is in flight */
};

/* Is the C library's character type locale UTF-8 (after setlocale)? */
bool ui_locale_utf8(void);

/* Display width of s (UTF-8 when utf8; else bytes, non-ASCII shown as '?'). */
int ui_width(const char *s, bool utf8);

/* Copy src into dst as exactly `width` columns: cut with an ellipsis ('~' in
 * ASCII) when too long, padded with spaces (on the left when right_align).
 * Control characters and, without utf8, non-ASCII bytes become '?'.
 * Returns dst. len must allow 4 bytes per column plus the NUL. */
char *ui_fit(char *dst, size_t len, const char *src, int width, bool right_align, bool utf8);

/* Durations for the table, always whole seconds and short:
 * "45s", "3m 07s", "1h 02m", "2d 04h"; "-" when sec < 0. */
const char *ui_fmt_ttl(double sec, char *buf, size_t len);
/* ETA cell: the time while eta >= 0 (whatever the latest status: a
 * timeout does not empty a cache), "due" when 0; without one, "?" for a
 * stale row and "-" for the rest. */
const char *ui_fmt_eta(enum pw_status st, double eta, char *buf, size_t len);
/* "0.4ms", "12ms", "1.25s"; "-" when ms < 0. */
const char *ui_fmt_latency(double ms, char *buf, size_t len);
/* Status as shown: without ground truth a stale answer is just an "answer". */
const char *ui_status_label(enum pw_status st, bool has_truth);

/* Lay the table out for `width` columns, leaving out the least useful
 * columns first when the terminal is narrow. */
void ui_layout_compute(struct ui_layout *l, int width);
/* The table's header line and one row, exactly l->width columns. */
char *ui_fmt_header(char *buf, size_t len, const struct ui_layout *l);
char *ui_fmt_row(char *buf, size_t len, const struct ui_layout *l, const struct ui_rowdata *r,
                 bool utf8);

/* A progress bar of exactly `width` columns for done/total, in eighths of a
 * cell with Unicode blocks, '#' and '.' in ASCII. */
char *ui_fmt_bar(char *buf, size_t len, size_t done, size_t total, int width, bool utf8);

/* A sparkline, one column per value in 0..100; a value < 0 (no data yet)
 * is a blank. */
char *ui_fmt_spark(char *buf, size_t len, const double *v, size_t n, bool utf8);

/*
 * Resample a step function given as (at[i], val[i]) points, sorted by time,
 * into ncols columns covering [t0, t1]: each column takes the last value at
 * or before its end, < 0 before the first point. For the timeline.
 */
void ui_resample(const double *at, const double *val, size_t n, double t0, double t1, double *out,
                 size_t ncols);

/* Text of a per-cent share: "100%", "66.7%", "0%". */
const char *ui_fmt_share(double pct, char *buf, size_t len);

struct country_share;
/* " by country: AU 0% (0/1) · DE 100% (1/1) · BR -" (no usable answer yet). */
char *ui_fmt_countries(char *buf, size_t len, const struct country_share *cs, size_t n, bool utf8);

#endif
