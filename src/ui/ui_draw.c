/*
 * ui_draw.c -- paint one frame of the dashboard.
 */
#include <curses.h>
#include <ldns/ldns.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "reslist.h"
#include "roles.h"
#include "ttl.h"
#include "ui/ui_draw.h"
#include "vantage.h"

/* Variants listed under the bar at most; the rest are summed up. */
#define MAX_VARIANT_LINES 3
/* Countries on the "by country" line at most (the rest would not fit). */
#define COUNTRIES_MAX 64
/* The detail pane never takes more than this share of the screen. */
#define DETAIL_SHARE 0.45
/* Lines in the detail pane at most. */
#define DETAIL_MAX 64
/* Long enough for a full-width line of 4-byte characters. */
#define TEXT_MAX 2048

/* Text at (y, x), cut or padded to exactly `width` columns. */
static void put(const struct ui_frame *f, int y, int x, int width, const char *text, int attr)
{
	char buf[TEXT_MAX];
	if (width <= 0 || y < 0 || y >= LINES)
		return;
	if (x + width > COLS)
		width = COLS - x;
	ui_fit(buf, sizeof buf, text, width, false, f->term->utf8);
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

/* Text at (y, x) as it is, no wider than the rest of the line; returns
 * the column after it. */
static int add(const struct ui_frame *f, int y, int x, const char *text, int attr)
{
	int w = ui_width(text, f->term->utf8);
	if (x >= COLS)
		return x;
	if (x + w > COLS)
		w = COLS - x;
	put(f, y, x, w, text, attr);
	return x + w;
}

/* Records joined by " | ", or the rcode for a negative answer. */
static void records_line(char *buf, size_t len, char *const *records, size_t n, int rcode)
{
	size_t o = 0;
	buf[0] = '\0';
	if (n == 0) {
		char rc[32];
		snprintf(buf, len, "(%s, no records)",
		         rcode < 0 ? "NXDOMAIN or NODATA" : rcode_name(rcode, rc, sizeof rc));
		return;
	}
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		int k = snprintf(buf + o, len - o, "%s%s", i ? " | " : "", records[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

static void draw_title(struct ui_frame *f, int y)
{
	const struct tracker *t = f->t;
	char *tname = ldns_rr_type2str((ldns_rr_type)f->s->query.type);
	char left[512], right[256], el[32], nx[64], in[32];

	snprintf(left, sizeof left, " propwatch  %s %s%s%s", f->s->query.name, tname ? tname : "?",
	         f->s->params.via ? "  via " : "",
	         f->s->params.via ? vantage_net_name((enum vantage_net)f->s->params.via) : "");
	free(tname);
	const struct mon_live *lv = f->live;
	ui_fmt_ttl(floor(f->now - t->start), el, sizeof el); /* elapsed: round down */
	if (lv->paused)
		snprintf(nx, sizeof nx, "PAUSED");
	else if (tracker_truth_busy(t))
		snprintf(nx, sizeof nx, "asking auth servers");
	else if (tracker_busy(t) > 0)
		snprintf(nx, sizeof nx, "querying");
	else if (isinf(lv->next_query))
		snprintf(nx, sizeof nx, "idle");
	else
		snprintf(nx, sizeof nx, "next query in %s",
		         ui_fmt_ttl(lv->next_query - f->now > 0 ? lv->next_query - f->now : 0, in,
		                    sizeof in));
	snprintf(right, sizeof right, "sweep %u \xc2\xb7 %s \xc2\xb7 %s ", t->rounds, el, nx);
	if (!f->term->utf8)
		snprintf(right, sizeof right, "sweep %u | %s | %s ", t->rounds, el, nx);
	int attr = ui_term_attr(f->term, ROLE_TITLE);
	int rw = ui_width(right, f->term->utf8);
	/* The countdown stays; the sweep count and a long name give way. */
	if (rw > COLS / 2) {
		snprintf(right, sizeof right, "%s %s %s ", el, f->term->utf8 ? "\xc2\xb7" : "|",
		         nx);
		rw = ui_width(right, f->term->utf8);
	}
	if (rw > COLS / 2)
		rw = COLS / 2;
	put(f, y, 0, COLS, "", attr);
	put(f, y, 0, COLS - rw - 1, left, attr | A_BOLD);
	put(f, y, COLS - rw, rw, right, attr | (lv->paused ? A_BOLD : 0));
}

static void draw_truth(struct ui_frame *f, int y)
{
	const struct expected *e = tracker_truth(f->t);
	char recs[1024], line[1400];
	uint32_t serial;
	int x;

	if (e->source == EXP_NONE) {
		snprintf(line, sizeof line, " no ground truth yet%s%s", e->problem[0] ? ": " : "",
		         e->problem);
		put(f, y, 0, COLS,
		    f->t->truth_at < 0 ? " new = (asking the authoritative servers)" : line,
		    f->t->truth_at < 0 ? (int)A_NORMAL : ui_term_attr(f->term, ROLE_WARN));
		return;
	}
	records_line(recs, sizeof recs, e->records, e->nrecords, e->rcode);
	if (e->source == EXP_USER) {
		snprintf(line, sizeof line, " new = --expect: ");
	} else {
		char ser[48] = "", ttl[32];
		if (expected_serial(e, &serial))
			snprintf(ser, sizeof ser, ", serial %u", serial);
		snprintf(line, sizeof line,
		         " new = authoritative (%s%s%s%s%s): ", e->zone ? "zone " : "",
		         e->zone ? e->zone : "", ser, e->auth_ttl >= 0 ? ", TTL " : "",
		         e->auth_ttl >= 0 ? ui_fmt_ttl((double)e->auth_ttl, ttl, sizeof ttl) : "");
	}
	x = add(f, y, 0, line, A_NORMAL);
	put(f, y, x, COLS - x, recs, A_BOLD);
}

/* "8 stale \xc2\xb7 all expire by 14:03:10 (in 51s)": the fleet ETA, the same
 * figure as check's summary line and summary.eta_s. */
static size_t fleet_eta(const struct ui_frame *f, char *buf, size_t len)
{
	double eta = tracker_fleet_eta(f->t, f->now);
	char at[16], in[32];
	if (eta < 0)
		return 0;
	time_t when = (time_t)ceil(clock_wall_at(f->now + eta));
	struct tm tm;
	strftime(at, sizeof at, "%H:%M:%S", localtime_r(&when, &tm));
	return (size_t)snprintf(buf, len, "%s all expire by %s (in %s)",
	                        f->term->utf8 ? " \xc2\xb7" : ",", at,
	                        ui_fmt_ttl(eta, in, sizeof in));
}

static void draw_progress(struct ui_frame *f, int y)
{
	const struct summary *sm = tracker_summary(f->t);
	bool truth = tracker_truth(f->t)->source != EXP_NONE;
	const char *sep = f->term->utf8 ? " \xc2\xb7" : ",";
	char bar[TEXT_MAX], tail[512], share[16];
	size_t o;
	int barw = COLS / 3 > 40 ? 40 : COLS / 3;

	/* The count and the verdict first: the rest may be cut on narrow screens. */
	if (sm->count[ST_PENDING] == sm->total)
		o = (size_t)snprintf(tail, sizeof tail, " waiting for the first answers");
	else if (!truth)
		o = (size_t)snprintf(tail, sizeof tail, " %zu usable answers %s %s", sm->usable,
		                     f->term->utf8 ? "\xe2\x80\x94" : "-", sm->verdict);
	else
		o = (size_t)snprintf(tail, sizeof tail, " %zu/%zu new (%s) %s %s",
		                     sm->count[ST_NEW], sm->usable,
		                     ui_fmt_share(sm->share, share, sizeof share),
		                     f->term->utf8 ? "\xe2\x80\x94" : "-", sm->verdict);
	for (int st = ST_STALE; st < ST_COUNT && o < sizeof tail; st++) {
		if (!sm->count[st] || (st == ST_STALE && !truth))
			continue;
		o += (size_t)snprintf(tail + o, sizeof tail - o, "%s %zu %s", sep, sm->count[st],
		                      status_name((enum pw_status)st));
		if (st == ST_STALE && o < sizeof tail)
			o += fleet_eta(f, tail + o, sizeof tail - o);
	}
	if (sm->count[ST_STALE] == 0 && o < sizeof tail)
		o += fleet_eta(f, tail + o, sizeof tail - o); /* old answers behind failures */
	if (sm->count[ST_PENDING] && sm->count[ST_PENDING] < sm->total && o < sizeof tail)
		snprintf(tail + o, sizeof tail - o, "%s %zu pending", sep, sm->count[ST_PENDING]);
	ui_fmt_bar(bar, sizeof bar, sm->count[ST_NEW], sm->usable, barw, f->term->utf8);
	int x = add(f, y, 0, " ", A_NORMAL);
	x = add(f, y, x, bar, ui_term_attr(f->term, ROLE_NEW));
	int verdict_attr = sm->propagated ? ui_term_attr(f->term, ROLE_NEW) : (int)A_NORMAL;
	put(f, y, x, COLS - x, tail, verdict_attr);
}

/* Where the change has got to, country by country, under the bar (when
 * the rows are probes spread over the world). */
static void draw_countries(struct ui_frame *f, int y)
{
	struct country_share cs[COUNTRIES_MAX];
	char line[TEXT_MAX];
	size_t n = tracker_countries(f->t, cs, COUNTRIES_MAX);
	ui_fmt_countries(line, sizeof line, cs, n < COUNTRIES_MAX ? n : COUNTRIES_MAX,
	                 f->term->utf8);
	put(f, y, 0, COLS, line, A_NORMAL);
}

/* Returns lines used. */
static int draw_variants(struct ui_frame *f, int y, int max)
{
	size_t nv;
	const struct variant *vs = tracker_variants(f->t, &nv);
	bool truth = tracker_truth(f->t)->source != EXP_NONE;
	char recs[1024], line[1200];
	int used = 0;

	for (size_t i = 0; i < nv && used < max; i++) {
		const struct variant *v = &vs[i];
		if (used == max - 1 && nv > (size_t)max) {
			snprintf(line, sizeof line,
			         "   ... and %zu more answers (Enter on a row shows its own)",
			         nv - i);
			put(f, y + used++, 0, COLS, line, A_DIM);
			break;
		}
		records_line(recs, sizeof recs, v->records, v->nrecords, v->rcode);
		const char *what = !truth ? "" : v->is_new ? "new" : "old";
		snprintf(line, sizeof line, "   #%-2zu %5zu %-4s ", i + 1, v->count, what);
		int x = add(f, y + used, 0, line,
		            ui_term_attr(f->term, v->is_new ? ROLE_NEW
		                                  : !truth  ? ROLE_NORMAL
		                                            : ROLE_STALE));
		put(f, y + used, x, COLS - x, recs, A_NORMAL);
		used++;
	}
	return used;
}

static void draw_timeline(struct ui_frame *f, int y)
{
	const struct tracker *t = f->t;
	char label[64], tail[96], spark[TEXT_MAX];
	double vals[512], at[512], v[512];
	size_t n = tracker_timeline_len(t);

	snprintf(label, sizeof label, " share ");
	double t0 = t->start, t1 = f->now;
	/* A screen has at most 512 columns: decimate evenly so the whole
	 * ring still fits, keeping the latest point exact. */
	size_t step = n > 512 ? (n + 511) / 512 : 1, k = 0;
	for (size_t i = 0; i < n && k < 512; i += step, k++) {
		at[k] = tracker_timeline(t, i)->at;
		vals[k] = tracker_timeline(t, i)->share;
	}
	if (n > 0 && step > 1 && k > 0) {
		at[k - 1] = tracker_timeline(t, n - 1)->at;
		vals[k - 1] = tracker_timeline(t, n - 1)->share;
	}
	if (n > 0) {
		char share[16], span[32];
		snprintf(tail, sizeof tail, " %s now, over %s",
		         ui_fmt_share(tracker_timeline(t, n - 1)->share, share, sizeof share),
		         ui_fmt_ttl(t1 - t0, span, sizeof span));
	} else {
		snprintf(tail, sizeof tail, " (no answers yet)");
	}
	int lw = ui_width(label, false), tw = ui_width(tail, false);
	int w = COLS - lw - tw - 1;
	if (w > 512)
		w = 512;
	if (w < 8) {
		put(f, y, 0, COLS, tail, A_DIM);
		return;
	}
	ui_resample(at, vals, k, t0, t1, v, (size_t)w);
	ui_fmt_spark(spark, sizeof spark, v, (size_t)w, f->term->utf8);
	int x = add(f, y, 0, label, A_DIM);
	x = add(f, y, x, spark, ui_term_attr(f->term, ROLE_NEW));
	put(f, y, x, COLS - x, tail, A_DIM);
}

static void draw_table(struct ui_frame *f, int y, int rows)
{
	struct ui_layout l;
	char line[TEXT_MAX];
	struct ui_view *v = f->view;

	ui_layout_compute(&l, COLS);
	ui_fmt_header(line, sizeof line, &l);
	put(f, y, 0, COLS, line, A_BOLD | A_UNDERLINE);
	f->table_y = y + 1;
	f->table_rows = rows - 1;
	if (f->table_rows < 1)
		return;
	ui_view_scroll(v, (size_t)f->table_rows);
	if (v->norder == 0) {
		put(f, y + 1, 0, COLS,
		    "   no resolver matches: press 0 to show every status, Esc to clear the filter",
		    A_DIM);
		return;
	}
	for (int k = 0; k < f->table_rows && v->top + (size_t)k < v->norder; k++) {
		size_t i = v->order[v->top + (size_t)k];
		const struct ui_rowdata *r = &f->rows[i];
		bool sel = v->has_sel && v->sel == i;
		int base = sel ? A_REVERSE : A_NORMAL;
		ui_fmt_row(line, sizeof line, &l, r, f->term->utf8);
		put(f, y + 1 + k, 0, COLS, line, base);
		int pa = ui_term_attr(f->term, status_role(r->status));
		mvchgat(y + 1 + k, l.x[COL_STATUS], l.w[COL_STATUS],
		        (attr_t)(base | (pa & ~A_COLOR)), (short)PAIR_NUMBER(pa), NULL);
	}
}

/* Returns the lines the pane takes at the bottom of the table area. */
static int detail_height(const struct ui_frame *f, int avail, char (*lines)[512], int *nlines)
{
	*nlines = 0;
	if (!f->detail || !f->view->has_sel)
		return 0;
	*nlines = ui_detail_lines(f, f->view->sel, lines, DETAIL_MAX);
	int h = *nlines + 1;
	int cap = (int)(LINES * DETAIL_SHARE);
	if (h > cap)
		h = cap;
	if (h > avail - 3) /* leave a header and two rows to the table */
		h = avail - 3;
	return h < 2 ? 0 : h;
}

static void draw_detail(struct ui_frame *f, int y, int h, char (*lines)[512], int nlines)
{
	const struct resolver *r = &f->s->list.v[f->view->sel];
	char title[512], addr[80];
	snprintf(title, sizeof title, "%s %s  %s  %s, %s%s  (Enter or Esc closes) ",
	         f->term->utf8 ? "\xe2\x94\x80\xe2\x94\x80" : "--",
	         resolver_addrstr(r, addr, sizeof addr), r->label[0] ? r->label : r->operator_name,
	         r->country, r->operator_name, r->anycast ? ", anycast" : "");
	put(f, y, 0, COLS, title, A_REVERSE);
	for (int k = 0; k + 1 < h; k++) {
		if (k == h - 2 && nlines > h - 1) {
			char more[64];
			snprintf(more, sizeof more, "   ... %d more lines (enlarge the window)",
			         nlines - k);
			put(f, y + 1 + k, 0, COLS, more, A_DIM);
			break;
		}
		if (k < nlines)
			put(f, y + 1 + k, 0, COLS, lines[k], A_NORMAL);
	}
}

static void draw_bottom(struct ui_frame *f, int y)
{
	const struct ui_view *v = f->view;
	char line[1024], shown[256] = "";
	size_t o = 0;

	if (f->editing) {
		snprintf(line, sizeof line, " filter: %s_   (Enter keeps it, Esc drops it)",
		         v->filter);
		put(f, y, 0, COLS, line, A_BOLD);
		return;
	}
	if (v->only) {
		o += (size_t)snprintf(shown + o, sizeof shown - o, "  only:");
		for (int g = 0; g < PW_NGROUPS && o < sizeof shown; g++)
			if (v->only & (1u << g))
				o += (size_t)snprintf(shown + o, sizeof shown - o, " %s",
				                      group_name((enum pw_group)g));
	}
	if (v->filter[0] && o < sizeof shown)
		snprintf(shown + o, sizeof shown - o, "  filter: \"%s\"", v->filter);
	snprintf(
	        line, sizeof line, " %zu/%zu shown  sort: %s%s  |  %s", v->norder, v->n,
	        ui_sort_name(v->sort), shown,
	        f->msg ? f->msg
	               : "q quit  ? help  Enter details  s sort  / filter  1-5 status  r query now  p pause");
	put(f, y, 0, COLS, line, A_REVERSE);
}

static void draw_help(struct ui_frame *f)
{
	static const char *const text[] = {
		"propwatch watch: keys",
		"",
		"  Up/Down, k/j    select a resolver",
		"  PgUp/PgDn       a page up / down",
		"  Home/End, g/G   first / last resolver",
		"  Enter           open / close the detail pane",
		"  s / S           sort: status, ETA, latency, country, name",
		"  /               filter by text (name, country, operator,",
		"                  address, status); Esc drops it",
		"  1 2 3 4 5       show only new, stale, negative, failing,",
		"                  pending (toggles; several at once)",
		"  0               show every status",
		"  r               query every resolver now",
		"  p               pause / resume querying",
		"  Esc             close the pane, clear the filters",
		"  q, Ctrl-C       quit",
		"",
		"A stale resolver is asked again just after its cached TTL",
		"runs out, the others every --interval, none more often than",
		"--min-interval. ETA: when a stale cache should drop the old",
		"answer. '*' marks a query in flight.",
		"",
		"Any key closes this.",
	};
	int n = (int)(sizeof text / sizeof text[0]), w = 64;
	int h = n + 2;
	if (w > COLS)
		w = COLS;
	if (h > LINES)
		h = LINES;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	for (int k = 0; k < h; k++)
		put(f, y0 + k, x0, w, "", A_REVERSE);
	for (int k = 0; k < n && k + 1 < h - 1; k++)
		put(f, y0 + 1 + k, x0 + 2, w - 4, text[k], A_REVERSE | (k == 0 ? A_BOLD : 0));
}

static void draw_too_small(struct ui_frame *f)
{
	char line[160];
	snprintf(line, sizeof line, "terminal too small: %dx%d, need %dx%d", COLS, LINES,
	         UI_MIN_COLS, UI_MIN_LINES);
	int w = ui_width(line, false);
	if (w > COLS)
		w = COLS;
	put(f, LINES / 2 > 0 ? LINES / 2 - 1 : 0, (COLS - w) / 2, w, line, A_BOLD);
	if (LINES > 1) {
		const char *q = "q quits";
		int qw = (int)strlen(q) < COLS ? (int)strlen(q) : COLS;
		put(f, LINES / 2, (COLS - qw) / 2, qw, q, A_NORMAL);
	}
	f->table_rows = 0;
}

void ui_draw(struct ui_frame *f)
{
	static char lines[DETAIL_MAX][512];
	int nlines;

	erase();
	f->table_rows = 0;
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES) {
		draw_too_small(f);
		refresh();
		return;
	}
	int y = 0;
	draw_title(f, y++);
	draw_truth(f, y++);
	draw_progress(f, y++);
	if (f->s->list.n > 0 && f->s->list.v[0].probe != NULL)
		draw_countries(f, y++);
	/* Fewer variant lines on short screens: the table matters more. */
	int maxv = LINES >= 30 ? MAX_VARIANT_LINES : 2;
	y += draw_variants(f, y, maxv);
	draw_timeline(f, y++);
	if (f->t->note[0] && tracker_truth(f->t)->source != EXP_NONE) {
		char note[400];
		snprintf(note, sizeof note, " %s", f->t->note);
		put(f, y++, 0, COLS, note, ui_term_attr(f->term, ROLE_WARN));
	}
	int bottom = LINES - 1;
	int avail = bottom - y;
	int dh = detail_height(f, avail, lines, &nlines);
	int th = avail - dh;
	/* A short table keeps the pane right under it, next to the rows. */
	if (dh > 0 && (size_t)th > f->view->norder + 1)
		th = (int)f->view->norder + 1 + (f->view->norder == 0);
	draw_table(f, y, th);
	if (dh > 0)
		draw_detail(f, y + th, dh, lines, nlines);
	draw_bottom(f, bottom);
	if (f->help)
		draw_help(f);
	refresh();
}
