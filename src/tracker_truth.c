/*
 * tracker_truth.c -- the one refresh policy for the ground truth.
 *
 * --expect is fixed for the whole run. Otherwise the zone's servers are
 * looked at as soon as a few resolvers have answered (discovery then goes
 * through resolvers known to answer) and again every --interval. The
 * servers a discovery found are asked directly the next REDISCOVER_EVERY-1
 * times: NS changes are rare, and the search costs several rounds of
 * queries. A failed look keeps the last good truth in force (and says so)
 * and makes the next look a discovery.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "tracker.h"
#include "tracker_int.h"

#define REDISCOVER_EVERY 12

bool tracker_truth_due(const struct tracker *t, double now)
{
	return !t->truth_busy && t->truth_due <= now;
}

bool tracker_truth_ready(const struct tracker *t, double now, double *wait_until)
{
	if (wait_until != NULL)
		*wait_until = t->truth_busy ? INFINITY : t->truth_due;
	if (!tracker_truth_due(t, now))
		return false;
	if (t->rounds > 0)
		return true;
	size_t usable = 0, want = t->n < TRACK_TRUTH_VIA ? t->n : TRACK_TRUTH_VIA;
	for (int s = 0; s < ST_COUNT; s++)
		if (status_usable((enum pw_status)s))
			usable += t->count[s];
	/* cppcheck-suppress knownConditionTrueFalse ; want is 0 only with no rows */
	if (usable > 0 && (usable >= want || now >= t->first_usable_at + TRACK_TRUTH_GRACE))
		return true;
	if (wait_until != NULL)
		*wait_until = usable > 0 ? t->first_usable_at + TRACK_TRUTH_GRACE : INFINITY;
	return false;
}

const struct auth_server *tracker_truth_servers(const struct tracker *t, size_t *n)
{
	if (t->cfg.nauth > 0) {
		*n = t->cfg.nauth;
		return t->cfg.auth;
	}
	if (t->nns_cache > 0 && t->truth_fetches % REDISCOVER_EVERY != 0) {
		*n = t->nns_cache;
		return t->ns_cache;
	}
	*n = 0;
	return NULL;
}

static void forget_servers(struct tracker *t)
{
	for (size_t i = 0; i < t->nns_cache; i++)
		free(t->ns_cache[i].name);
	free(t->ns_cache);
	t->ns_cache = NULL;
	t->nns_cache = 0;
}

/* Remember the servers of a good look, to ask them directly next time. */
static void keep_servers(struct tracker *t, const struct expected *e)
{
	forget_servers(t);
	if (t->cfg.nauth > 0 || e->nauth == 0 ||
	    (t->ns_cache = calloc(e->nauth, sizeof *t->ns_cache)) == NULL)
		return;
	for (size_t i = 0; i < e->nauth; i++) {
		t->ns_cache[i].addr = e->auth[i].addr;
		if ((t->ns_cache[i].name = strdup(e->auth[i].name ? e->auth[i].name : "")) == NULL)
			break;
		t->nns_cache++;
	}
}

/* Every row again against the truth now in force: statuses, and which
 * TTL tracks hold the new answer. */
static void rederive(struct tracker *t, double now)
{
	for (size_t i = 0; i < t->n; i++) {
		struct track_row *r = &t->rows[i];
		tracker_set_status(t, i, compare_status(&r->ans, &t->truth), now);
		const struct ttl_track *k = &r->track;
		if (k->seen)
			ttl_rejudge(&r->track,
			            compare_key_is_new(k->rcode, k->key ? k->key : "", k->positive,
			                               &t->truth),
			            now);
		r->version = t->version + 1;
	}
}

void tracker_truth_install(struct tracker *t, struct expected *fresh, double now)
{
	t->truth_fetches++;
	t->truth_busy = false;
	t->truth_due = t->cfg.user_expect != NULL ? INFINITY : now + t->cfg.interval;
	if (fresh->source == EXP_NONE && t->have_truth && t->truth.source != EXP_NONE) {
		char when[32];
		time_t w = (time_t)clock_wall_at(t->truth_at);
		struct tm tm;
		strftime(when, sizeof when, "%H:%M:%S", localtime_r(&w, &tm));
		snprintf(t->note, sizeof t->note, "%s; still using the answer seen at %s",
		         fresh->problem[0] ? fresh->problem : "no ground truth", when);
		expected_free(fresh);
		forget_servers(t);
		t->version++;
		return;
	}
	bool changed = !t->have_truth || expected_differs(&t->truth, fresh);
	bool was_real = t->have_truth && t->truth.source != EXP_NONE;
	if (fresh->source == EXP_AUTH)
		keep_servers(t, fresh);
	else
		forget_servers(t);
	expected_free(&t->truth);
	t->truth = *fresh;
	memset(fresh, 0, sizeof *fresh);
	t->have_truth = true;
	t->truth_at = now;
	snprintf(t->note, sizeof t->note, "%s", t->truth.problem);
	if (changed) {
		if (was_real)
			t->truth_changes++;
		rederive(t, now);
		/* Every schedule was made against the old truth: ask everyone
		 * again rather than wait for TTLs that no longer matter. */
		if (was_real)
			tracker_kick(t, now);
		tracker_sample(t, now);
	}
	t->version++;
}
