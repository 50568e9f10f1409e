/*
 * ui_draw.h -- paint one frame of the dashboard with curses.
 *
 * Called only from the UI thread, only with a snapshot of the model, never
 * with the monitor's lock held. Top to bottom: title bar (question, rounds,
 * elapsed, countdown), what "new" is, the progress bar, the variants, the
 * timeline sparkline, the resolver table, the detail pane when open, and a
 * line of key hints (or the filter being typed). Help is an overlay.
 */
#ifndef PW_UI_DRAW_H
#define PW_UI_DRAW_H

#include <stdbool.h>

#include "monitor.h"
#include "setup.h"
#include "tracker.h"
#include "ui/ui_format.h"
#include "ui/ui_term.h"
#include "ui/ui_view.h"

/* The smallest terminal the dashboard draws in; below it, it says so. */
#define UI_MIN_COLS  60
#define UI_MIN_LINES 16

/* Everything one frame shows. */
struct ui_frame {
	const struct session *s;       /* question, options, resolver list */
	const struct tracker *t;       /* the model as copied for this frame, evaluated */
	const struct mon_live *live;   /* the scheduler's state */
	const struct ui_rowdata *rows; /* one per resolver, list order */
	struct ui_view *view;          /* order, filters, selection (scrolled here) */
	const struct ui_term *term;    /* colour and UTF-8 abilities */
	double now;                    /* monotonic seconds this frame shows */
	bool detail;                   /* the detail pane is open */
	bool help;                     /* the help overlay is open */
	bool editing;                  /* the filter is being typed */
	const char *msg;               /* a passing message for the bottom line, or NULL */
	int table_y;                   /* out: screen line of the first table row */
	int table_rows;                /* out: table rows on screen (page size) */
};

void ui_draw(struct ui_frame *f);

/* ui_detail.c: the detail pane's lines for resolver i (at most max, each
 * a line of out); returns how many. */
int ui_detail_lines(const struct ui_frame *f, size_t i, char (*out)[512], int max);

#endif
