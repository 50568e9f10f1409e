/*
 * ui_view.c -- filter, sort and select the rows of the resolver table.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "ui/ui_view.h"

int ui_view_init(struct ui_view *v, size_t n)
{
	memset(v, 0, sizeof *v);
	v->n = n;
	v->order = calloc(n ? n : 1, sizeof *v->order);
	return v->order ? 0 : PW_ENOMEM;
}

void ui_view_free(struct ui_view *v)
{
	free(v->order);
	v->order = NULL;
}

const char *ui_sort_name(enum ui_sort s)
{
	static const char *const names[UI_NSORT] = { "status", "ETA", "latency", "country",
		                                     "name" };
	return (unsigned)s < UI_NSORT ? names[s] : "?";
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (hay == NULL)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

bool ui_row_matches(const struct ui_rowdata *r, const char *text)
{
	if (text == NULL || *text == '\0')
		return true;
	return contains(r->name, text) || contains(r->country, text) ||
	       contains(r->operator_name, text) || contains(r->address, text) ||
	       contains(ui_status_label(r->status, r->has_truth), text);
}

/* Status order: what needs watching first, what is done after, then the
 * broken ones, then those not heard from yet. */
static int status_rank(enum pw_status s)
{
	static const int rank[ST_COUNT] = {
		[ST_STALE] = 0,    [ST_NEW] = 1,     [ST_NXDOMAIN] = 2, [ST_NODATA] = 3,
		[ST_SERVFAIL] = 4, [ST_REFUSED] = 5, [ST_TIMEOUT] = 6,  [ST_UNREACHABLE] = 7,
		[ST_ERROR] = 8,    [ST_PENDING] = 9,
	};
	return (unsigned)s < ST_COUNT ? rank[s] : ST_COUNT;
}

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcasecmp(a ? a : "", b ? b : "");
}

struct sort_ctx {
	const struct ui_rowdata *rows;
	enum ui_sort sort;
};

/* Rows with a known ETA first, soonest first; then by status. */
static int cmp_eta(const struct ui_rowdata *a, const struct ui_rowdata *b)
{
	bool ka = a->eta >= 0, kb = b->eta >= 0;
	if (ka != kb)
		return ka ? -1 : 1;
	if (ka)
		return cmp_num(a->eta, b->eta);
	return status_rank(a->status) - status_rank(b->status);
}

static int cmp_rows(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *c = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const struct ui_rowdata *a = &c->rows[i], *b = &c->rows[j];
	int d = 0;

	switch (c->sort) {
	case SORT_STATUS: d = status_rank(a->status) - status_rank(b->status); break;
	case SORT_ETA: d = cmp_eta(a, b); break;
	case SORT_LATENCY:
		if ((a->latency_ms < 0) != (b->latency_ms < 0))
			d = a->latency_ms < 0 ? 1 : -1;
		else
			d = cmp_num(a->latency_ms, b->latency_ms);
		break;
	case SORT_COUNTRY:
		/* Probes group by continent, then country (resolvers have none). */
		if ((d = cmp_str(a->continent, b->continent)) == 0 &&
		    (d = cmp_str(a->country, b->country)) == 0)
			d = cmp_str(a->name, b->name);
		break;
	case SORT_NAME:
		if ((d = cmp_str(a->name, b->name)) == 0)
			d = cmp_str(a->address, b->address);
		break;
	default: break;
	}
	/* List order breaks ties, so equal rows never swap places between frames. */
	return d ? d : (i < j ? -1 : i > j);
}

void ui_view_update(struct ui_view *v, const struct ui_rowdata *rows)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct ui_rowdata *r = &rows[i];
		if (v->only && !(v->only & (1u << status_group(r->status))))
			continue;
		if (!ui_row_matches(r, v->filter))
			continue;
		v->order[k++] = i;
	}
	v->norder = k;
	struct sort_ctx ctx = { rows, v->sort };
	qsort_r(v->order, k, sizeof *v->order, cmp_rows, &ctx);

	/* Keep the selected resolver selected; if it was filtered out, select
	 * the row now at its position, so the cursor does not jump far. */
	size_t pos = v->top;
	bool found = false;
	for (size_t p = 0; v->has_sel && p < k; p++)
		if (v->order[p] == v->sel) {
			found = true;
			pos = p;
			break;
		}
	if (k == 0) {
		v->has_sel = false;
		v->top = 0;
		return;
	}
	if (!found) {
		pos = pos < k ? pos : k - 1;
		v->sel = v->order[pos];
		v->has_sel = true;
	}
	if (v->top >= k)
		v->top = k - 1;
}

size_t ui_view_pos(const struct ui_view *v)
{
	for (size_t p = 0; v->has_sel && p < v->norder; p++)
		if (v->order[p] == v->sel)
			return p;
	return 0;
}

void ui_view_select_pos(struct ui_view *v, size_t pos)
{
	if (v->norder == 0)
		return;
	if (pos >= v->norder)
		pos = v->norder - 1;
	v->sel = v->order[pos];
	v->has_sel = true;
}

void ui_view_move(struct ui_view *v, long delta)
{
	if (v->norder == 0)
		return;
	long pos = (long)ui_view_pos(v) + delta;
	if (pos < 0)
		pos = 0;
	ui_view_select_pos(v, (size_t)pos);
}

void ui_view_scroll(struct ui_view *v, size_t page)
{
	size_t pos = ui_view_pos(v);
	if (page == 0)
		return;
	if (pos < v->top)
		v->top = pos;
	else if (pos >= v->top + page)
		v->top = pos - page + 1;
	/* No empty space below the last row while rows are hidden above. */
	if (v->norder > page && v->top > v->norder - page)
		v->top = v->norder - page;
	if (v->norder <= page)
		v->top = 0;
}
