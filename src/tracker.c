/*
 * tracker.c -- rows: taking answers in, deriving their status, reading
 * them out, and copying the model for another thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "query.h"
#include "reslist.h"
#include "tracker.h"
#include "tracker_int.h"

/* Answers within this many seconds make one point of the timeline. */
#define TIMELINE_MERGE 0.25

const struct expected tracker_no_truth = { .source = EXP_NONE, .rcode = -1, .auth_ttl = -1 };

static void row_init(struct track_row *r, double now)
{
	memset(r, 0, sizeof *r);
	answer_init(&r->ans);
	ttl_track_init(&r->track);
	r->variant = -1;
	r->last_ask = -1;
	r->changed_at = -1;
	r->next_due = now;
}

static void row_free(struct track_row *r)
{
	answer_free(&r->ans);
	ttl_track_free(&r->track);
	free(r->hist);
	r->hist = NULL;
	r->hist_cap = 0;
}

/* Room for one more change: the ring doubles until TRACK_HISTORY, and only
 * before it first wraps, so its order holds. Without memory it wraps at
 * the room it has (or keeps no history at all). */
static void hist_grow(struct track_row *r)
{
	if (r->nchanges != r->hist_cap || r->hist_cap >= TRACK_HISTORY)
		return;
	unsigned cap = r->hist_cap ? r->hist_cap * 2 : 1;
	struct track_change *h = realloc(r->hist, cap * sizeof *h);
	if (h != NULL) {
		r->hist = h;
		r->hist_cap = cap;
	}
}

int tracker_init(struct tracker *t, const struct tracker_cfg *cfg, double now)
{
	memset(t, 0, sizeof *t);
	t->cfg = *cfg;
	t->n = cfg->list->n;
	t->rows = calloc(t->n ? t->n : 1, sizeof *t->rows);
	t->timeline = calloc(TRACK_TIMELINE, sizeof *t->timeline);
	if (t->rows == NULL || t->timeline == NULL) {
		tracker_free(t);
		return PW_ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++)
		row_init(&t->rows[i], now);
	t->count[ST_PENDING] = t->n;
	t->start = now;
	t->truth_at = -1;
	t->first_usable_at = -1;
	t->eta_latest = -1;
	t->truth = tracker_no_truth;
	if (cfg->user_expect != NULL) {
		if (expected_copy(&t->truth, cfg->user_expect) < 0) {
			tracker_free(t);
			return PW_ENOMEM;
		}
		t->have_truth = true;
		t->truth_at = now;
		t->truth_due = INFINITY;
	} else {
		t->truth_due = now;
	}
	t->version = 1;
	return PW_OK;
}

void tracker_free(struct tracker *t)
{
	for (size_t i = 0; t->rows != NULL && i < t->n; i++)
		row_free(&t->rows[i]);
	free(t->rows);
	free(t->timeline);
	free(t->variants);
	for (size_t i = 0; i < t->nns_cache; i++)
		free(t->ns_cache[i].name);
	free(t->ns_cache);
	expected_free(&t->truth);
	memset(t, 0, sizeof *t);
}

/* Add a timeline point for the counts now. */
void tracker_sample(struct tracker *t, double now)
{
	size_t usable = t->count[ST_NEW] + t->count[ST_STALE] + t->count[ST_NXDOMAIN] +
	                t->count[ST_NODATA];
	if (usable == 0 && t->ntimeline == 0)
		return; /* nothing to plot before the first usable answer */
	struct track_sample p = { now,
		                  usable ? 100.0 * (double)t->count[ST_NEW] / (double)usable : 0,
		                  t->count[ST_NEW], usable };
	size_t n = t->ntimeline;
	const struct track_sample *last = n >= 1 ? &t->timeline[(n - 1) % TRACK_TIMELINE] : NULL;
	const struct track_sample *prev = n >= 2 ? &t->timeline[(n - 2) % TRACK_TIMELINE] : NULL;
	if (last != NULL && now - last->at < TIMELINE_MERGE &&
	    (prev == NULL || now - prev->at >= TIMELINE_MERGE)) {
		/* A round's answers come within milliseconds: one point for all
		 * of them, keeping the point before the round as it was. */
		t->timeline[(n - 1) % TRACK_TIMELINE] = p;
		return;
	}
	t->timeline[n % TRACK_TIMELINE] = p;
	t->ntimeline++;
}

/* Row i's status is now s (derived at `at`): count it, remember a change. */
void tracker_set_status(struct tracker *t, size_t i, enum pw_status s, double at)
{
	struct track_row *r = &t->rows[i];
	enum pw_status before = r->status;

	r->status = s;
	t->count[before]--;
	t->count[s]++;
	if (s == before)
		return;
	r->changed_at = at;
	hist_grow(r);
	if (r->hist_cap > 0)
		r->hist[r->nchanges % r->hist_cap] =
		        (struct track_change){ at, before, s, answer_cache_ttl(&r->ans) };
	r->nchanges++;
}

void tracker_asked(struct tracker *t, size_t i, double now)
{
	struct track_row *r = &t->rows[i];
	t->nbusy += !r->busy;
	r->busy = true;
	r->last_ask = now;
	r->asked++;
	t->asked++;
	r->version = ++t->version;
}

void tracker_post(struct tracker *t, size_t i, struct answer *a, double now)
{
	struct track_row *r = &t->rows[i];

	answer_free(&r->ans);
	r->ans = *a;
	answer_init(a); /* the caller's copy no longer owns the strings */
	double at = r->ans.at > 0 ? r->ans.at : now;
	tracker_set_status(t, i, compare_status(&r->ans, &t->truth), at);
	if (t->first_usable_at < 0 && status_usable(r->status))
		t->first_usable_at = now;
	ttl_observe(&r->track, &r->ans, r->status == ST_NEW, t->truth.auth_ttl, at);
	t->nbusy -= r->busy;
	r->busy = false;
	if (r->ans.case_fallback)
		r->no_0x20 = true;
	r->next_due = ttl_next_due(&r->track, r->last_ask >= 0 ? r->last_ask : now, t->cfg.interval,
	                           t->cfg.min_gap);
	tracker_sample(t, now);
	r->version = ++t->version;
}

void tracker_round_done(struct tracker *t, unsigned long dropped, unsigned long stray,
                        unsigned long ports)
{
	t->rounds++;
	t->dropped += dropped;
	t->stray += stray;
	t->ports += ports;
	t->version++;
}

/* ---- accessors ---------------------------------------------------------- */

const char *group_name(enum pw_group g)
{
	static const char *const names[PW_NGROUPS] = { "new", "stale", "negative", "failing",
		                                       "pending" };
	return (unsigned)g < PW_NGROUPS ? names[g] : "?";
}

enum pw_group status_group(enum pw_status s)
{
	switch (s) {
	case ST_NEW: return GRP_NEW;
	case ST_STALE: return GRP_STALE;
	case ST_NXDOMAIN:
	case ST_NODATA: return GRP_NEGATIVE;
	case ST_PENDING: return GRP_PENDING;
	default: return GRP_FAILING;
	}
}

const struct answer *tracker_answer(const struct tracker *t, size_t i)
{
	return &t->rows[i].ans;
}

enum pw_status tracker_status(const struct tracker *t, size_t i)
{
	return t->rows[i].status;
}

const char *tracker_site(const struct tracker *t, size_t i)
{
	const struct answer *a = &t->rows[i].ans;
	return a->outcome == OUT_REPLY && a->edns.nsid != NULL && a->edns.nsid[0] != '\0'
	               ? a->edns.nsid
	               : NULL;
}

enum pw_group tracker_group(const struct tracker *t, size_t i)
{
	return status_group(t->rows[i].status);
}

int tracker_variant(const struct tracker *t, size_t i)
{
	return t->rows[i].variant;
}

double tracker_ttl_left(const struct tracker *t, size_t i, double now)
{
	const struct answer *a = &t->rows[i].ans;
	long ttl = answer_cache_ttl(a);
	if (!answer_usable(a) || ttl < 0 || a->at <= 0)
		return -1;
	double left = (double)ttl - (now - a->at);
	return left > 0 ? left : 0;
}

double tracker_eta(const struct tracker *t, size_t i, double now)
{
	if (t->truth.source == EXP_NONE)
		return -1; /* without truth, old and new cannot be told apart */
	return ttl_eta(&t->rows[i].track, now);
}

unsigned tracker_anomalies(const struct tracker *t, size_t i)
{
	return t->rows[i].track.anomalies;
}

const struct ttl_track *tracker_track(const struct tracker *t, size_t i)
{
	return &t->rows[i].track;
}

const struct track_row *tracker_row(const struct tracker *t, size_t i)
{
	return &t->rows[i];
}

const struct track_change *tracker_change(const struct track_row *r, size_t back)
{
	size_t kept = r->nchanges < r->hist_cap ? r->nchanges : r->hist_cap;
	/* cppcheck-suppress knownConditionTrueFalse ; it follows one caller's first call only */
	if (back >= kept)
		return NULL;
	return &r->hist[(r->nchanges - 1 - back) % r->hist_cap];
}

const struct expected *tracker_truth(const struct tracker *t)
{
	return &t->truth;
}

size_t tracker_busy(const struct tracker *t)
{
	return t->nbusy;
}

bool tracker_truth_busy(const struct tracker *t)
{
	return t->truth_busy;
}

const struct summary *tracker_summary(const struct tracker *t)
{
	return &t->sum;
}

const struct variant *tracker_variants(const struct tracker *t, size_t *n)
{
	*n = t->nvariants;
	return t->variants;
}

double tracker_fleet_eta(const struct tracker *t, double now)
{
	if (t->eta_latest < 0)
		return -1;
	return t->eta_latest > now ? t->eta_latest - now : 0;
}

size_t tracker_eta_unknown(const struct tracker *t)
{
	return t->eta_unknown;
}

size_t tracker_timeline_len(const struct tracker *t)
{
	return t->ntimeline < TRACK_TIMELINE ? t->ntimeline : TRACK_TIMELINE;
}

const struct track_sample *tracker_timeline(const struct tracker *t, size_t i)
{
	size_t first = t->ntimeline < TRACK_TIMELINE ? 0 : t->ntimeline - TRACK_TIMELINE;
	return &t->timeline[(first + i) % TRACK_TIMELINE];
}

/* ---- copies ------------------------------------------------------------- */

static int copy_row(struct track_row *dst, const struct track_row *src)
{
	struct answer a;
	char *key = NULL;
	struct track_change *hist = NULL;
	if (answer_copy(&a, &src->ans) < 0 ||
	    (src->track.key != NULL && (key = strdup(src->track.key)) == NULL) ||
	    (src->hist_cap > 0 && (hist = malloc(src->hist_cap * sizeof *hist)) == NULL)) {
		answer_free(&a);
		free(key);
		return PW_ENOMEM;
	}
	if (hist != NULL)
		memcpy(hist, src->hist, src->hist_cap * sizeof *hist);
	row_free(dst);
	*dst = *src;
	dst->ans = a;
	dst->track.key = key;
	dst->hist = hist;
	return PW_OK;
}

int tracker_copy(struct tracker *dst, const struct tracker *src)
{
	if (dst->rows != NULL && dst->version == src->version)
		return 0;
	if (dst->rows == NULL) {
		memset(dst, 0, sizeof *dst);
		dst->rows = calloc(src->n ? src->n : 1, sizeof *dst->rows);
		dst->timeline = calloc(TRACK_TIMELINE, sizeof *dst->timeline);
		if (dst->rows == NULL || dst->timeline == NULL)
			goto nomem;
		for (size_t i = 0; i < src->n; i++)
			row_init(&dst->rows[i], 0);
		dst->n = src->n;
		dst->truth = tracker_no_truth;
	}
	unsigned long seen = dst->version;
	for (size_t i = 0; i < src->n; i++)
		if (src->rows[i].version > seen && copy_row(&dst->rows[i], &src->rows[i]) < 0)
			goto nomem;
	if (dst->truth_at != src->truth_at || dst->truth_changes != src->truth_changes ||
	    dst->have_truth != src->have_truth) {
		struct expected e;
		if (expected_copy(&e, &src->truth) < 0)
			goto nomem;
		expected_free(&dst->truth);
		dst->truth = e;
	}
	/* Everything else is plain data; the pointers stay dst's own. */
	struct track_row *rows = dst->rows;
	struct track_sample *timeline = dst->timeline;
	struct variant *variants = dst->variants;
	struct expected truth = dst->truth;
	struct auth_server *ns = dst->ns_cache;
	*dst = *src;
	dst->rows = rows;
	dst->timeline = timeline;
	memcpy(dst->timeline, src->timeline, TRACK_TIMELINE * sizeof *timeline);
	dst->variants = variants;
	dst->nvariants = 0;
	dst->truth = truth;
	dst->ns_cache = ns;
	dst->nns_cache = 0; /* the copy never schedules */
	dst->eval_version = 0;
	return 1;
nomem:
	tracker_free(dst);
	return PW_ENOMEM;
}
