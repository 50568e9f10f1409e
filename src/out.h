/*
 * out.h -- the non-interactive views of the model: text, JSON, CSV.
 *
 * A view prints the tracker as it stands at one moment, through the
 * tracker's accessors only; it derives nothing itself.
 */
#ifndef PW_OUT_H
#define PW_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct tracker;
struct vantage_report;

/* What a view prints: the model at one moment. */
struct view {
	const struct tracker *t; /* evaluated (tracker_evaluate) */
	double now;              /* monotonic moment the view speaks of (TTLs, ETAs) */
	const char *note;        /* why --wait stopped early, or NULL */
	bool interrupted;        /* a signal ended the run */
	bool color;              /* text: ANSI colours */
	/* With --via: what the measurement network said is left; NULL else.
	 * Rows that are probes say so through their resolver's probe. */
	const struct vantage_report *vantage;
};

/* Are the rows a measurement network's probes? */
bool view_has_probes(const struct view *v);

/* Each returns 0, or PW_EIO when the output could not be written. */
int out_text(FILE *f, const struct view *v);
/* One JSON object (doc/INTERFACES.md), a resolver per line. */
int out_json(FILE *f, const struct view *v);
/* check --format ndjson, one line at a time on w (jsonw.h): resolver i's
 * object as in out_json(), with the sweep it belongs to (the round under
 * way: the line is written as its answer is posted); and last the summary
 * as {"summary": {...}}. PW_OK or PW_EIO. */
struct jw;
struct resolver;
int out_ndjson_row(struct jw *w, const struct view *v, size_t i);
int out_ndjson_summary(struct jw *w, const struct view *v);
/* Who resolver r is, as keys of the object open on w: address, port,
 * country, operator, anycast, label, and with --via the probe's. */
void out_json_resolver(struct jw *w, const struct resolver *r);
/* A header line and a row per resolver. */
int out_csv(FILE *f, const struct view *v);
/* One CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break, then ',' or, for the last of a row, a newline. */
void csv_field(FILE *f, const char *s, int last);

#endif
