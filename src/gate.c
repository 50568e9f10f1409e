/*
 * gate.c -- count statuses and apply the threshold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gate.h"

int threshold_parse(const char *s, struct threshold *t)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v) || v < 0)
		return PW_EINVAL;
	if (*end == '%' && end[1] == '\0') {
		if (v > 100)
			return PW_ERANGE;
		t->percent = true;
	} else if (*end == '\0') {
		if (v != floor(v))
			return PW_EINVAL;
		t->percent = false;
	} else {
		return PW_EINVAL;
	}
	t->value = v;
	return PW_OK;
}

double gate_need(const struct threshold *t, size_t usable)
{
	/* Compare counts, not rounded shares, so 100% means every one. */
	return t->percent ? ceil(t->value * (double)usable / 100.0 - 1e-9) : t->value;
}

void gate_decide(struct summary *s, bool has_truth, const struct threshold *t, size_t min_answers)
{
	s->usable = 0;
	for (int st = 0; st < ST_COUNT; st++)
		if (status_usable((enum pw_status)st))
			s->usable += s->count[st];
	size_t fresh = s->count[ST_NEW];
	s->share = s->usable ? 100.0 * (double)fresh / (double)s->usable : 0;
	s->propagated = false;
	s->why[0] = '\0';

	if (!has_truth) {
		s->exit_code = EXIT_UNDECIDABLE;
		snprintf(s->why, sizeof s->why, "no ground truth");
	} else if (s->usable < min_answers || s->usable == 0) {
		s->exit_code = EXIT_UNDECIDABLE;
		snprintf(s->why, sizeof s->why, "only %zu usable answer%s (need %zu)", s->usable,
		         s->usable == 1 ? "" : "s", min_answers ? min_answers : 1);
	} else {
		double need = gate_need(t, s->usable);
		s->propagated = (double)fresh >= need;
		s->exit_code = s->propagated ? EXIT_PROPAGATED : EXIT_NOT_PROPAGATED;
		if (!s->propagated)
			snprintf(s->why, sizeof s->why,
			         "%zu of %zu usable answers are new, need %.0f", fresh, s->usable,
			         need);
	}
	s->verdict = s->exit_code == EXIT_PROPAGATED       ? "propagated"
	             : s->exit_code == EXIT_NOT_PROPAGATED ? "not propagated"
	                                                   : "undecidable";
}
