/*
 * timeline_draw.c -- a roll-out as a picture, PNG or SVG, drawn with
 * cairo: the propagated share over time with the ground truth's looks
 * marked (the change itself, when the log saw the serial move), and under
 * it a lane per resolver coloured by status, with a tick where its flip
 * was predicted and a dot where it happened. Colours are the roles'.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "duration.h"
#include "error.h"
#include "lazylib.h"
#include "roles.h"
#include "timeline.h"

/* Every cairo function we call, loaded at the first picture (lazylib.h
 * says why); the macros after the table send each call through it. */
/* clang-format off */
#define CAIRO_FUNCTIONS(X, v) \
	X(v, cairo_append_path) \
	X(v, cairo_arc) \
	X(v, cairo_close_path) \
	X(v, cairo_copy_path) \
	X(v, cairo_create) \
	X(v, cairo_debug_reset_static_data) \
	X(v, cairo_destroy) \
	X(v, cairo_fill) \
	X(v, cairo_fill_preserve) \
	X(v, cairo_image_surface_create) \
	X(v, cairo_line_to) \
	X(v, cairo_move_to) \
	X(v, cairo_new_path) \
	X(v, cairo_paint) \
	X(v, cairo_path_destroy) \
	X(v, cairo_rectangle) \
	X(v, cairo_select_font_face) \
	X(v, cairo_set_dash) \
	X(v, cairo_set_font_size) \
	X(v, cairo_set_line_width) \
	X(v, cairo_set_source_rgba) \
	X(v, cairo_show_text) \
	X(v, cairo_status) \
	X(v, cairo_status_to_string) \
	X(v, cairo_stroke) \
	X(v, cairo_surface_destroy) \
	X(v, cairo_surface_finish) \
	X(v, cairo_surface_status) \
	X(v, cairo_surface_write_to_png) \
	X(v, cairo_svg_surface_create) \
	X(v, cairo_text_extents)
/* clang-format on */
LAZYLIB_DEFINE(CAIRO_FUNCTIONS, cz, libcairo, "libcairo.so.2", "libcairo2");
#define cairo_append_path             cz.cairo_append_path
#define cairo_arc                     cz.cairo_arc
#define cairo_close_path              cz.cairo_close_path
#define cairo_copy_path               cz.cairo_copy_path
#define cairo_create                  cz.cairo_create
#define cairo_debug_reset_static_data cz.cairo_debug_reset_static_data
#define cairo_destroy                 cz.cairo_destroy
#define cairo_fill                    cz.cairo_fill
#define cairo_fill_preserve           cz.cairo_fill_preserve
#define cairo_image_surface_create    cz.cairo_image_surface_create
#define cairo_line_to                 cz.cairo_line_to
#define cairo_move_to                 cz.cairo_move_to
#define cairo_new_path                cz.cairo_new_path
#define cairo_paint                   cz.cairo_paint
#define cairo_path_destroy            cz.cairo_path_destroy
#define cairo_rectangle               cz.cairo_rectangle
#define cairo_select_font_face        cz.cairo_select_font_face
#define cairo_set_dash                cz.cairo_set_dash
#define cairo_set_font_size           cz.cairo_set_font_size
#define cairo_set_line_width          cz.cairo_set_line_width
#define cairo_set_source_rgba         cz.cairo_set_source_rgba
#define cairo_show_text               cz.cairo_show_text
#define cairo_status                  cz.cairo_status
#define cairo_status_to_string        cz.cairo_status_to_string
#define cairo_stroke                  cz.cairo_stroke
#define cairo_surface_destroy         cz.cairo_surface_destroy
#define cairo_surface_finish          cz.cairo_surface_finish
#define cairo_surface_status          cz.cairo_surface_status
#define cairo_surface_write_to_png    cz.cairo_surface_write_to_png
#define cairo_svg_surface_create      cz.cairo_svg_surface_create
#define cairo_text_extents            cz.cairo_text_extents

#define MARGIN_L  230 /* lane labels */
#define MARGIN_R  30
#define TITLE_H   56
#define SHARE_H   200
#define AXIS_H    34
#define LEGEND_H  48
#define LANES_MAX 400 /* more resolvers: the last to flip are drawn */

struct frame {
	cairo_t *cr;
	const struct timeline *tl;
	double span;   /* seconds the x axis covers */
	double x0, x1; /* plot area */
	double lane_h; /* height of one lane */
	size_t first;  /* first lane drawn, in order */
	size_t nlanes; /* lanes drawn */
	const size_t *order;
};

static void rgb(cairo_t *cr, unsigned c, double alpha)
{
	cairo_set_source_rgba(cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
	                      (c & 0xff) / 255.0, alpha);
}

static void role(cairo_t *cr, enum pw_role r, double alpha)
{
	rgb(cr, pw_roles[r].rgb, alpha);
}

static double xat(const struct frame *f, double s)
{
	return f->x0 + (f->x1 - f->x0) * (s / f->span);
}

static void text(cairo_t *cr, double x, double y, double size, const char *s, double align)
{
	cairo_text_extents_t e;
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - e.x_advance * align, y);
	cairo_show_text(cr, s);
}

/* 1, 2 or 5 times a power of ten, about eight to the axis. */
static double tick_step(double span)
{
	double raw = span / 8, mag = pow(10, floor(log10(raw))), r = raw / mag;
	return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void axis(const struct frame *f, double y)
{
	cairo_t *cr = f->cr;
	double step = tick_step(f->span);
	char b[32];
	role(cr, ROLE_NORMAL, 1);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, f->x0, y + 0.5);
	cairo_line_to(cr, f->x1, y + 0.5);
	cairo_stroke(cr);
	for (double s = 0; s <= f->span + step / 1000; s += step) {
		double x = floor(xat(f, s)) + 0.5;
		cairo_move_to(cr, x, y);
		cairo_line_to(cr, x, y + 5);
		cairo_stroke(cr);
		text(cr, x, y + 18, 11, duration_format_tick(s, step, b, sizeof b), 0.5);
	}
}

static void title(const struct frame *f)
{
	const struct timeline *tl = f->tl;
	cairo_t *cr = f->cr;
	char line[512], when[64];
	time_t t = (time_t)tl->start_wall;
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	char d[32];
	duration_format(tl->end, d, sizeof d);
	snprintf(line, sizeof line, "%s %s: %s, %zu resolvers, %s from %s", tl->qname, tl->qtype,
	         tl->mode, tl->n, d, when);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	role(cr, ROLE_NORMAL, 1);
	text(cr, 16, 24, 15, line, 0);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	if (tl->verdict)
		snprintf(line, sizeof line, "verdict: %s (exit %d)%s", tl->verdict, tl->exit_code,
		         tl->interrupted ? ", interrupted" : "");
	else
		snprintf(line, sizeof line, "no verdict in the log (cut short?)");
	role(cr, tl->verdict ? exit_role(tl->exit_code) : ROLE_WARN, 1);
	text(cr, 16, 44, 12, line, 0);
}

static void share_chart(const struct frame *f, double top)
{
	const struct timeline *tl = f->tl;
	cairo_t *cr = f->cr;
	double bottom = top + SHARE_H;
	char b[64];

	/* The grid, and the threshold the verdict needs. */
	cairo_set_line_width(cr, 1);
	for (int p = 0; p <= 100; p += 25) {
		double y = floor(bottom - SHARE_H * p / 100.0) + 0.5;
		role(cr, ROLE_PENDING, 1);
		cairo_move_to(cr, f->x0, y);
		cairo_line_to(cr, f->x1, y);
		cairo_stroke(cr);
		role(cr, ROLE_NORMAL, 1);
		snprintf(b, sizeof b, "%d%%", p);
		text(cr, f->x0 - 6, y + 4, 11, b, 1);
	}
	text(cr, f->x0 - 40, top - 10, 12, "propagated share", 0);
	if (tl->threshold > 0 && tl->threshold <= 100) {
		double y = bottom - SHARE_H * tl->threshold / 100.0;
		double dash[] = { 6, 4 };
		cairo_set_dash(cr, dash, 2, 0);
		role(cr, ROLE_STALE, 1);
		cairo_move_to(cr, f->x0, y);
		cairo_line_to(cr, f->x1, y);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	/* The share as steps, filled under. */
	if (tl->nshare) {
		cairo_move_to(cr, xat(f, tl->share[0].s), bottom);
		for (size_t i = 0; i < tl->nshare; i++) {
			double y = bottom - SHARE_H * tl->share[i].share / 100.0;
			double x = xat(f, tl->share[i].s);
			cairo_line_to(cr, x,
			              i ? bottom - SHARE_H * tl->share[i - 1].share / 100.0
			                : bottom);
			cairo_line_to(cr, x, y);
		}
		double last = bottom - SHARE_H * tl->share[tl->nshare - 1].share / 100.0;
		cairo_line_to(cr, f->x1, last);
		cairo_path_t *line = cairo_copy_path(cr);
		cairo_line_to(cr, f->x1, bottom);
		cairo_close_path(cr);
		role(cr, ROLE_NEW, 0.18);
		cairo_fill(cr);
		cairo_append_path(cr, line);
		cairo_path_destroy(line);
		role(cr, ROLE_NEW, 1);
		cairo_set_line_width(cr, 2);
		cairo_stroke(cr);
	}
	/* The truth's looks: where the serial moved, and where it was first known. */
	for (size_t i = 0; i < tl->ntruth; i++) {
		const struct tl_truth *m = &tl->truth[i];
		bool moved = i > 0 && (m->changed || m->serial != tl->truth[i - 1].serial);
		if (i > 0 && !moved && m->disagree == tl->truth[i - 1].disagree)
			continue;
		double x = floor(xat(f, m->s)) + 0.5;
		double dash[] = { 3, 3 };
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, moved ? 2 : 1);
		role(cr, moved ? ROLE_WARN : ROLE_NORMAL, 0.8);
		cairo_move_to(cr, x, top);
		cairo_line_to(cr, x, bottom);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		if (m->serial >= 0)
			snprintf(b, sizeof b, "%sserial %lld%s", moved ? "change: " : "", m->serial,
			         m->disagree ? " (servers disagree)" : "");
		else
			snprintf(b, sizeof b, "%s%s", moved ? "change" : "truth",
			         m->disagree ? " (servers disagree)" : "");
		text(cr, x + 4, top + 12 + 13 * (double)(i % 3), 11, b, 0);
	}
}

static void lanes(const struct frame *f, double top)
{
	const struct timeline *tl = f->tl;
	cairo_t *cr = f->cr;
	char b[160];

	for (size_t k = 0; k < f->nlanes; k++) {
		const struct tl_resolver *r = &tl->r[f->order[f->first + k]];
		double y = top + f->lane_h * (double)k,
		       h = f->lane_h > 3 ? f->lane_h - 1 : f->lane_h;
		role(cr, ROLE_PENDING, 1);
		cairo_rectangle(cr, f->x0, y, f->x1 - f->x0, h);
		cairo_fill(cr);
		for (size_t s = 0; s < r->nspans; s++) {
			double from = xat(f, r->spans[s].from);
			double to = s + 1 < r->nspans ? xat(f, r->spans[s + 1].from) : f->x1;
			role(cr, status_role(r->spans[s].status), 1);
			cairo_rectangle(cr, from, y, to - from > 1 ? to - from : 1, h);
			cairo_fill(cr);
		}
		if (r->predicted >= 0 && r->predicted <= f->span) {
			role(cr, ROLE_NORMAL, 1);
			cairo_rectangle(cr, xat(f, r->predicted) - 1, y, 2, h);
			cairo_fill(cr);
		}
		if (r->flipped >= 0 && r->was_old && f->lane_h >= 6) {
			cairo_new_path(cr);
			cairo_arc(cr, xat(f, r->flipped), y + h / 2, h / 3, 0, 2 * M_PI);
			rgb(cr, 0xffffff, 1);
			cairo_fill_preserve(cr);
			role(cr, ROLE_NORMAL, 1);
			cairo_set_line_width(cr, 1);
			cairo_stroke(cr);
		}
		if (f->lane_h >= 10) {
			snprintf(b, sizeof b, "%s %s", r->address, r->label);
			if (strlen(b) > 34)
				memcpy(b + 31, "...", 4);
			role(cr, ROLE_NORMAL, 1);
			text(cr, f->x0 - 8, y + h - 2, f->lane_h >= 13 ? 11 : 9, b, 1);
		}
	}
	if (f->first > 0) {
		snprintf(b, sizeof b, "the %zu resolvers that flipped first are not drawn",
		         f->first);
		role(cr, ROLE_NORMAL, 1);
		text(cr, f->x0, top - 6, 11, b, 0);
	} else {
		role(cr, ROLE_NORMAL, 1);
		text(cr, f->x0 - 40, top - 8, 12, "resolvers, by flip time", 0);
	}
}

static void legend(const struct frame *f, double y)
{
	static const struct {
		enum pw_role role;
		const char *what;
	} keys[] = { { ROLE_NEW, "new" },
		     { ROLE_STALE, "old" },
		     { ROLE_NEGATIVE, "nxdomain/nodata" },
		     { ROLE_FAILING, "failing" },
		     { ROLE_PENDING, "not asked yet" } };
	cairo_t *cr = f->cr;
	double x = f->x0;
	cairo_text_extents_t e;
	cairo_set_font_size(cr, 11);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		role(cr, keys[i].role, 1);
		cairo_rectangle(cr, x, y - 10, 14, 12);
		cairo_fill(cr);
		role(cr, ROLE_NORMAL, 1);
		text(cr, x + 19, y, 11, keys[i].what, 0);
		cairo_text_extents(cr, keys[i].what, &e);
		x += 19 + e.x_advance + 22;
	}
	role(cr, ROLE_NORMAL, 1);
	cairo_rectangle(cr, x, y - 10, 2, 12);
	cairo_fill(cr);
	text(cr, x + 7, y, 11, "predicted flip", 0);
	cairo_text_extents(cr, "predicted flip", &e);
	x += 7 + e.x_advance + 22;
	cairo_new_path(cr);
	cairo_arc(cr, x + 5, y - 4, 4, 0, 2 * M_PI);
	rgb(cr, 0xffffff, 1);
	cairo_fill_preserve(cr);
	role(cr, ROLE_NORMAL, 1);
	cairo_stroke(cr);
	text(cr, x + 14, y, 11, "flip seen", 0);
}

static void draw(cairo_t *cr, const struct timeline *tl, const size_t *order, int w, double lane_h,
                 size_t first, size_t nlanes)
{
	struct frame f = { cr,       tl,           tl->end > 0 ? tl->end : 1,
		           MARGIN_L, w - MARGIN_R, lane_h,
		           first,    nlanes,       order };
	rgb(cr, 0xffffff, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	title(&f);
	double top = TITLE_H + 20;
	share_chart(&f, top);
	axis(&f, top + SHARE_H);
	top += SHARE_H + AXIS_H + 24;
	lanes(&f, top);
	top += lane_h * (double)nlanes;
	axis(&f, top + 2);
	legend(&f, top + AXIS_H + 20);
}

int timeline_draw(const struct timeline *tl, const char *out_path, int width, char *err,
                  size_t errlen)
{
	size_t len = strlen(out_path);
	bool svg = len > 4 && strcasecmp(out_path + len - 4, ".svg") == 0;
	bool png = len > 4 && strcasecmp(out_path + len - 4, ".png") == 0;
	if (!svg && !png) {
		snprintf(err, errlen, "-o %s: the picture's name must end in .png or .svg",
		         out_path);
		return PW_EINVAL;
	}
	if (lazylib_open(&libcairo) < 0) {
		snprintf(err, errlen, "-o %s: %s", out_path, libcairo.why);
		return PW_ELIB;
	}
	size_t *order = timeline_order(tl);
	if (order == NULL) {
		snprintf(err, errlen, "out of memory");
		return PW_ENOMEM;
	}
	size_t nlanes = tl->n < LANES_MAX ? tl->n : LANES_MAX;
	/* cppcheck-suppress knownConditionTrueFalse ; n comes from the log */
	double lane_h = nlanes <= 40 ? 16 : fmax(2, floor(640.0 / (double)nlanes));
	int h = (int)(TITLE_H + 20 + SHARE_H + AXIS_H + 24 + lane_h * (double)nlanes + AXIS_H +
	              LEGEND_H);
	cairo_surface_t *s = svg ? cairo_svg_surface_create(out_path, width, h)
	                         : cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, h);
	cairo_t *cr = cairo_create(s);
	draw(cr, tl, order, width, lane_h, tl->n - nlanes, nlanes);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS && png)
		st = cairo_surface_write_to_png(s, out_path);
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	/* Drop cairo's font caches: a process draws one picture, and leak
	 * checkers should see only what is really lost. */
	cairo_debug_reset_static_data();
	free(order);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", out_path, cairo_status_to_string(st));
		return PW_EIO;
	}
	return PW_OK;
}
