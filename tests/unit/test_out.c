/*
 * test_out.c -- unit tests for the views (out_json.c, out_csv.c,
 * out_text.c) and the dashboard's ETA cell: every one prints the tracker's
 * figures and none derives its own. The ETA reproducer of issue 8 (stale
 * at t=100, timed out at t=110) must read 290 s in the JSON resolver
 * object, the JSON summary, the text summary, CSV and the dashboard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>

#include "out.h"
#include "ui/ui_format.h"
#include "vantage.h"
#include "world.h"

struct scene {
	struct world w;
	struct tracker t;
};

/* Resolver 0 stale at 100 (its cache holds the old MX until 400), then
 * timed out at 110; resolver 1 new. The views speak of t=110. */
static void scene_reproducer(struct scene *s)
{
	static const double flips[] = { 400, 0 };
	struct answer a;
	struct expected e;
	struct truth_opts o = { 0 };

	clock_use_virtual(110, 1800000110);
	world_init(&s->w, 2, flips);
	struct tracker_cfg cfg = world_cfg(&s->w, 10, 1);
	assert_int_equal(tracker_init(&s->t, &cfg, 0), PW_OK);
	world_truth(&s->w, &s->w.q, &o, &e);
	tracker_truth_install(&s->t, &e, 0);
	for (size_t i = 0; i < 2; i++) {
		tracker_asked(&s->t, i, 100);
		world_answer(&s->w, i, 100, &a);
		tracker_post(&s->t, i, &a, 100);
	}
	tracker_asked(&s->t, 0, 110);
	answer_init(&a);
	a.outcome = OUT_TIMEOUT;
	tracker_post(&s->t, 0, &a, 110);
	tracker_round_done(&s->t, 0, 0, 0);
	assert_int_equal(tracker_evaluate(&s->t), PW_OK);
}

static void scene_free(struct scene *s)
{
	tracker_free(&s->t);
	world_free(&s->w);
}

/* Run a view into a string (the caller frees it). */
static char *render(int (*view)(FILE *, const struct view *), const struct view *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(view(f, v), PW_OK);
	fclose(f);
	return buf;
}

static void test_eta_same_everywhere(void **state)
{
	struct scene s;
	(void)state;
	scene_reproducer(&s);
	struct view v = { &s.t, 110, NULL, false, false, NULL };

	/* JSON: the resolver object and the summary. */
	char *js = render(out_json, &v);
	json_error_t err;
	json_t *root = json_loads(js, 0, &err);
	if (root == NULL)
		fail_msg("JSON does not parse: %s\n%s", err.text, js);
	json_t *r0 = json_array_get(json_object_get(root, "resolvers"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "status")), "timeout");
	assert_float_equal(json_real_value(json_object_get(r0, "eta_s")), 290, 1e-9);
	json_t *sum = json_object_get(root, "summary");
	assert_float_equal(json_real_value(json_object_get(sum, "eta_s")), 290, 1e-9);
	assert_false(json_boolean_value(json_object_get(sum, "interrupted")));
	assert_float_equal(json_real_value(json_object_get(sum, "time")), 1800000110, 1e-3);
	assert_true(json_is_null(
	        json_object_get(json_array_get(json_object_get(root, "resolvers"), 1), "eta_s")));
	json_decref(root);
	free(js);

	/* CSV: the eta_s column of row 1 (resolver 0). */
	char *csv = render(out_csv, &v);
	char *line = strchr(csv, '\n');
	assert_non_null(line);
	assert_non_null(strstr(line, ",290.0,"));
	free(csv);

	/* Text: the row and the summary line. */
	char *txt = render(out_text, &v);
	assert_non_null(strstr(txt, "all stale caches expire by"));
	assert_non_null(strstr(txt, "(in 4m 50s)"));
	if (strstr(txt, " timeout           -   4m 50s ") == NULL)
		fail_msg("text row without the ETA:\n%s", txt);
	free(txt);

	/* The dashboard's ETA cell, from the same accessor. */
	char cell[32];
	assert_string_equal(
	        ui_fmt_eta(tracker_status(&s.t, 0), tracker_eta(&s.t, 0, 110), cell, sizeof cell),
	        "4m 50s");
	scene_free(&s);
}

/* A failed write is an error the caller can see (no silent "propagated"). */
static void test_write_errors(void **state)
{
	struct scene s;
	(void)state;
	scene_reproducer(&s);
	struct view v = { &s.t, 110, "a note", true, false, NULL };
	FILE *f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(out_json(f, &v), PW_EIO);
	assert_int_equal(out_csv(f, &v), PW_EIO);
	assert_int_equal(out_text(f, &v), PW_EIO);
	fclose(f);
	/* An interrupted run says so. */
	char *js = render(out_json, &v);
	assert_non_null(strstr(js, "\"interrupted\":true"));
	assert_non_null(strstr(js, "\"note\":\"a note\""));
	free(js);
	scene_free(&s);
}

/* The auth servers' states come from truth.c, not from the view. */
static void test_json_truth(void **state)
{
	struct scene s;
	(void)state;
	scene_reproducer(&s);
	struct view v = { &s.t, 110, NULL, false, false, NULL };
	char *js = render(out_json, &v);
	json_t *root = json_loads(js, 0, NULL);
	assert_non_null(root);
	json_t *exp = json_object_get(root, "expected");
	assert_string_equal(json_string_value(json_object_get(exp, "source")), "auth");
	json_t *a0 = json_array_get(json_object_get(exp, "auth_servers"), 0);
	assert_string_equal(json_string_value(json_object_get(a0, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(a0, "address")), "127.0.99.1");
	assert_int_equal(json_integer_value(json_object_get(a0, "port")), 53);
	json_decref(root);
	free(js);
	scene_free(&s);
}

/* The anycast site (NSID) of the latest reply, in every view and the
 * dashboard copy; none after a timeout, none when the reply had none. */
static void test_site_everywhere(void **state)
{
	static const double flips[] = { 0, 0, 0 };
	struct world w;
	struct tracker t, copy;
	struct answer a;
	struct expected e;
	struct truth_opts o = { 0 };
	(void)state;

	clock_use_virtual(100, 1800000100);
	world_init(&w, 3, flips);
	struct tracker_cfg cfg = world_cfg(&w, 10, 1);
	assert_int_equal(tracker_init(&t, &cfg, 0), PW_OK);
	world_truth(&w, &w.q, &o, &e);
	tracker_truth_install(&t, &e, 0);
	for (size_t i = 0; i < 3; i++) {
		tracker_asked(&t, i, 90);
		world_answer(&w, i, 90, &a);
		if (i < 2)
			a.edns.nsid = strdup(i == 0 ? "fra01" : "ams, \"b\"");
		tracker_post(&t, i, &a, 90);
	}
	/* Resolver 0 then times out: its site is that of no reply. */
	tracker_asked(&t, 0, 100);
	answer_init(&a);
	a.outcome = OUT_TIMEOUT;
	tracker_post(&t, 0, &a, 100);
	tracker_round_done(&t, 0, 0, 0);
	assert_int_equal(tracker_evaluate(&t), PW_OK);
	assert_null(tracker_site(&t, 0));
	assert_string_equal(tracker_site(&t, 1), "ams, \"b\"");
	assert_null(tracker_site(&t, 2));

	struct view v = { &t, 100, NULL, false, false, NULL };
	char *js = render(out_json, &v);
	json_t *root = json_loads(js, 0, NULL);
	assert_non_null(root);
	json_t *rs = json_object_get(root, "resolvers");
	assert_true(json_is_null(json_object_get(json_array_get(rs, 0), "site")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(rs, 1), "site")),
	                    "ams, \"b\"");
	assert_true(json_is_null(json_object_get(json_array_get(rs, 2), "site")));
	json_decref(root);
	free(js);

	char *csv = render(out_csv, &v);
	assert_non_null(strstr(csv, ",anomalies,detail,site\n"));
	assert_non_null(strstr(csv, ",\"ams, \"\"b\"\"\"\n")); /* quoted as CSV wants */
	free(csv);

	char *txt = render(out_text, &v);
	if (strstr(txt, " site ams, \"b\"\n") == NULL || strstr(txt, "site fra01") != NULL)
		fail_msg("text rows without the right sites:\n%s", txt);
	free(txt);

	/* The dashboard reads a copy: the site must survive it. */
	memset(&copy, 0, sizeof copy);
	assert_int_equal(tracker_copy(&copy, &t), 1);
	assert_string_equal(tracker_site(&copy, 1), "ams, \"b\"");
	struct ui_layout l;
	ui_layout_compute(&l, 200);
	assert_true(l.w[COL_SITE] >= 24); /* a long NSID has room on a wide terminal */
	ui_layout_compute(&l, 80);
	assert_int_equal(l.w[COL_SITE], 0); /* only room the name does not need */
	tracker_free(&copy);
	tracker_free(&t);
	world_free(&w);
}

/* Probes as rows: the views add their fields and the per-country share;
 * rows that are no probes keep the shape they had. */
static void test_vantage_fields(void **state)
{
	struct scene s;
	(void)state;
	scene_reproducer(&s);
	struct view v = { &s.t, 110, NULL, false, false, NULL };

	char *js = render(out_json, &v), *csv = render(out_csv, &v), *txt = render(out_text, &v);
	assert_null(strstr(js, "probe_id"));
	assert_null(strstr(js, "by_country"));
	assert_null(strstr(js, "vantage"));
	assert_null(strstr(csv, "probe_id"));
	assert_null(strstr(txt, "by country"));
	free(js);
	free(csv);
	free(txt);

	struct vantage_probe p[2] = {
		{ VIA_ATLAS, "1001", "", "DE", "", 64496, "", "192.0.2.53", false, "k1" },
		{ VIA_ATLAS, "1002", "", "NL", "", -1, "", "private", true, "k2" },
	};
	for (int i = 0; i < 2; i++) {
		s.w.list.v[i].probe = &p[i];
		memcpy(s.w.list.v[i].country, p[i].country, 3);
	}
	struct vantage_report rep = { VIA_ATLAS,  2, "90000001",
		                      "90000002", 2, { -1, -1, -1, -1, -1, -1 },
		                      12345 };
	v.vantage = &rep;
	js = render(out_json, &v);
	json_t *root = json_loads(js, 0, NULL);
	assert_non_null(root);
	json_t *r0 = json_array_get(json_object_get(root, "resolvers"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "via")), "atlas");
	assert_string_equal(json_string_value(json_object_get(r0, "probe_id")), "1001");
	assert_int_equal(json_integer_value(json_object_get(r0, "asn")), 64496);
	assert_true(json_is_null(json_object_get(r0, "city")));
	assert_string_equal(json_string_value(json_object_get(r0, "probe_resolver")), "192.0.2.53");
	json_t *r1 = json_array_get(json_object_get(root, "resolvers"), 1);
	assert_true(json_is_true(json_object_get(r1, "private_resolver")));
	assert_true(json_is_null(json_object_get(r1, "asn")));
	json_t *sum = json_object_get(root, "summary");
	json_t *bc = json_object_get(sum, "by_country");
	assert_int_equal(json_array_size(bc), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(bc, 0), "country")),
	                    "DE");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(bc, 1), "new")), 1);
	json_t *va = json_object_get(sum, "vantage");
	assert_int_equal(json_integer_value(json_object_get(va, "credits_remaining")), 12345);
	assert_string_equal(json_string_value(json_object_get(va, "first_measurement")),
	                    "90000001");
	assert_true(json_is_null(json_object_get(va, "rate_limit")));
	json_decref(root);
	free(js);
	csv = render(out_csv, &v);
	assert_non_null(strstr(csv, ",detail,site,via,probe_id,continent,city,asn,network,"
	                            "probe_resolver,private_resolver\n"));
	assert_non_null(strstr(csv, ",atlas,1001,,,64496,,192.0.2.53,0\n"));
	assert_non_null(strstr(csv, ",atlas,1002,,,,,private,1\n"));
	free(csv);
	txt = render(out_text, &v);
	assert_non_null(strstr(txt, "from 2 RIPE Atlas probes"));
	assert_non_null(strstr(txt, "by country: DE 0/0 new, NL 1/1 new"));
	assert_non_null(
	        strstr(txt, "RIPE Atlas: 2 measurements (first 90000001); 12345 credits left"));
	assert_non_null(strstr(txt, "(private resolver)"));
	free(txt);
	for (int i = 0; i < 2; i++)
		s.w.list.v[i].probe = NULL;
	scene_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eta_same_everywhere), cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_json_truth),          cmocka_unit_test(test_vantage_fields),
		cmocka_unit_test(test_site_everywhere),
	};
	return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
