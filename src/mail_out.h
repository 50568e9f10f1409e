/*
 * mail_out.h -- the views of `propwatch mail`: text grouped by area, and
 * one JSON object (doc/INTERFACES.md).
 *
 * Like out.h's views they print what the run found and compute nothing:
 * findings come from the lint, records from its lookups, the propagation
 * of each record from its tracker's accessors.
 */
#ifndef PW_MAIL_OUT_H
#define PW_MAIL_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "mail_lint.h"

struct mail_dns;
struct mail_prop;
struct mail_report;

struct mail_view {
	const char *domain;               /* absolute, lower case */
	const struct mail_dns *dns;       /* zone, servers, lookups; NULL before any */
	const struct mail_report *report; /* the findings */
	const struct mail_prop *prop;     /* a tracker per record, evaluated */
	size_t nselectors;                /* --dkim-selector values given */
	size_t nresolvers;                /* resolvers in the list */
	enum mail_dnssec dnssec;          /* the zone's DNSSEC state */
	const char *dnssec_note;          /* how it was judged, or NULL */
	const char *problem;              /* why nothing could be linted, or NULL */
	const char *note;                 /* why --wait ended early, or NULL */
	bool interrupted;                 /* a signal ended the run */
	bool color;                       /* text: ANSI colours */
	double now;                       /* monotonic moment of the view (ETAs) */
	int exit_code;                    /* what the run exits with */
};

/* Each returns 0, or PW_EIO when the output could not be written. */
int mail_out_text(FILE *f, const struct mail_view *v);
int mail_out_json(FILE *f, const struct mail_view *v);

#endif
