/*
 * tracker_fleet.c -- the fleet as a whole: variants, the verdict, the
 * fleet ETA, and whether --wait can still succeed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "duration.h"
#include "error.h"
#include "tracker.h"

static int cmp_variant(const void *x, const void *y)
{
	const struct variant *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->is_new != b->is_new)
		return a->is_new ? -1 : 1;
	if (a->rcode != b->rcode)
		return a->rcode - b->rcode;
	return strcmp(a->key, b->key);
}

static int same_variant(const struct variant *v, const struct answer *a)
{
	return v->rcode == a->rcode && strcmp(v->key, a->key) == 0;
}

/* Group usable answers into variants, most common first (new first on
 * ties), and give every row its variant's index. */
static int build_variants(struct tracker *t)
{
	struct variant *v = NULL;
	size_t nv = 0;

	/* Few distinct answers are the norm, so a linear scan beats a hash. */
	for (size_t i = 0; i < t->n; i++) {
		struct track_row *r = &t->rows[i];
		size_t k;
		r->variant = -1;
		if (!status_usable(r->status))
			continue;
		for (k = 0; k < nv && !same_variant(&v[k], &r->ans); k++)
			;
		if (k == nv) {
			struct variant *nvv = realloc(v, (nv + 1) * sizeof *v);
			if (nvv == NULL) {
				free(v);
				return PW_ENOMEM;
			}
			v = nvv;
			v[nv++] = (struct variant){
				r->ans.rcode,    r->ans.key, r->ans.records,
				r->ans.nrecords, 0,          r->status == ST_NEW
			};
		}
		v[k].count++;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, cmp_variant);
	for (size_t i = 0; i < t->n; i++) {
		struct track_row *r = &t->rows[i];
		for (size_t k = 0; status_usable(r->status) && k < nv; k++)
			if (same_variant(&v[k], &r->ans))
				r->variant = (int)k;
	}
	free(t->variants);
	t->variants = v;
	t->nvariants = nv;
	return PW_OK;
}

/* The moment the last old answer any cache holds should expire. */
static void fleet_eta(struct tracker *t)
{
	t->eta_latest = -1;
	t->eta_unknown = 0;
	if (t->truth.source == EXP_NONE)
		return;
	for (size_t i = 0; i < t->n; i++) {
		const struct ttl_track *k = &t->rows[i].track;
		if (!k->seen || k->is_new)
			continue;
		if (k->ttl < 0)
			t->eta_unknown++;
		else if (k->expires > t->eta_latest)
			t->eta_latest = k->expires;
	}
}

int tracker_evaluate(struct tracker *t)
{
	if (t->eval_version == t->version)
		return PW_OK;
	int rc = build_variants(t);
	if (rc < 0)
		return rc;
	struct summary *s = &t->sum;
	memset(s, 0, sizeof *s);
	s->total = t->n;
	memcpy(s->count, t->count, sizeof s->count);
	bool truth = t->truth.source != EXP_NONE;
	gate_decide(s, truth, &t->cfg.threshold, t->cfg.min_answers);
	if (!truth && t->truth.problem[0])
		snprintf(s->why, sizeof s->why, "no ground truth: %s", t->truth.problem);
	else if (!truth && !t->have_truth)
		snprintf(s->why, sizeof s->why, "no ground truth yet");
	fleet_eta(t);
	t->eval_version = t->version;
	return PW_OK;
}

bool tracker_hopeless(const struct tracker *t, double now, double deadline, char *note, size_t len)
{
	const struct summary *sm = &t->sum;
	size_t could = sm->count[ST_NEW], late = 0;
	double latest = 0;

	if (t->truth.source == EXP_NONE)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		enum pw_status st = t->rows[i].status;
		if (!status_usable(st) || st == ST_NEW)
			continue;
		double eta = tracker_eta(t, i, now);
		/* After a jump (stale serve or refetch, not yet told apart) the
		 * new answer may come at the next look: no reason to give up. */
		if (eta < 0 || t->rows[i].track.jumped ||
		    now + eta + TTL_REQUERY_SLACK <= deadline) {
			could++;
		} else {
			late++;
			if (eta > latest)
				latest = eta;
		}
	}
	if (late == 0 || (double)could >= gate_need(&t->cfg.threshold, sm->usable))
		return false;
	char in[32], at[32];
	time_t when = (time_t)ceil(clock_wall_at(now + latest));
	struct tm tm;
	strftime(at, sizeof at, "%H:%M:%S", localtime_r(&when, &tm));
	snprintf(note, len,
	         "gave up early: %zu cache%s still hold%s the old answer past the --wait deadline "
	         "(the last expires at %s, in %s)",
	         late, late == 1 ? "" : "s", late == 1 ? "s" : "", at,
	         duration_format(latest, in, sizeof in));
	return true;
}

static int cmp_country(const void *x, const void *y)
{
	return strcmp(((const struct country_share *)x)->country,
	              ((const struct country_share *)y)->country);
}

size_t tracker_countries(const struct tracker *t, struct country_share *out, size_t max)
{
	struct country_share *all = calloc(t->n ? t->n : 1, sizeof *all);
	size_t n = 0;

	if (all == NULL)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		const char *cc = t->cfg.list->v[i].country;
		size_t k;
		for (k = 0; k < n && strcmp(all[k].country, cc) != 0; k++)
			;
		if (k == n)
			snprintf(all[n++].country, sizeof all->country, "%s", cc);
		all[k].rows++;
		all[k].fresh += t->rows[i].status == ST_NEW;
		all[k].usable += status_usable(t->rows[i].status);
	}
	qsort(all, n, sizeof *all, cmp_country);
	for (size_t k = 0; k < n; k++) {
		all[k].share = all[k].usable ? 100.0 * (double)all[k].fresh / (double)all[k].usable
		                             : 0;
		if (k < max)
			out[k] = all[k];
	}
	free(all);
	return n;
}
