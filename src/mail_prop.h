/*
 * mail_prop.h -- how far every record of a domain's mail setup has
 * propagated.
 *
 * Each record (the MX, each MX target's A and AAAA, the apex TXT that
 * holds SPF, _dmarc, every DKIM selector, _mta-sts, _smtp._tls) has a
 * tracker of its own (a pipeline), and the rows of all of them are asked
 * together (pipeline_set): every resolver of the list is asked every
 * record. Their ground truth is what the zone's servers serve: the lint's
 * own lookups are installed as the first look, and the tracker's policy
 * refreshes it every --interval (a target outside the zone is left to
 * that policy from the start).
 *
 * The first round overlaps the lint, so a run costs about one round:
 * the records known up front go out on the pool in a thread of their own,
 * the lint takes its resolvers from the first answers to the MX, and the
 * MX targets, known only after the lint, get their first round on the
 * truth engine while the pool's is still out. --wait then runs check's
 * loop over all of them.
 */
#ifndef PW_MAIL_PROP_H
#define PW_MAIL_PROP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "pipeline.h"
#include "query.h"

struct session;
struct expected;

/* Resolvers the lint reads through: the first that answer, as truth.c. */
#define MAIL_VIA 8

struct mail_record {
	struct query q;    /* name and type, asked with RD=1 */
	struct pipeline p; /* its tracker, rows in list order */
};

struct mail_prop {
	struct session *s;         /* list, targets, engines, options */
	struct mail_record **v;    /* the records, in the order added */
	size_t n;                  /* how many */
	struct pipeline_set first; /* the records of the first round on the pool */
	pthread_t thread;          /* runs that round */
	bool started;              /* ... and must be joined */
	pthread_mutex_t lock;      /* with cond: the first record got an answer */
	pthread_cond_t cond;
};

int mail_prop_init(struct mail_prop *m, struct session *s);
void mail_prop_free(struct mail_prop *m);

/* Track (name, type). Returns 0, PW_ENAME or PW_ENOMEM. */
int mail_prop_add(struct mail_prop *m, const char *name, int type);
/* The record of (name, type) (name absolute, any case), or NULL. */
struct mail_record *mail_prop_find(struct mail_prop *m, const char *name, int type);

/* Send the first round of the records added so far, in a thread. */
int mail_prop_start(struct mail_prop *m);
/* Wait until the first record (the MX) has answers to choose from, and
 * put up to max resolvers that answered it (NOERROR, NXDOMAIN, or
 * SERVFAIL: a validator's word on a bogus zone), in list order, into via.
 * Returns how many. */
size_t mail_prop_via(struct mail_prop *m, const struct resolver **via, size_t max);
/* Install e (copied) as the first look at r's ground truth. */
int mail_prop_truth(struct mail_record *r, const struct expected *e);
/* Send the records added since mail_prop_start() once through be, then
 * wait for the first round to end. */
void mail_prop_catch_up(struct mail_prop *m, const struct pipeline_backend *be);
/* Run check's loop over every record (one round done: without --wait it
 * only looks at the truths still missing). */
int mail_prop_run(struct mail_prop *m, struct check_run *c);

#endif
