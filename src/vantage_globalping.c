/*
 * vantage_globalping.c -- a Globalping measurement: POST /v1/measurements,
 * then GET /v1/measurements/{id} no more often than every 500 ms (the
 * spec's guideline: each poll waits that long after the last answer) until
 * its status is final or the deadline passes.
 *
 * Later rounds pass the first measurement's id as `locations`, which asks
 * the same probes again and returns them in the same order; a probe gone
 * since is reported "offline". The first measurement is the one asked,
 * not the previous one: a probe missing from one round is asked again in
 * the next. A token goes as "Authorization: Bearer TOKEN".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "error.h"
#include "msg.h"
#include "vantage_int.h"

static int pending(struct vantage *v, const char *id)
{
	char d[32], t[32];
	return vantage_fail(v, PW_EPENDING,
	                    "Globalping: measurement %s still in progress after %s (the deadline "
	                    "is 15 times --timeout %s)",
	                    id, duration_format(v->deadline, d, sizeof d),
	                    duration_format(v->cfg.timeout, t, sizeof t));
}

/* Create the measurement; its id into v->last_id. */
static int create(struct vantage *v, bool again, double deadline)
{
	struct http_resp r;
	char err[160], lim[160];
	long probes;
	char *body = gp_request(v->q, again ? NULL : v->from_json, again ? v->first_id : NULL,
	                        v->cfg.probes, v->cfg.resolver);
	if (body == NULL)
		return vantage_fail(v, PW_ENOMEM, "%s", pw_strerror(PW_ENOMEM));
	int rc = vantage_call(v, "POST", "/v1/measurements", body, deadline, &r);
	free(body);
	if (rc < 0)
		return rc;
	if (r.status < 200 || r.status >= 300) {
		if (again && r.status == 422)
			rc = vantage_fail(v, PW_EHTTP,
			                  "Globalping: measurement %s, whose probes are the rows, "
			                  "expired: they cannot be asked again",
			                  v->first_id);
		else
			rc = vantage_refused(v, "POST /v1/measurements", &r);
		http_resp_free(&r);
		return rc;
	}
	char id[64];
	rc = gp_decode_created(r.body, r.len, id, sizeof id, &probes, err, sizeof err);
	http_resp_free(&r);
	if (rc < 0)
		return vantage_fail(v, rc, "Globalping: the answer to POST /v1/measurements: %s",
		                    err);
	snprintf(v->last_id, sizeof v->last_id, "%s", id);
	v->measurements++;
	vantage_limits_text(&v->lim, lim, sizeof lim);
	infof("Globalping: measurement %s on %ld probes%s%s", id, probes, lim[0] ? "; " : "", lim);
	return PW_OK;
}

static int gp_measure(struct vantage *v, const size_t *rows, size_t nrows,
                      struct vantage_result **out, size_t *n)
{
	double deadline = clock_mono() + v->deadline;
	struct http_resp r;
	char path[128], err[160];
	int rc;

	(void)nrows; /* the id asks all of them: rounds are whole */
	*out = NULL;
	*n = 0;
	if ((rc = create(v, rows != NULL, deadline)) < 0)
		return rc;
	snprintf(path, sizeof path, "/v1/measurements/%s", v->last_id);
	for (double next = clock_mono() + GP_POLL_MIN;;) {
		if (!vantage_sleep_until(v, next))
			return vantage_fail(v, PW_ECANCELLED, "Globalping: interrupted");
		if (clock_mono() >= deadline)
			return pending(v, v->last_id);
		rc = vantage_call(v, "GET", path, NULL, deadline, &r);
		if (rc == PW_EPENDING)
			return pending(v, v->last_id);
		if (rc < 0)
			return rc;
		next = clock_mono() + GP_POLL_MIN;
		if (r.status != 200) {
			char what[160];
			snprintf(what, sizeof what, "GET %s", path);
			rc = vantage_refused(v, what, &r);
			http_resp_free(&r);
			return rc;
		}
		bool done;
		rc = gp_decode_measurement(r.body, r.len, v->q, clock_mono(), &done, out, n, err,
		                           sizeof err);
		http_resp_free(&r);
		if (rc < 0)
			return vantage_fail(v, rc, "Globalping: the answer to GET %s: %s", path,
			                    err);
		if (done)
			return PW_OK;
	}
}

static void gp_describe(struct vantage *v, struct vantage_result *res, size_t n)
{
	(void)v, (void)res, (void)n; /* results name their probes in full */
}

const struct vantage_ops vantage_globalping_ops = {
	.default_url = "https://api.globalping.io",
	.auth_scheme = "Bearer",
	.cred_env = "GLOBALPING_TOKEN",
	.cred_option = "--token-file",
	.whole_rounds = true,
	.measure = gp_measure,
	.describe = gp_describe,
	.credits = NULL,
};
