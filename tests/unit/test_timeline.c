/*
 * test_timeline.c -- unit tests for `propwatch timeline`: the log reader
 * (timeline_read.c) on good, cut-short, broken and foreign logs, and the
 * renderings: the PNG decodes at its size with the roles' colours where
 * the lanes are, the SVG is SVG, the CSV carries the log's figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "roles.h"
#include "timeline.h"
#include "ttl.h"

#define START                                                                                      \
	"{\"v\":1,\"ev\":\"start\",\"t\":1796170000,\"s\":0,\"mode\":\"check\",\"version\":\"x\"," \
	"\"query\":{\"name\":\"example.test.\",\"type\":\"MX\"},\"resolvers\":3,\"interval\":10,"  \
	"\"threshold\":\"100%\"}\n"
#define RES(i, addr, label)                                                                      \
	"{\"v\":1,\"ev\":\"resolver\",\"t\":1796170000,\"s\":0,\"i\":" #i ",\"address\":\"" addr \
	"\",\"port\":53,\"country\":\"DE\",\"operator\":\"lab\",\"label\":\"" label              \
	"\",\"anycast\":false}\n"
#define RESOLVERS \
	RES(0, "127.0.3.1", "lagging") RES(1, "127.0.3.2", "quick") RES(2, "127.0.3.3", "dead")
#define TRUTH(s, serial)                                       \
	"{\"v\":1,\"ev\":\"truth\",\"t\":1796170000,\"s\":" #s \
	",\"source\":\"auth\",\"serial\":" #serial             \
	",\"records\":[\"10 new.\"],\"disagree\":false}\n"
#define ANSWER(s, i, status, pred, share)                                    \
	"{\"v\":1,\"ev\":\"answer\",\"t\":1796170000,\"s\":" #s ",\"i\":" #i \
	",\"status\":\"" status "\",\"predicted_s\":" #pred                  \
	",\"anomalies\":[\"ttl-capped\",\"later-kind\"],\"share\":" #share ",\"unknown_key\":1}\n"
#define VERDICT                                                                             \
	"{\"v\":1,\"ev\":\"verdict\",\"t\":1796170031,\"s\":31,\"verdict\":\"propagated\"," \
	"\"exit\":0,\"interrupted\":false}\n"
#define WHOLE                                                                                      \
	START RESOLVERS TRUTH(0.1, 2) ANSWER(0.2, 0, "stale", 30.2, 0) ANSWER(0.3, 1, "new", null, \
	                                                                      50)                  \
	        ANSWER(1.3, 2, "timeout", null,                                                    \
	               50) "{\"v\":1,\"ev\":\"sweep\",\"t\":1,\"s\":1.3}\n" ANSWER(10.2, 0,        \
	                                                                           "stale", 30.2,  \
	                                                                           50)             \
	                ANSWER(30.7, 0, "new", null, 100) VERDICT

static int read_text(const char *text, int session, struct timeline *tl, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	int rc = timeline_read(f, "roll.ndjson", session, tl, err, len);
	fclose(f);
	return rc;
}

static void test_whole_log(void **state)
{
	(void)state;
	struct timeline tl;
	char err[512];
	assert_int_equal(read_text(WHOLE, 0, &tl, err, sizeof err), PW_OK);
	assert_int_equal(tl.n, 3);
	assert_string_equal(tl.qname, "example.test.");
	assert_string_equal(tl.verdict, "propagated");
	assert_int_equal(tl.cut, 0);
	assert_int_equal(tl.answers, 5);
	assert_float_equal(tl.end, 31, 1e-9);
	assert_float_equal(tl.threshold, 100, 1e-9);
	/* The lagging one: old from 0.2, new at 30.7, predicted for 30.2. */
	const struct tl_resolver *r = &tl.r[0];
	assert_true(r->was_old);
	assert_float_equal(r->first_seen, 0.2, 1e-9);
	assert_float_equal(r->flipped, 30.7, 1e-9);
	assert_float_equal(r->predicted, 30.2, 1e-9);
	assert_int_equal(r->nspans, 2); /* the second stale answer is the same span */
	assert_int_equal(timeline_status_at(r, 0.1), ST_PENDING);
	assert_int_equal(timeline_status_at(r, 15), ST_STALE);
	assert_int_equal(timeline_status_at(r, 31), ST_NEW);
	assert_int_equal(r->anomalies, ANOM_TTL_CAPPED);
	/* The quick one flipped at its first answer; the dead one never. */
	assert_false(tl.r[1].was_old);
	assert_float_equal(tl.r[1].flipped, 0.3, 1e-9);
	assert_float_equal(tl.r[2].flipped, -1, 1e-9);
	/* Share points only where the share moved. */
	assert_int_equal(tl.nshare, 3);
	assert_int_equal(tl.ntruth, 1);
	assert_int_equal(tl.truth[0].serial, 2);
	/* Lanes: flipped first by flip time, the dead one last. */
	size_t *o = timeline_order(&tl);
	assert_int_equal(o[0], 1);
	assert_int_equal(o[1], 0);
	assert_int_equal(o[2], 2);
	free(o);
	timeline_free(&tl);
}

static void test_cut_short(void **state)
{
	(void)state;
	struct timeline tl;
	char err[512];
	/* A crash in the middle of the last line: all before it counts. */
	static const char cut[] = START RESOLVERS TRUTH(0.1, 2)
	        ANSWER(0.2, 0, "stale", 30.2, 0) "{\"v\":1,\"ev\":\"answer\",\"t\":179617";
	assert_int_equal(read_text(cut, 0, &tl, err, sizeof err), PW_OK);
	assert_int_equal(tl.cut, 7);
	assert_null(tl.verdict);
	assert_int_equal(tl.answers, 1);
	timeline_free(&tl);
	/* Cut, then appended to by a new session: the first is readable too. */
	static const char two[] = START RESOLVERS ANSWER(
	        0.2, 0, "stale", 30.2,
	        0) "{\"v\":1,\"ev\":\"ans\n" START RESOLVERS ANSWER(0.5, 1, "new", null, 100);
	assert_int_equal(read_text(two, 1, &tl, err, sizeof err), PW_OK);
	assert_int_equal(tl.session, 1);
	assert_int_equal(tl.sessions, 2);
	assert_float_equal(tl.r[0].first_seen, 0.2, 1e-9);
	timeline_free(&tl);
	assert_int_equal(read_text(two, 0, &tl, err, sizeof err), PW_OK);
	assert_int_equal(tl.session, 2);
	assert_float_equal(tl.r[1].flipped, 0.5, 1e-9);
	assert_float_equal(tl.r[0].first_seen, -1, 1e-9);
	timeline_free(&tl);
	assert_int_equal(read_text(two, 3, &tl, err, sizeof err), PW_EINVAL);
	assert_string_equal(err, "roll.ndjson: session 3 asked for, the log has 2");
}

static const struct {
	const char *text, *err;
} bad[] = {
	{ START RESOLVERS "{\"v\":1,\"ev\":\"ans\n" ANSWER(1, 0, "new", null, 100),
	  "roll.ndjson:5: not JSON" },
	{ "{\"v\":2,\"ev\":\"start\",\"t\":1,\"s\":0}\n",
	  "roll.ndjson:1: schema version 2 is not known (this propwatch reads 1)" },
	{ "{\"ev\":\"start\",\"t\":1,\"s\":0}\n", "roll.ndjson:1: no schema version 'v'" },
	{ START RESOLVERS ANSWER(1, 3, "new", null, 100), "roll.ndjson:5: 'i' is not a resolver" },
	{ START RESOLVERS ANSWER(1, 0, "fresh", null, 100),
	  "roll.ndjson:5: unknown status 'fresh'" },
	{ START RESOLVERS ANSWER(1, 0, "new", null, 250),
	  "roll.ndjson:5: 'share' is not a per cent" },
	{ ANSWER(1, 0, "new", null, 100), "roll.ndjson:1: 'answer' before any start line" },
	{ START RES(0, "127.0.3.1", "a"), "roll.ndjson: session 1 lists no resolver 1" },
	{ "[1,2]\n[3]\n", "roll.ndjson:1: not JSON (not an object)" },
	{ "", "roll.ndjson: no session in it" },
	{ "{\"v\":1,\"ev\":\"start\",\"t\":1,\"s\":0,\"mode\":\"check\",\"query\":{\"name\":\"a.\","
	  "\"type\":\"MX\"},\"resolvers\":99999999}\n",
	  "roll.ndjson:1: 'resolvers' is not a count" },
	{ START "{\"v\":1,\"ev\":\"resolver\",\"t\":1,\"s\":0,\"i\":0,\"i\":1}\n" RESOLVERS,
	  "roll.ndjson:2: not JSON (duplicate object key" },
};

static void test_bad_logs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct timeline tl;
		char err[512] = "";
		int rc = read_text(bad[i].text, 0, &tl, err, sizeof err);
		if (rc == PW_OK || strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("case %zu: rc %d, err \"%s\", wanted \"%s\"", i, rc, err,
			         bad[i].err);
	}
}

/* The colour at (x, y) of an RGB24 surface. */
static unsigned pixel(cairo_surface_t *s, int x, int y)
{
	const unsigned char *d = cairo_image_surface_get_data(s);
	uint32_t v;
	memcpy(&v, d + y * cairo_image_surface_get_stride(s) + x * 4, 4);
	return v & 0xffffff;
}

static void test_pictures(void **state)
{
	(void)state;
	struct timeline tl;
	char err[512], png[] = "/tmp/pw-tl-XXXXXX.png", svg[] = "/tmp/pw-tl-XXXXXX.svg";
	assert_int_equal(read_text(WHOLE, 0, &tl, err, sizeof err), PW_OK);
	int fd = mkstemps(png, 4);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(timeline_draw(&tl, png, 900, err, sizeof err), PW_OK);
	cairo_surface_t *s = cairo_image_surface_create_from_png(png);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), 900);
	int h = cairo_image_surface_get_height(s);
	assert_true(h > 300 && h < 2000);
	/* Somewhere in the picture: the new, old and failing roles' colours. */
	bool seen_new = false, seen_old = false, seen_fail = false;
	cairo_surface_flush(s);
	for (int y = 0; y < h; y += 2)
		for (int x = 0; x < 900; x += 3) {
			unsigned c = pixel(s, x, y);
			seen_new |= c == pw_roles[ROLE_NEW].rgb;
			seen_old |= c == pw_roles[ROLE_STALE].rgb;
			seen_fail |= c == pw_roles[ROLE_FAILING].rgb;
		}
	assert_true(seen_new && seen_old && seen_fail);
	cairo_surface_destroy(s);
	unlink(png);

	fd = mkstemps(svg, 4);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(timeline_draw(&tl, svg, 900, err, sizeof err), PW_OK);
	FILE *f = fopen(svg, "r");
	char head[64] = "";
	assert_non_null(fgets(head, sizeof head, f));
	fclose(f);
	assert_non_null(strstr(head, "<?xml"));
	unlink(svg);

	assert_int_equal(timeline_draw(&tl, "/tmp/x.gif", 900, err, sizeof err), PW_EINVAL);
	assert_int_equal(timeline_draw(&tl, "/nonexistent/dir/x.png", 900, err, sizeof err),
	                 PW_EIO);
	assert_non_null(strstr(err, "/nonexistent/dir/x.png"));
	timeline_free(&tl);
}

static void test_text_and_csv(void **state)
{
	(void)state;
	struct timeline tl;
	char err[512], *text = NULL;
	size_t len = 0;
	assert_int_equal(read_text(WHOLE, 0, &tl, err, sizeof err), PW_OK);
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(timeline_csv(f, &tl), PW_OK);
	fclose(f);
	assert_non_null(strstr(text, "\n127.0.3.1,53,DE,lab,lagging,0.200,30.700,30.200,0.500,"
	                             "ttl-capped,new\n"));
	assert_non_null(strstr(text, "\n127.0.3.3,53,DE,lab,dead,1.300,,,,ttl-capped,timeout\n"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(timeline_text(f, &tl, 100, false), PW_OK);
	fclose(f);
	assert_non_null(strstr(text, "verdict: propagated (exit 0)"));
	assert_non_null(strstr(text, "truth: serial 2 at 0s"));
	/* The lagging lane: old, its predicted flip, then new. */
	const char *lane = strstr(text, "127.0.3.1 lagging");
	assert_non_null(lane);
	const char *bar = strchr(lane, '|');
	assert_non_null(bar);
	assert_int_equal(bar[1], 'o');
	assert_non_null(strstr(bar, "o|"));
	assert_non_null(strstr(lane, "+0.5s"));
	free(text);
	timeline_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_log),    cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_bad_logs),     cmocka_unit_test(test_pictures),
		cmocka_unit_test(test_text_and_csv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
