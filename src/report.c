/*
 * report.c -- from raw answers to a classified report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "report.h"
#include "reslist.h"
#include "ttl.h"

int report_build(struct report *r, const struct threshold *t, size_t min_answers)
{
	size_t n = r->list->n;

	for (size_t i = 0; i < n; i++)
		compare_classify(&r->answers[i], r->exp);
	report_free_variants(r);
	int rc = compare_variants(r->answers, n, r->exp, &r->variants, &r->nvariants);
	if (rc < 0)
		return rc;
	gate_decide(r->answers, n, r->exp->source != EXP_NONE, t, min_answers, &r->sum);
	if (r->exp->source == EXP_NONE && r->exp->problem[0])
		snprintf(r->sum.why, sizeof r->sum.why, "no ground truth: %s", r->exp->problem);
	report_eta(r);
	return 0;
}

void report_eta(struct report *r)
{
	size_t n = r->list->n;

	r->eta_max = -1;
	r->eta_unknown = 0;
	for (size_t i = 0; r->tracks != NULL && i < n; i++) {
		const struct answer *a = &r->answers[i];
		if (!status_usable(a->status) || a->status == ST_NEW)
			continue;
		double eta = ttl_eta(&r->tracks[i], r->now);
		if (eta < 0)
			r->eta_unknown++;
		else if (eta > r->eta_max)
			r->eta_max = eta;
	}
}

void report_free_variants(struct report *r)
{
	free(r->variants);
	r->variants = NULL;
	r->nvariants = 0;
}
