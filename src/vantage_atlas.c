/*
 * vantage_atlas.c -- a RIPE Atlas one-off DNS measurement: POST
 * /api/v2/measurements/, then its status at /api/v2/measurements/{id}/
 * (polls 1 s apart, then half as far again each time, up to 10 s) until
 * the status is final (Stopped, Forced to stop, No suitable probes,
 * Failed) or every scheduled probe has reported, and its results at
 * /api/v2/measurements/{id}/results/.
 *
 * Results carry no country: after the first measurement each probe's is
 * read from /api/v2/probes/{id}/. Later rounds ask the rows' probes again
 * by id (a "probes" source). At the deadline whatever results there are
 * count, and the rows without one say so. The key goes as
 * "Authorization: Key KEY".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "error.h"
#include "msg.h"
#include "vantage_int.h"

/* Timestamps older than this before the measurement was asked for are
 * taken as this old (a probe's clock, or a hostile server). */
#define WALL_SLACK 600.0
/* The last look at the results may take this long past the deadline. */
#define RESULTS_GRACE 10.0

/* "1001,1003": the probes of the rows, each once. */
static char *probe_ids(const struct vantage *v, const size_t *rows, size_t n, long *count)
{
	size_t cap = n * 24 + 1, o = 0;
	char *s = malloc(cap);
	*count = 0;
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		const char *id = v->rows[rows[k]].id;
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(v->rows[rows[j]].id, id) == 0;
		if (seen)
			continue;
		o += (size_t)snprintf(s + o, cap - o, "%s%s", o ? "," : "", id);
		(*count)++;
	}
	return s;
}

static int create(struct vantage *v, const size_t *rows, size_t nrows, double deadline, long *id)
{
	struct http_resp r;
	char err[160];
	long count = v->cfg.probes;
	char *ids = rows ? probe_ids(v, rows, nrows, &count) : NULL;
	char *body = rows && ids == NULL
	                     ? NULL
	                     : atlas_request(v->q, v->from_json, ids, count, v->cfg.resolver,
	                                     v->cfg.family, v->cfg.dnssec);
	free(ids);
	if (body == NULL)
		return vantage_fail(v, PW_ENOMEM, "%s", pw_strerror(PW_ENOMEM));
	int rc = vantage_call(v, "POST", "/api/v2/measurements/", body, deadline, &r);
	free(body);
	if (rc < 0)
		return rc;
	if (r.status < 200 || r.status >= 300) {
		rc = vantage_refused(v, "POST /api/v2/measurements/", &r);
		http_resp_free(&r);
		return rc;
	}
	rc = atlas_decode_created(r.body, r.len, id, err, sizeof err);
	http_resp_free(&r);
	if (rc < 0)
		return vantage_fail(
		        v, rc, "RIPE Atlas: the answer to POST /api/v2/measurements/: %s", err);
	snprintf(v->last_id, sizeof v->last_id, "%ld", *id);
	v->measurements++;
	infof("RIPE Atlas: measurement %ld on %ld probe%s", *id, count, count == 1 ? "" : "s");
	return PW_OK;
}

/* GET path into *r; anything but HTTP 200 is refused (and *r freed). */
static int get_ok(struct vantage *v, const char *path, double deadline, struct http_resp *r)
{
	char what[160];
	int rc = vantage_call(v, "GET", path, NULL, deadline, r);
	if (rc < 0 || r->status == 200)
		return rc;
	snprintf(what, sizeof what, "GET %s", path);
	rc = vantage_refused(v, what, r);
	http_resp_free(r);
	return rc;
}

/* GET path and decode the results (*out and *n as atlas_decode_results). */
static int results(struct vantage *v, const char *path, double deadline, double wall_floor,
                   struct vantage_result **out, size_t *n)
{
	struct http_resp r;
	char err[160];
	int rc = get_ok(v, path, deadline, &r);
	if (rc < 0)
		return rc;
	rc = atlas_decode_results(r.body, r.len, v->q, clock_mono(), clock_wall(), wall_floor, out,
	                          n, err, sizeof err);
	http_resp_free(&r);
	if (rc < 0)
		return vantage_fail(v, rc, "RIPE Atlas: the answer to GET %s: %s", path, err);
	return PW_OK;
}

static size_t distinct_probes(const struct vantage_result *res, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(res[j].probe.id, res[i].probe.id) == 0;
		k += !seen;
	}
	return k;
}

/* Poll the status until final, every probe reported, or the deadline.
 * *final says which; results already fetched (all in) go to *out. */
static int wait_status(struct vantage *v, long id, double deadline, double wall_floor, bool *final,
                       struct vantage_result **out, size_t *n)
{
	char path[96], rpath[96], name[64], err[160];
	double wait = ATLAS_POLL_FIRST;
	long scheduled;

	*final = false;
	snprintf(path, sizeof path, "/api/v2/measurements/%ld/", id);
	snprintf(rpath, sizeof rpath, "/api/v2/measurements/%ld/results/", id);
	for (double next = clock_mono() + wait;; next = clock_mono() + wait) {
		struct http_resp r;
		int rc;
		if (!vantage_sleep_until(v, next < deadline ? next : deadline))
			return vantage_fail(v, PW_ECANCELLED, "RIPE Atlas: interrupted");
		if (clock_mono() >= deadline)
			return PW_OK;
		if ((rc = get_ok(v, path, deadline, &r)) == PW_EPENDING)
			return PW_OK;
		if (rc < 0)
			return rc;
		rc = atlas_decode_status(r.body, r.len, name, sizeof name, &scheduled, err,
		                         sizeof err);
		http_resp_free(&r);
		if (rc < 0)
			return vantage_fail(v, rc, "RIPE Atlas: the answer to GET %s: %s", path,
			                    err);
		if (strcmp(name, "No suitable probes") == 0)
			return vantage_fail(
			        v, PW_ENOPROBES,
			        "RIPE Atlas: measurement %ld: No suitable probes: no probe "
			        "matched %s%s",
			        id, v->cfg.from ? "--from " : "the sources asked for",
			        v->cfg.from ? v->cfg.from : "");
		if (strcmp(name, "Failed") == 0)
			return vantage_fail(v, PW_EHTTP, "RIPE Atlas: measurement %ld failed", id);
		if (atlas_status_final(name)) {
			*final = true;
			return PW_OK;
		}
		/* A one-off stays Ongoing for a while after the last probe
		 * reported: look whether every scheduled one has. */
		if (scheduled > 0) {
			if ((rc = results(v, rpath, deadline, wall_floor, out, n)) < 0 &&
			    rc != PW_EPENDING)
				return rc;
			if (rc == 0 && distinct_probes(*out, *n) >= (size_t)scheduled) {
				*final = true;
				return PW_OK;
			}
			vantage_results_free(*out, *n);
			*out = NULL;
			*n = 0;
		}
		wait = wait * 1.5 < ATLAS_POLL_MAX ? wait * 1.5 : ATLAS_POLL_MAX;
	}
}

static int atlas_measure(struct vantage *v, const size_t *rows, size_t nrows,
                         struct vantage_result **out, size_t *n)
{
	double deadline = clock_mono() + v->deadline, wall_floor = clock_wall() - WALL_SLACK;
	char rpath[96], d[32];
	bool final;
	long id;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = create(v, rows, nrows, deadline, &id)) < 0)
		return rc;
	if ((rc = wait_status(v, id, deadline, wall_floor, &final, out, n)) < 0)
		return rc;
	if (*out != NULL)
		return PW_OK;
	snprintf(rpath, sizeof rpath, "/api/v2/measurements/%ld/results/", id);
	if ((rc = results(v, rpath, final ? deadline + RESULTS_GRACE : clock_mono() + RESULTS_GRACE,
	                  wall_floor, out, n)) < 0)
		return rc;
	if (!final && *n == 0)
		return vantage_fail(v, PW_EPENDING,
		                    "RIPE Atlas: measurement %ld still in progress after %s, no "
		                    "result yet (the deadline is 150 times --timeout)",
		                    id, duration_format(v->deadline, d, sizeof d));
	if (!final)
		warnf("RIPE Atlas: measurement %ld still in progress after %s: taking the %zu "
		      "result%s in so far",
		      id, duration_format(v->deadline, d, sizeof d), *n, *n == 1 ? "" : "s");
	return PW_OK;
}

/* Each probe's country and ASN, which results do not carry. */
static void atlas_describe(struct vantage *v, struct vantage_result *res, size_t n)
{
	for (size_t i = 0; i < n && !vantage_stopped(v); i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(res[j].probe.id, res[i].probe.id) == 0;
		if (seen)
			continue;
		char path[64];
		struct http_resp r;
		snprintf(path, sizeof path, "/api/v2/probes/%s/", res[i].probe.id);
		if (vantage_call(v, "GET", path, NULL, clock_mono() + VANTAGE_REQ_TIMEOUT, &r) <
		    0) {
			infof("%s", v->why);
			continue;
		}
		struct vantage_probe p = res[i].probe;
		if (r.status == 200 && atlas_decode_probe(r.body, r.len, v->cfg.family, &p) == 0) {
			for (size_t j = i; j < n; j++)
				if (strcmp(res[j].probe.id, p.id) == 0) {
					memcpy(res[j].probe.country, p.country, sizeof p.country);
					res[j].probe.asn = p.asn;
				}
		} else {
			infof("RIPE Atlas: GET %s: HTTP %ld: country and ASN unknown", path,
			      r.status);
		}
		http_resp_free(&r);
	}
}

static long atlas_credits(struct vantage *v)
{
	struct http_resp r;
	long c = -1;
	if (v->auth == NULL ||
	    vantage_call(v, "GET", "/api/v2/credits/", NULL, clock_mono() + 10.0, &r) < 0)
		return -1;
	if (r.status == 200)
		c = atlas_decode_credits(r.body, r.len);
	http_resp_free(&r);
	return c;
}

const struct vantage_ops vantage_atlas_ops = {
	.default_url = "https://atlas.ripe.net",
	.auth_scheme = "Key",
	.cred_env = "RIPE_ATLAS_KEY",
	.cred_option = "--key-file",
	.whole_rounds = false,
	.measure = atlas_measure,
	.describe = atlas_describe,
	.credits = atlas_credits,
};
