/*
 * setup.c -- shared start-up of check and watch.
 */
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "engine.h"
#include "error.h"
#include "gate.h"
#include "msg.h"
#include "setup.h"

/* Resolvers asked to find the zone's servers: a few answers suffice. */
#define TRUTH_VIA 8

int session_open(struct session *s, int argc, char **argv, enum pw_mode mode, int *done)
{
	struct pw_params *p = &s->params;
	char err[512];
	int rc;

	memset(s, 0, sizeof *s);
	*done = 0;
	if ((rc = params_parse(argc, argv, mode, p)) != 0)
		return rc;
	if (p->help) {
		*done = 1;
		return 0;
	}
	if ((rc = reslist_load(p->list_path, &s->list, err, sizeof err)) < 0) {
		errorf("%s", err);
		return EXIT_USAGE;
	}
	reslist_apply(&s->list, &p->filter);
	if (s->list.n == 0) {
		errorf("%s: no resolver left after --country/--operator/-4/-6/--limit",
		       p->list_path);
		return EXIT_USAGE;
	}
	s->targets = calloc(s->list.n, sizeof *s->targets);
	if (s->targets == NULL)
		return EXIT_USAGE;
	for (size_t i = 0; i < s->list.n; i++)
		s->targets[i] = &s->list.v[i];

	if ((rc = query_init(&s->query, p->name, p->type, true, p->dnssec)) < 0) {
		errorf("NAME '%s': %s", p->name, pw_strerror(rc));
		return EXIT_USAGE;
	}
	if (p->nexpect > 0 && expected_from_args(&s->user_expect, p->name, p->type, p->expect,
	                                         p->nexpect, err, sizeof err) < 0) {
		errorf("%s", err);
		return EXIT_USAGE;
	}
	if ((rc = engine_new(&s->engine, &p->eng)) < 0) {
		errorf("cannot start the query engine: %s", pw_strerror(rc));
		return EXIT_USAGE;
	}
	s->via = calloc(TRUTH_VIA, sizeof *s->via);
	if (s->via == NULL)
		return EXIT_USAGE;
	s->truth.nvia = s->list.n < TRUTH_VIA ? s->list.n : TRUTH_VIA;
	memcpy(s->via, s->targets, s->truth.nvia * sizeof *s->via);
	s->truth.via = s->via;
	s->truth.auth = p->auth;
	s->truth.nauth = p->nauth;
	s->truth.family = p->filter.family;
	infof("%zu resolvers from %s", s->list.n, p->list_path);
	return 0;
}

const struct expected *session_truth(struct session *s, struct expected *fresh)
{
	if (s->params.nexpect > 0)
		return &s->user_expect;
	if (truth_resolve(s->engine, &s->query, &s->truth, fresh) < 0)
		snprintf(fresh->problem, sizeof fresh->problem, "out of memory");
	return fresh;
}

void session_prefer_via(struct session *s, const struct answer *answers)
{
	size_t k = 0;
	for (size_t i = 0; i < s->list.n && k < TRUTH_VIA; i++)
		if (status_usable(answers[i].status))
			s->via[k++] = s->targets[i];
	/* Nobody answered: keep the first ones, they may answer next time. */
	if (k == 0)
		return;
	s->truth.nvia = k;
}

void session_close(struct session *s)
{
	free(s->via);
	engine_free(s->engine);
	expected_free(&s->user_expect);
	query_free(&s->query);
	free(s->targets);
	reslist_free(&s->list);
	params_free(&s->params);
}
