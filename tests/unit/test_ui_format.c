/*
 * test_ui_format.c -- unit tests for src/ui/ui_format.c: the dashboard's
 * text without curses (cells, rows to a fixed width, bar, sparkline,
 * timeline resampling).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "tracker.h"
#include "ui/ui_format.h"

#define BUF 4096

static int utf8_locale(void **state)
{
	(void)state;
	/* Block characters and ellipses need a UTF-8 character type. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return -1;
	return 0;
}

static void test_ttl(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(ui_fmt_ttl(-1, b, sizeof b), "-");
	assert_string_equal(ui_fmt_ttl(0, b, sizeof b), "0s");
	assert_string_equal(ui_fmt_ttl(45, b, sizeof b), "45s");
	/* A countdown shows 1s until it is really over. */
	assert_string_equal(ui_fmt_ttl(0.2, b, sizeof b), "1s");
	assert_string_equal(ui_fmt_ttl(44.01, b, sizeof b), "45s");
	assert_string_equal(ui_fmt_ttl(59.99, b, sizeof b), "1m 00s");
	assert_string_equal(ui_fmt_ttl(187, b, sizeof b), "3m 07s");
	assert_string_equal(ui_fmt_ttl(3720, b, sizeof b), "1h 02m");
	assert_string_equal(ui_fmt_ttl(86400 * 2 + 3600 * 4, b, sizeof b), "2d 04h");
}

static void test_eta(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(ui_fmt_eta(ST_NEW, -1, b, sizeof b), "-");
	/* The ETA is the tracker's: a timed-out resolver whose cache held the
	 * old answer still flips then (issue 8: one figure everywhere). */
	assert_string_equal(ui_fmt_eta(ST_TIMEOUT, 12, b, sizeof b), "12s");
	assert_string_equal(ui_fmt_eta(ST_TIMEOUT, -1, b, sizeof b), "-");
	assert_string_equal(ui_fmt_eta(ST_STALE, -1, b, sizeof b), "?");
	assert_string_equal(ui_fmt_eta(ST_STALE, 0, b, sizeof b), "due");
	assert_string_equal(ui_fmt_eta(ST_STALE, 0.4, b, sizeof b), "due");
	assert_string_equal(ui_fmt_eta(ST_STALE, 12.3, b, sizeof b), "13s");
	assert_string_equal(ui_fmt_eta(ST_STALE, 3700, b, sizeof b), "1h 01m");
}

static void test_latency_share_status(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(ui_fmt_latency(-1, b, sizeof b), "-");
	assert_string_equal(ui_fmt_latency(0.43, b, sizeof b), "0.4ms");
	assert_string_equal(ui_fmt_latency(12.4, b, sizeof b), "12ms");
	assert_string_equal(ui_fmt_latency(1250, b, sizeof b), "1.25s");
	assert_string_equal(ui_fmt_share(100, b, sizeof b), "100%");
	assert_string_equal(ui_fmt_share(0, b, sizeof b), "0%");
	assert_string_equal(ui_fmt_share(200.0 / 3, b, sizeof b), "66.7%");
	assert_string_equal(ui_fmt_share(80, b, sizeof b), "80%");
	/* The dashboard's per-country line, with probes as rows. */
	struct country_share cs[3] = { { "AU", 1, 0, 1, 0 },
		                       { "BR", 1, 0, 0, 0 },
		                       { "DE", 3, 2, 3, 200.0 / 3 } };
	char line[256];
	assert_string_equal(ui_fmt_countries(line, sizeof line, cs, 3, false),
	                    " by country: AU 0% (0/1), BR -, DE 66.7% (2/3)");
	assert_string_equal(ui_fmt_countries(line, sizeof line, cs, 1, true),
	                    " by country: AU 0% (0/1)");
	assert_string_equal(ui_status_label(ST_STALE, true), "stale");
	assert_string_equal(ui_status_label(ST_STALE, false), "answer");
	assert_string_equal(ui_status_label(ST_SERVFAIL, false), "servfail");
}

static void test_fit(void **state)
{
	char b[BUF];
	(void)state;
	assert_string_equal(ui_fit(b, sizeof b, "abc", 6, false, false), "abc   ");
	assert_string_equal(ui_fit(b, sizeof b, "abc", 6, true, false), "   abc");
	assert_string_equal(ui_fit(b, sizeof b, "abcdefgh", 5, false, false), "abcd~");
	assert_string_equal(ui_fit(b, sizeof b, "abcdefgh", 5, false, true), "abcd\u2026");
	assert_string_equal(ui_fit(b, sizeof b, "", 0, false, false), "");
	assert_string_equal(ui_fit(b, sizeof b, NULL, 2, false, false), "  ");
	/* Control characters cannot reach the terminal. */
	assert_string_equal(ui_fit(b, sizeof b, "a\tb\033", 4, false, false), "a?b?");
	/* Without UTF-8, each non-ASCII byte is one '?'. */
	assert_string_equal(ui_fit(b, sizeof b, "Z\xc3\xbcrich", 8, false, false), "Z??rich ");
	/* With it, a character is one column, a wide one two. */
	assert_string_equal(ui_fit(b, sizeof b, "Z\xc3\xbcrich", 7, false, true), "Z\xc3\xbcrich ");
	assert_int_equal(ui_width("Z\xc3\xbcrich", true), 6);
	assert_int_equal(ui_width("\xe6\x9d\xb1\xe4\xba\xac", true), 4); /* 東京 */
	ui_fit(b, sizeof b, "\xe6\x9d\xb1\xe4\xba\xac", 3, false, true);
	assert_int_equal(ui_width(b, true), 3);
	/* A wide character that does not fit leaves padding, never overflow. */
	ui_fit(b, sizeof b, "\xe6\x9d\xb1\xe4\xba\xac-", 4, false, true);
	assert_int_equal(ui_width(b, true), 4);
}

static struct ui_rowdata sample_row(void)
{
	struct ui_rowdata r = {
		.name = "Google Public DNS primary",
		.country = "US",
		.operator_name = "Google",
		.address = "8.8.8.8",
		.status = ST_STALE,
		.has_truth = true,
		.ttl = 187,
		.eta = 187,
		.latency_ms = 12.4,
		.transport = TR_UDP,
		.changed_ago = 65,
		.busy = false,
	};
	return r;
}

static void test_layout_widths(void **state)
{
	struct ui_layout l;
	char b[BUF];
	struct ui_rowdata r = sample_row();
	(void)state;
	for (int w = 40; w <= 220; w++) {
		ui_layout_compute(&l, w);
		assert_int_equal(ui_width(ui_fmt_header(b, sizeof b, &l), true), w);
		assert_int_equal(ui_width(ui_fmt_row(b, sizeof b, &l, &r, true), true), w);
		/* Columns never overlap and stay on screen. */
		int end = 0;
		for (int c = 0; c < UI_NCOLS; c++) {
			if (l.w[c] == 0)
				continue;
			assert_true(l.x[c] >= end);
			end = l.x[c] + l.w[c];
		}
		assert_true(end <= w);
		/* Essentials always shown. */
		assert_true(l.w[COL_NAME] > 0 && l.w[COL_STATUS] > 0 && l.w[COL_ETA] > 0);
	}
	ui_layout_compute(&l, 80);
	assert_int_equal(l.w[COL_PROTO], 0); /* dropped first */
	ui_layout_compute(&l, 120);
	assert_true(l.w[COL_PROTO] > 0 && l.w[COL_CHANGED] > 0);
}

static void test_row(void **state)
{
	struct ui_layout l;
	char b[BUF];
	struct ui_rowdata r = sample_row();
	(void)state;
	ui_layout_compute(&l, 120);
	ui_fmt_row(b, sizeof b, &l, &r, false);
	assert_non_null(strstr(b, " Google Public DNS primary"));
	assert_non_null(strstr(b, " US "));
	assert_non_null(strstr(b, " 8.8.8.8 "));
	assert_non_null(strstr(b, " stale "));
	assert_non_null(strstr(b, " 3m 07s "));
	assert_non_null(strstr(b, " 12ms "));
	assert_non_null(strstr(b, " udp "));
	assert_true(strstr(b, " 1m 05s") != NULL && b[strlen(b) - 1] == 's');
	assert_int_equal(b[0], ' ');
	/* The status cell starts where the layout says (ui_draw colours it). */
	assert_memory_equal(b + l.x[COL_STATUS], "stale", 5);

	r.busy = true;
	r.status = ST_TIMEOUT;
	r.ttl = r.eta = r.latency_ms = r.changed_ago = -1;
	r.transport = TR_NONE;
	ui_fmt_row(b, sizeof b, &l, &r, false);
	assert_int_equal(b[0], '*');
	assert_memory_equal(b + l.x[COL_STATUS], "timeout", 7);
	assert_memory_equal(b + l.x[COL_TTL], "      -", 7);

	/* A long name is cut with an ellipsis, and the row keeps its width. */
	r.name = "A very long resolver label that will never fit in the name column";
	ui_fmt_row(b, sizeof b, &l, &r, true);
	assert_non_null(strstr(b, "\u2026"));
	assert_int_equal(ui_width(b, true), 120);

	ui_fmt_header(b, sizeof b, &l);
	assert_memory_equal(b + l.x[COL_STATUS], "STATUS", 6);
	assert_memory_equal(b + l.x[COL_NAME], "RESOLVER", 8);
}

static void test_bar(void **state)
{
	char b[BUF];
	(void)state;
	assert_string_equal(ui_fmt_bar(b, sizeof b, 0, 10, 10, false), "..........");
	assert_string_equal(ui_fmt_bar(b, sizeof b, 5, 10, 10, false), "#####.....");
	assert_string_equal(ui_fmt_bar(b, sizeof b, 10, 10, 10, false), "##########");
	assert_string_equal(ui_fmt_bar(b, sizeof b, 0, 0, 4, false), "....");
	/* Never full before it is, never empty once any is done. */
	assert_string_equal(ui_fmt_bar(b, sizeof b, 999, 1000, 10, false), "#########.");
	assert_string_equal(ui_fmt_bar(b, sizeof b, 1, 1000, 10, false), "#.........");
	/* done > total is clamped. */
	assert_string_equal(ui_fmt_bar(b, sizeof b, 12, 10, 4, false), "####");
	/* Eighths: 1/4 of 3 cells = 6 eighths = "▊" then two empty. */
	assert_string_equal(ui_fmt_bar(b, sizeof b, 1, 4, 3, true), "\u258a\u2591\u2591");
	assert_string_equal(ui_fmt_bar(b, sizeof b, 2, 2, 2, true), "\u2588\u2588");
	for (size_t d = 0; d <= 7; d++)
		assert_int_equal(ui_width(ui_fmt_bar(b, sizeof b, d, 7, 13, true), true), 13);
}

static void test_spark(void **state)
{
	char b[BUF];
	double v[] = { -1, 0, 50, 100, 150 };
	(void)state;
	assert_string_equal(ui_fmt_spark(b, sizeof b, v, 5, false), " _=##");
	assert_string_equal(ui_fmt_spark(b, sizeof b, v, 5, true), " \u2581\u2585\u2588\u2588");
	assert_int_equal(ui_width(ui_fmt_spark(b, sizeof b, v, 5, true), true), 5);
	assert_string_equal(ui_fmt_spark(b, sizeof b, v, 0, true), "");
}

static void test_resample(void **state)
{
	double at[] = { 10, 12, 20 };
	double val[] = { 0, 50, 100 };
	double out[5];
	(void)state;
	/* [10, 20] in 5 columns ending at 12, 14, 16, 18, 20. */
	ui_resample(at, val, 3, 10, 20, out, 5);
	assert_true(out[0] == 50 && out[1] == 50 && out[3] == 50 && out[4] == 100);
	/* Before the first point: no data. */
	ui_resample(at, val, 3, 0, 20, out, 5);
	assert_true(out[0] < 0 && out[1] < 0 && out[2] == 50 && out[4] == 100);
	/* No points at all. */
	ui_resample(at, val, 0, 0, 20, out, 5);
	for (int i = 0; i < 5; i++)
		assert_true(out[i] < 0);
	/* A zero-length span shows the latest value everywhere. */
	ui_resample(at, val, 3, 20, 20, out, 2);
	assert_true(out[0] == 100 && out[1] == 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_eta),
		cmocka_unit_test(test_latency_share_status),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_layout_widths),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_resample),
	};
	return cmocka_run_group_tests(tests, utf8_locale, NULL);
}
