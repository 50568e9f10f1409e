/*
 * ttl.c -- TTL tracking: ETAs, anomalies, when to ask again.
 *
 * Cached TTLs are whole seconds counted down by the resolver, so two
 * observations of one cached answer satisfy ttl2 ~= ttl1 - elapsed within
 * rounding. Anything else says the cache did something: refetched (TTL up
 * after expiry), never counted down (TTL up before expiry), or kept serving
 * past expiry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "ttl.h"

/* Whole-second TTLs and query latency blur a countdown by about this much. */
#define ROUNDING 1.5

static const char *const anomaly_names[ANOM_COUNT] = {
	"ttl-above-auth", "ttl-capped", "no-countdown", "serve-stale", "ttl-reset",
};

const char *ttl_anomaly_name(int bit)
{
	return bit >= 0 && bit < ANOM_COUNT ? anomaly_names[bit] : "?";
}

const char *ttl_anomaly_str(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int b = 0; b < ANOM_COUNT; b++) {
		if (!(mask & (1u << b)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", anomaly_names[b]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

void ttl_track_init(struct ttl_track *t)
{
	memset(t, 0, sizeof *t);
	t->ttl = -1;
	t->rcode = -1;
	t->flipped_at = -1;
	t->predicted = -1;
	t->ttl_min_seen = t->ttl_max_seen = -1;
}

void ttl_track_free(struct ttl_track *t)
{
	free(t->key);
	t->key = NULL;
}

/* The observed answer is the one already tracked: compare TTLs. */
static void judge_countdown(struct ttl_track *t, long ttl, bool is_new, long auth_ttl, double now)
{
	double remaining = (double)t->ttl - (now - t->at);

	if ((double)ttl > remaining + ROUNDING) {
		if (remaining > ROUNDING) {
			/* Should still be cached and counting: it is not. A pool
			 * of caches behind one address looks the same; the
			 * min/max spread tells them apart in the output. */
			if (now - t->at >= 2.0)
				t->anomalies |= ANOM_NO_COUNTDOWN;
		} else if (!is_new) {
			/* Expired, yet the old answer is back with a fresh TTL.
			 * A small made-up TTL is a serve-stale answer. A full
			 * one is either a refetch from an upstream that still
			 * serves the old zone, or a serve-stale answer whose
			 * TTL happens to equal the record's (unbound's 30 s):
			 * the next look tells them apart (ttl_observe). */
			if ((double)ttl < 0.5 * (double)t->ttl_max_seen)
				t->anomalies |= ANOM_SERVE_STALE;
			else
				t->jumped = true;
		} else if (auth_ttl > 0 && ttl >= 2) {
			/* A real refetch (TTL 0 or 1 past expiry is a stale
			 * serve). Another client may have caused it, at the
			 * earliest when the old entry expired: even that old,
			 * a capped entry started below the zone's TTL. */
			long margin = auth_ttl / 10 > 2 ? auth_ttl / 10 : 2;
			double age = now - t->expires > 0 ? now - t->expires : 0;
			if ((double)ttl + age < (double)(auth_ttl - margin))
				t->anomalies |= ANOM_TTL_CAPPED;
		}
	} else if (!is_new && remaining < -ROUNDING) {
		/* Past its expiry and still counting down from the old fetch
		 * (or stuck at 0): served stale. */
		t->anomalies |= ANOM_SERVE_STALE;
	}
}

void ttl_observe(struct ttl_track *t, const struct answer *a, bool is_new, long auth_ttl,
                 double now)
{
	if (!answer_usable(a))
		return;
	long ttl = answer_cache_ttl(a);
	bool same = t->seen && t->rcode == a->rcode && t->key != NULL &&
	            strcmp(t->key, a->key) == 0;

	if (t->jumped) {
		/* After serving stale a resolver refreshes in the background:
		 * the new answer follows. A real refetch keeps the old one. */
		if (is_new)
			t->anomalies |= ANOM_SERVE_STALE;
		else if (same)
			t->anomalies |= ANOM_TTL_RESET;
		t->jumped = false;
	}
	if (same && ttl >= 0 && t->ttl >= 0)
		judge_countdown(t, ttl, is_new, auth_ttl, now);
	if (is_new && auth_ttl >= 0 && ttl > auth_ttl)
		t->anomalies |= ANOM_TTL_ABOVE_AUTH;

	if (!same) {
		char *k = strdup(a->key);
		if (k == NULL)
			return; /* keep the old observation rather than lose the track */
		free(t->key);
		t->key = k;
		t->rcode = a->rcode;
		t->positive = a->nrecords > 0;
		t->ttl_min_seen = t->ttl_max_seen = ttl;
	} else if (ttl >= 0) {
		if (ttl < t->ttl_min_seen || t->ttl_min_seen < 0)
			t->ttl_min_seen = ttl;
		if (ttl > t->ttl_max_seen)
			t->ttl_max_seen = ttl;
	}
	if (is_new && !t->is_new && t->flipped_at < 0)
		t->flipped_at = now;
	t->seen = true;
	t->is_new = is_new;
	t->at = now;
	t->ttl = ttl;
	/* TTLs are whole seconds, rounded down by some resolvers (kresd flips
	 * up to a second after TTL n) and up by others (unbound, pdns and
	 * dnsmasq flip up to a second before): the entry goes within
	 * (n-1, n+1) s, and n is the middle. */
	t->expires = ttl >= 0 ? now + (double)ttl : now;
	if (!is_new)
		t->predicted = t->expires;
}

void ttl_rejudge(struct ttl_track *t, bool is_new, double now)
{
	if (!t->seen)
		return;
	t->is_new = is_new;
	t->jumped = false;
	t->flipped_at = is_new ? now : -1;
	t->predicted = is_new ? -1 : t->expires;
}

double ttl_eta(const struct ttl_track *t, double now)
{
	if (!t->seen || t->is_new || t->ttl < 0)
		return -1;
	return t->expires > now ? t->expires - now : 0;
}

double ttl_next_due(const struct ttl_track *t, double last_ask, double interval, double min_gap)
{
	double due = last_ask + interval;

	if (t->seen && !t->is_new && t->ttl >= 0 && t->expires + TTL_REQUERY_SLACK < due)
		due = t->expires + TTL_REQUERY_SLACK;
	if (due < last_ask + min_gap)
		due = last_ask + min_gap;
	return due;
}
