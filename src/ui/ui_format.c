/*
 * ui_format.c -- the dashboard's text: cells, rows, bar, sparkline.
 */
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "duration.h"
#include "tracker.h"
#include "ui/ui_format.h"

bool ui_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* The next character of s: its byte length and display width. Invalid or
 * unprintable input counts as one '?' so a bad label cannot break a row. */
static size_t next_char(const char *s, bool utf8, int *cols, bool *bad)
{
	unsigned char c = (unsigned char)*s;

	*bad = false;
	*cols = 1;
	if (c < 0x20 || c == 0x7f) {
		*bad = true;
		return 1;
	}
	if (c < 0x80)
		return 1;
	if (!utf8) {
		*bad = true;
		return 1;
	}
	mbstate_t st;
	wchar_t wc;
	memset(&st, 0, sizeof st);
	size_t n = mbrtowc(&wc, s, strlen(s), &st);
	int w = (n == (size_t)-1 || n == (size_t)-2 || n == 0) ? -1 : wcwidth(wc);
	if (w < 0) {
		*bad = true;
		return 1;
	}
	*cols = w;
	return n;
}

int ui_width(const char *s, bool utf8)
{
	int total = 0, w;
	bool bad;

	while (*s) {
		s += next_char(s, utf8, &w, &bad);
		total += w;
	}
	return total;
}

char *ui_fit(char *dst, size_t len, const char *src, int width, bool right_align, bool utf8)
{
	size_t o = 0;
	int used = 0;
	const char *ell = utf8 ? "\u2026" : "~";

	if (len == 0)
		return dst;
	if (width < 0)
		width = 0;
	if (src == NULL)
		src = "";
	bool cut = ui_width(src, utf8) > width;
	int room = cut ? width - 1 : width; /* keep a column for the ellipsis */
	int pad = 0;
	if (right_align && !cut)
		pad = width - ui_width(src, utf8);
	for (; pad > 0 && o + 1 < len; pad--, used++)
		dst[o++] = ' ';
	while (*src) {
		int w;
		bool bad;
		size_t n = next_char(src, utf8, &w, &bad);
		if (used + w > room || o + n + 1 >= len)
			break;
		if (bad)
			dst[o++] = '?';
		else
			memcpy(dst + o, src, n), o += n;
		used += w;
		src += n;
	}
	if (cut && width > 0 && o + strlen(ell) + 1 < len) {
		memcpy(dst + o, ell, strlen(ell));
		o += strlen(ell);
		used++;
	}
	/* A wide character that did not fit leaves a gap: pad it. */
	for (; used < width && o + 1 < len; used++)
		dst[o++] = ' ';
	dst[o] = '\0';
	return dst;
}

const char *ui_fmt_ttl(double sec, char *buf, size_t len)
{
	if (sec < 0 || isnan(sec)) {
		snprintf(buf, len, "-");
		return buf;
	}
	/* A cached TTL counts down in whole seconds and is still 1 until it is
	 * gone, so round up (with slack for the float noise of subtraction). */
	return duration_format_whole((long)ceil(sec - 1e-6), buf, (unsigned)len);
}

const char *ui_fmt_eta(enum pw_status st, double eta, char *buf, size_t len)
{
	if (eta < 0 || isnan(eta))
		snprintf(buf, len, "%s", st == ST_STALE ? "?" : "-");
	else if (eta < 0.5)
		snprintf(buf, len, "due");
	else
		ui_fmt_ttl(eta, buf, len);
	return buf;
}

const char *ui_fmt_latency(double ms, char *buf, size_t len)
{
	if (ms < 0 || isnan(ms))
		snprintf(buf, len, "-");
	else if (ms < 10)
		snprintf(buf, len, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.0fms", ms);
	else
		snprintf(buf, len, "%.2fs", ms / 1000);
	return buf;
}

const char *ui_status_label(enum pw_status st, bool has_truth)
{
	if (!has_truth && st == ST_STALE)
		return "answer";
	return status_name(st);
}

const char *ui_fmt_share(double pct, char *buf, size_t len)
{
	if (pct >= 99.95 || pct <= 0.05 || fabs(pct - round(pct)) < 0.05)
		snprintf(buf, len, "%.0f%%", pct);
	else
		snprintf(buf, len, "%.1f%%", pct);
	return buf;
}

char *ui_fmt_countries(char *buf, size_t len, const struct country_share *cs, size_t n, bool utf8)
{
	const char *sep = utf8 ? " \xc2\xb7" : ",";
	char share[16];
	size_t o = (size_t)snprintf(buf, len, " by country:");
	for (size_t i = 0; i < n && o < len; i++) {
		if (cs[i].usable == 0)
			o += (size_t)snprintf(buf + o, len - o, "%s %s -", i ? sep : "",
			                      cs[i].country);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s %s %s (%zu/%zu)", i ? sep : "",
			                      cs[i].country,
			                      ui_fmt_share(cs[i].share, share, sizeof share),
			                      cs[i].fresh, cs[i].usable);
	}
	return buf;
}

/* Column titles, natural widths, and whether numbers are right-aligned. */
static const struct {
	const char *title;
	int width;
	bool right;
} cols[UI_NCOLS] = {
	[COL_MARK] = { "", 1, false },
	[COL_NAME] = { "RESOLVER", 12, false },
	[COL_CC] = { "CC", 2, false },
	[COL_OPERATOR] = { "OPERATOR", 12, false },
	[COL_ADDRESS] = { "ADDRESS", 21, false },
	[COL_STATUS] = { "STATUS", 11, false },
	[COL_TTL] = { "TTL", 7, true },
	[COL_ETA] = { "ETA", 7, true },
	[COL_LATENCY] = { "LATENCY", 7, true },
	[COL_PROTO] = { "PROTO", 5, false },
	[COL_SITE] = { "SITE", 10, false },
	[COL_CHANGED] = { "CHANGED", 7, true },
};

/* Left out first when the terminal is narrow: the least telling first.
 * SITE is not among them: it only takes room the name has no use for
 * (most resolvers send no NSID). */
static const enum ui_col drop_order[] = {
	COL_PROTO, COL_CHANGED, COL_OPERATOR, COL_LATENCY, COL_CC, COL_ADDRESS, COL_TTL,
};

/* Room beyond the natural widths goes to these, up to a cap, in order:
 * long names first, then IPv6 addresses, then operators, then sites (an
 * NSID can be a long host name); NAME takes the rest. */
#define NAME_SOFT_MAX 32
#define ADDRESS_MAX   41
#define OPERATOR_MAX  16
#define SITE_MAX      28

void ui_layout_compute(struct ui_layout *l, int width)
{
	bool on[UI_NCOLS];
	int need = 0;

	memset(l, 0, sizeof *l);
	l->width = width < 0 ? 0 : width;
	for (int c = 0; c < UI_NCOLS; c++) {
		on[c] = c != COL_SITE;
		need += on[c] ? cols[c].width + (c > COL_MARK ? 1 : 0) : 0;
	}
	/* COL_MARK and COL_NAME are glued: the mark is the name's gutter. */
	need -= 1;
	for (size_t i = 0; i < sizeof drop_order / sizeof drop_order[0] && need > l->width; i++) {
		on[drop_order[i]] = false;
		need -= cols[drop_order[i]].width + 1;
	}
	for (int c = 0; c < UI_NCOLS; c++)
		l->w[c] = on[c] ? cols[c].width : 0;
	int spare = l->width - need;
	if (spare > 0) {
		int give = NAME_SOFT_MAX - l->w[COL_NAME];
		give = give < spare ? give : spare;
		l->w[COL_NAME] += give;
		spare -= give;
	}
	if (spare > cols[COL_SITE].width) {
		on[COL_SITE] = true;
		l->w[COL_SITE] = cols[COL_SITE].width;
		spare -= cols[COL_SITE].width + 1;
	}
	if (spare > 0 && on[COL_ADDRESS]) {
		int give = ADDRESS_MAX - l->w[COL_ADDRESS];
		give = give < spare ? give : spare;
		l->w[COL_ADDRESS] += give;
		spare -= give;
	}
	if (spare > 0 && on[COL_OPERATOR]) {
		int give = OPERATOR_MAX - l->w[COL_OPERATOR];
		give = give < spare ? give : spare;
		l->w[COL_OPERATOR] += give;
		spare -= give;
	}
	if (spare > 0 && on[COL_SITE]) {
		int give = SITE_MAX - l->w[COL_SITE];
		give = give < spare ? give : spare;
		l->w[COL_SITE] += give;
		spare -= give;
	}
	if (spare > 0)
		l->w[COL_NAME] += spare;
	if (spare < 0) /* even the essentials do not fit: squeeze the name */
		l->w[COL_NAME] = l->w[COL_NAME] + spare > 1 ? l->w[COL_NAME] + spare : 1;
	int x = 0;
	for (int c = 0; c < UI_NCOLS; c++) {
		l->x[c] = x;
		if (l->w[c] > 0)
			x += l->w[c] + (c == COL_MARK ? 0 : 1);
	}
}

/* Join cells laid out by l into buf, exactly l->width columns. */
static char *join_cells(char *buf, size_t len, const struct ui_layout *l, const char *const *cell,
                        bool utf8)
{
	size_t o = 0;
	int used = 0;
	char tmp[512];

	buf[0] = '\0';
	for (int c = 0; c < UI_NCOLS; c++) {
		if (l->w[c] == 0)
			continue;
		if (c > COL_NAME && used > 0 && o + 1 < len) {
			buf[o++] = ' ';
			used++;
		}
		int w = l->w[c];
		if (used + w > l->width)
			w = l->width - used;
		if (w <= 0)
			break;
		ui_fit(tmp, sizeof tmp, cell[c], w, cols[c].right, utf8);
		size_t n = strlen(tmp);
		if (o + n + 1 > len)
			break;
		memcpy(buf + o, tmp, n + 1);
		o += n;
		used += w;
	}
	for (; used < l->width && o + 1 < len; used++)
		buf[o++] = ' ';
	buf[o] = '\0';
	return buf;
}

char *ui_fmt_header(char *buf, size_t len, const struct ui_layout *l)
{
	const char *cell[UI_NCOLS];
	for (int c = 0; c < UI_NCOLS; c++)
		cell[c] = cols[c].title;
	return join_cells(buf, len, l, cell, false);
}

char *ui_fmt_row(char *buf, size_t len, const struct ui_layout *l, const struct ui_rowdata *r,
                 bool utf8)
{
	const char *cell[UI_NCOLS];
	char ttl[32], eta[32], lat[32], ago[32];

	cell[COL_MARK] = r->busy ? "*" : " ";
	cell[COL_NAME] = r->name;
	cell[COL_CC] = r->country;
	cell[COL_OPERATOR] = r->operator_name;
	cell[COL_ADDRESS] = r->address;
	cell[COL_STATUS] = ui_status_label(r->status, r->has_truth);
	cell[COL_TTL] = ui_fmt_ttl(r->ttl, ttl, sizeof ttl);
	cell[COL_ETA] = ui_fmt_eta(r->status, r->eta, eta, sizeof eta);
	cell[COL_LATENCY] = ui_fmt_latency(r->latency_ms, lat, sizeof lat);
	cell[COL_PROTO] = r->transport == TR_TCP ? "tcp" : r->transport == TR_UDP ? "udp" : "-";
	cell[COL_SITE] = r->site != NULL ? r->site : "-";
	cell[COL_CHANGED] = ui_fmt_ttl(r->changed_ago, ago, sizeof ago);
	return join_cells(buf, len, l, cell, utf8);
}

/* U+2588 FULL BLOCK down to U+258F LEFT ONE EIGHTH BLOCK: index = eighths. */
static const char *const eighths[8] = {
	"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589",
};

/* Append glyph s (one or more bytes) at *o if it fits with a NUL after it. */
static bool put_glyph(char *buf, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);
	if (*o + n + 1 > len)
		return false;
	memcpy(buf + *o, s, n);
	*o += n;
	return true;
}

char *ui_fmt_bar(char *buf, size_t len, size_t done, size_t total, int width, bool utf8)
{
	size_t o = 0;
	if (width < 0)
		width = 0;
	if (done > total)
		done = total;
	/* In eighths of a cell with Unicode blocks, whole cells in ASCII. */
	long per = utf8 ? 8 : 1;
	long parts = total ? (long)((double)done * width * per / (double)total) : 0;
	/* Never show a full bar before it is full, nor an empty one when any is done. */
	if (done < total && parts >= (long)width * per)
		parts = (long)width * per - 1;
	if (done > 0 && parts == 0)
		parts = 1;
	int full = (int)(parts / per), rest = (int)(parts % per);
	for (int i = 0; i < width; i++) {
		const char *s;
		if (i < full)
			s = utf8 ? "\u2588" : "#";
		else if (i == full && rest > 0)
			s = eighths[rest];
		else
			s = utf8 ? "\u2591" : ".";
		if (!put_glyph(buf, len, &o, s))
			break;
	}
	if (len > 0)
		buf[o < len ? o : len - 1] = '\0';
	return buf;
}

char *ui_fmt_spark(char *buf, size_t len, const double *v, size_t n, bool utf8)
{
	/* U+2581 LOWER ONE EIGHTH BLOCK .. U+2588 FULL BLOCK */
	static const char *const blocks[8] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[8] = { '_', '.', ',', '-', '=', '+', '*', '#' };
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int lvl = v[i] < 0 ? -1 : (int)floor((v[i] > 100 ? 100 : v[i]) / 100.0 * 7.0 + 0.5);
		char one[2] = { lvl < 0 ? ' ' : ascii[lvl], '\0' };
		const char *s = lvl >= 0 && utf8 ? blocks[lvl] : one;
		if (!put_glyph(buf, len, &o, s))
			break;
	}
	if (len > 0)
		buf[o < len ? o : len - 1] = '\0';
	return buf;
}

void ui_resample(const double *at, const double *val, size_t n, double t0, double t1, double *out,
                 size_t ncols)
{
	size_t k = 0;
	double cur = -1;
	double span = t1 > t0 ? t1 - t0 : 0;

	for (size_t c = 0; c < ncols; c++) {
		/* The last column ends exactly at t1 so the latest point shows. */
		double end = c + 1 == ncols ? t1 : t0 + span * (double)(c + 1) / (double)ncols;
		while (k < n && at[k] <= end + 1e-9)
			cur = val[k++];
		out[c] = cur;
	}
}
