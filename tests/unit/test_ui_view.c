/*
 * test_ui_view.c -- unit tests for src/ui/ui_view.c: sorting, filtering,
 * and a selection that stays on its resolver while rows move.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/ui_view.h"

#define N 6

static void rows_init(struct ui_rowdata *r)
{
	static const struct {
		const char *name, *cc, *op, *addr;
		enum pw_status st;
		double eta, lat;
	} t[N] = {
		{ "quad nine", "CH", "Quad9", "9.9.9.9", ST_NEW, -1, 20 },
		{ "google a", "US", "Google", "8.8.8.8", ST_STALE, 40, 5 },
		{ "cloudflare", "US", "Cloudflare", "1.1.1.1", ST_STALE, 10, 3 },
		{ "dead one", "DE", "Nobody", "192.0.2.1", ST_TIMEOUT, -1, -1 },
		{ "adguard", "CY", "AdGuard", "94.140.14.14", ST_NXDOMAIN, -1, 30 },
		{ "unknown", "ZZ", "lab", "127.0.0.1", ST_STALE, -1, 1 },
	};
	memset(r, 0, N * sizeof *r);
	for (int i = 0; i < N; i++) {
		r[i].name = t[i].name;
		r[i].country = t[i].cc;
		r[i].operator_name = t[i].op;
		r[i].address = t[i].addr;
		r[i].status = t[i].st;
		r[i].has_truth = true;
		r[i].eta = t[i].eta;
		r[i].latency_ms = t[i].lat;
		r[i].ttl = r[i].changed_ago = -1;
	}
}

static void assert_order(const struct ui_view *v, const size_t *want, size_t n)
{
	assert_int_equal(v->norder, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v->order[i], want[i]);
}

static void test_sorts(void **state)
{
	struct ui_view v;
	struct ui_rowdata r[N];
	(void)state;
	rows_init(r);
	assert_int_equal(ui_view_init(&v, N), 0);

	/* Status: stale (list order among them), new, nxdomain, failing. */
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 1, 2, 5, 0, 4, 3 }, N);
	/* ETA: known ETAs soonest first, then the rest by status. */
	v.sort = SORT_ETA;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 2, 1, 5, 0, 4, 3 }, N);
	/* Latency: fastest first, no reply last. */
	v.sort = SORT_LATENCY;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 5, 2, 1, 0, 4, 3 }, N);
	/* Country, then name. */
	v.sort = SORT_COUNTRY;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 0, 4, 3, 2, 1, 5 }, N);
	/* Probes carry a continent: country sort groups by it first. */
	static const char *const cont[N] = { "EU", "NA", "NA", "EU", "AS", "" };
	for (int i = 0; i < N; i++)
		r[i].continent = cont[i];
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 5, 4, 0, 3, 2, 1 }, N);
	for (int i = 0; i < N; i++)
		r[i].continent = NULL;
	v.sort = SORT_NAME;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 4, 2, 3, 1, 0, 5 }, N);
	assert_string_equal(ui_sort_name(SORT_ETA), "ETA");
	ui_view_free(&v);
}

static void test_filters(void **state)
{
	struct ui_view v;
	struct ui_rowdata r[N];
	(void)state;
	rows_init(r);
	assert_int_equal(ui_view_init(&v, N), 0);

	snprintf(v.filter, sizeof v.filter, "GOOG");
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 1 }, 1);
	snprintf(v.filter, sizeof v.filter, "us"); /* country, any case */
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 1, 2 }, 2);
	snprintf(v.filter, sizeof v.filter, "timeout"); /* status text */
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 3 }, 1);
	snprintf(v.filter, sizeof v.filter, "9.9.9");
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 0 }, 1);
	snprintf(v.filter, sizeof v.filter, "nothing matches this");
	ui_view_update(&v, r);
	assert_int_equal(v.norder, 0);
	assert_false(v.has_sel);

	v.filter[0] = '\0';
	v.only = 1u << GRP_FAILING | 1u << GRP_NEGATIVE;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 4, 3 }, 2);
	v.only = 1u << GRP_NEW;
	ui_view_update(&v, r);
	assert_order(&v, (size_t[]){ 0 }, 1);
	assert_int_equal(status_group(ST_UNREACHABLE), GRP_FAILING);
	assert_int_equal(status_group(ST_NODATA), GRP_NEGATIVE);
	assert_string_equal(group_name(GRP_PENDING), "pending");
	ui_view_free(&v);
}

static void test_selection(void **state)
{
	struct ui_view v;
	struct ui_rowdata r[N];
	(void)state;
	rows_init(r);
	assert_int_equal(ui_view_init(&v, N), 0);
	ui_view_update(&v, r);
	assert_true(v.has_sel);
	assert_int_equal(v.sel, 1); /* the first row */

	ui_view_move(&v, 2);
	assert_int_equal(v.sel, 5);
	ui_view_move(&v, 100);
	assert_int_equal(v.sel, 3); /* clamped to the last */
	ui_view_move(&v, -100);
	assert_int_equal(v.sel, 1);

	/* The selected resolver flips to new: it moves, the selection follows. */
	ui_view_select_pos(&v, 1);
	assert_int_equal(v.sel, 2);
	r[2].status = ST_NEW;
	ui_view_update(&v, r);
	assert_int_equal(v.sel, 2);
	assert_int_equal(ui_view_pos(&v), 3); /* after the stale ones and quad nine */

	/* Filtered away: the row now at its place is selected instead. */
	v.only = 1u << GRP_STALE;
	ui_view_update(&v, r);
	assert_true(v.has_sel);
	assert_true(v.sel == 1 || v.sel == 5);
	ui_view_free(&v);
}

static void test_scroll(void **state)
{
	struct ui_view v;
	struct ui_rowdata r[N];
	(void)state;
	rows_init(r);
	assert_int_equal(ui_view_init(&v, N), 0);
	ui_view_update(&v, r);
	ui_view_select_pos(&v, 5);
	ui_view_scroll(&v, 3);
	assert_int_equal(v.top, 3); /* the last row at the bottom */
	ui_view_select_pos(&v, 0);
	ui_view_scroll(&v, 3);
	assert_int_equal(v.top, 0);
	/* A page larger than the list never scrolls. */
	ui_view_select_pos(&v, 5);
	ui_view_scroll(&v, 10);
	assert_int_equal(v.top, 0);
	ui_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorts),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
