/*
 * ui_view.h -- what the table shows: order, filters, selection, scrolling.
 *
 * The dashboard's view state lives here, apart from curses and from the
 * model, so that sorting, filtering and keeping the selection on the same
 * resolver while rows move can be unit-tested. The view works on an array
 * of ui_rowdata (one per resolver, in list order) built for each frame.
 */
#ifndef PW_UI_VIEW_H
#define PW_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "tracker.h"
#include "ui/ui_format.h"

enum ui_sort { SORT_STATUS, SORT_ETA, SORT_LATENCY, SORT_COUNTRY, SORT_NAME, UI_NSORT };

struct ui_view {
	enum ui_sort sort; /* the order of the rows */
	unsigned only;     /* bit (1 << pw_group) per group shown (keys 1-5); 0 shows all */
	char filter[64];   /* rows must contain this text (any case); "" for all */
	size_t *order;     /* resolver indices of the rows shown, in order */
	size_t norder;     /* how many rows are shown */
	size_t n;          /* resolvers in all, the capacity of order */
	size_t sel;        /* resolver index of the selection, kept across re-sorting */
	bool has_sel;      /* sel is meaningful (false when no row is shown) */
	size_t top;        /* position in order of the first row on screen */
};

/* Returns 0 or PW_ENOMEM. */
int ui_view_init(struct ui_view *v, size_t n);
void ui_view_free(struct ui_view *v);

const char *ui_sort_name(enum ui_sort s);

/* Does the row contain text (case-insensitive) in any of its cells? */
bool ui_row_matches(const struct ui_rowdata *r, const char *text);

/* Recompute the rows shown from rows[0..n) (n as given to init): filter,
 * sort, and keep the selection on its resolver when it is still shown. */
void ui_view_update(struct ui_view *v, const struct ui_rowdata *rows);

/* Position of the selection among the rows shown (0 if none). */
size_t ui_view_pos(const struct ui_view *v);
/* Move the selection by delta rows, or to the first / last. */
void ui_view_move(struct ui_view *v, long delta);
void ui_view_select_pos(struct ui_view *v, size_t pos);
/* Scroll so the selection shows in a window of `page` rows. */
void ui_view_scroll(struct ui_view *v, size_t page);

#endif
