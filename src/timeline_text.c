/*
 * timeline_text.c -- a roll-out on a terminal (the picture's chart in
 * characters) and as CSV (a row per resolver, for a spreadsheet or diff).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "out.h"
#include "roles.h"
#include "timeline.h"
#include "ttl.h"

#define TEXT_LANES 40 /* more: the last to flip, and CSV for all */
#define LABEL_W    26
#define FIGS_W     30 /* flip, predicted, error */
#define SHARE_ROWS 8

static char status_char(enum pw_status s)
{
	switch (status_role(s)) {
	case ROLE_NEW: return '#';
	case ROLE_STALE: return 'o';
	case ROLE_NEGATIVE: return '-';
	case ROLE_PENDING: return '.';
	default: return 'x';
	}
}

static void dur(char *buf, size_t len, double s)
{
	if (s < 0) {
		snprintf(buf, len, "-");
		return;
	}
	long v = lround(s);
	if (v < 120)
		snprintf(buf, len, "%lds", v);
	else if (v < 7200)
		snprintf(buf, len, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, len, "%ldh%02ldm", v / 3600, v / 60 % 60);
}

/* The share at the end of [0, s]: the last point at or before s. */
static double share_at(const struct timeline *tl, double s)
{
	double v = -1;
	for (size_t i = 0; i < tl->nshare && tl->share[i].s <= s; i++)
		v = tl->share[i].share;
	return v;
}

static void color_on(FILE *f, bool color, enum pw_role r)
{
	if (color) {
		char b[32];
		fputs(role_ansi(r, b, sizeof b), f);
	}
}

static void color_off(FILE *f, bool color)
{
	if (color)
		fputs(ROLE_ANSI_RESET, f);
}

static void time_axis(FILE *f, int indent, int cols, double span)
{
	char line[1024], b[32];
	int n = cols < (int)sizeof line - 1 ? cols : (int)sizeof line - 1;
	memset(line, ' ', (size_t)n);
	line[n] = '\0';
	for (int c = 0; c < n; c += 12) {
		dur(b, sizeof b, span * c / n);
		size_t l = strlen(b);
		if (c + (int)l <= n)
			memcpy(line + c, b, l);
	}
	fprintf(f, "%*s%s\n", indent, "", line);
}

int timeline_text(FILE *f, const struct timeline *tl, int width, bool color)
{
	double span = tl->end > 0 ? tl->end : 1;
	int cols = width - LABEL_W - FIGS_W - 2;
	char when[64], d[32], b1[32], b2[32], b3[32];
	time_t t = (time_t)tl->start_wall;
	struct tm tm;

	if (cols < 20)
		cols = 20;
	if (cols > 1000)
		cols = 1000;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	dur(d, sizeof d, tl->end);
	fprintf(f, "%s %s: %s, %zu resolvers, %s from %s (session %d of %d)\n", tl->qname,
	        tl->qtype, tl->mode, tl->n, d, when, tl->session, tl->sessions);
	if (tl->verdict) {
		color_on(f, color, exit_role(tl->exit_code));
		fprintf(f, "verdict: %s (exit %d)%s", tl->verdict, tl->exit_code,
		        tl->interrupted ? ", interrupted" : "");
		color_off(f, color);
		fputc('\n', f);
	} else {
		fprintf(f, "no verdict in the log (cut short?)\n");
	}

	/* The share: a column per stretch of time, a row per eighth. */
	fprintf(f, "\npropagated share\n");
	for (int row = 0; row < SHARE_ROWS; row++) {
		double level = 100.0 * (SHARE_ROWS - row - 0.5) / SHARE_ROWS;
		int pct = (int)lround(100.0 * (SHARE_ROWS - row) / SHARE_ROWS);
		fprintf(f, "%*s%3d%% |", LABEL_W - 6, "", pct);
		color_on(f, color, ROLE_NEW);
		for (int c = 0; c < cols; c++) {
			double v = share_at(tl, span * (c + 1) / cols);
			fputc(v >= level ? '#' : ' ', f);
		}
		color_off(f, color);
		fputc('\n', f);
	}
	fprintf(f, "%*s  0%% +", LABEL_W - 6, "");
	for (int c = 0; c < cols; c++)
		fputc('-', f);
	fputc('\n', f);
	time_axis(f, LABEL_W, cols, span);
	for (size_t i = 0; i < tl->ntruth; i++) {
		const struct tl_truth *m = &tl->truth[i];
		bool moved = i > 0 && (m->changed || m->serial != tl->truth[i - 1].serial);
		if (i > 0 && !moved && m->disagree == tl->truth[i - 1].disagree)
			continue;
		dur(d, sizeof d, m->s);
		if (moved)
			color_on(f, color, ROLE_WARN);
		fprintf(f, "%*s%s", LABEL_W, "", moved ? "change: " : "truth: ");
		if (m->serial >= 0)
			fprintf(f, "serial %lld", m->serial);
		else
			fprintf(f, "records");
		fprintf(f, " at %s%s", d, m->disagree ? " (servers disagree)" : "");
		if (moved)
			color_off(f, color);
		fputc('\n', f);
	}

	/* A lane per resolver, the last to flip at the bottom. */
	size_t *order = timeline_order(tl);
	if (order == NULL)
		return PW_ENOMEM;
	size_t first = tl->n > TEXT_LANES ? tl->n - TEXT_LANES : 0;
	fprintf(f, "\n%-*s %-*s %9s %9s %8s\n", LABEL_W - 1, "resolvers, by flip time", cols + 1,
	        "", "flip", "predicted", "error");
	if (first)
		fprintf(f, "(the %zu that flipped first are left out: --format csv lists all)\n",
		        first);
	for (size_t k = first; k < tl->n; k++) {
		const struct tl_resolver *r = &tl->r[order[k]];
		char label[LABEL_W + 8];
		snprintf(label, sizeof label, "%s %s", r->address, r->label);
		label[LABEL_W - 2] = '\0';
		fprintf(f, "%-*s|", LABEL_W - 1, label);
		int pc = r->predicted >= 0 && r->predicted <= span
		                 ? (int)floor(r->predicted / span * cols)
		                 : -1;
		enum pw_role on = PW_NROLES;
		for (int c = 0; c < cols; c++) {
			enum pw_status st = timeline_status_at(r, span * (c + 0.5) / cols);
			char ch = c == pc ? '|' : status_char(st);
			enum pw_role want = c == pc ? ROLE_NORMAL : status_role(st);
			if (want != on) {
				color_off(f, color && on != PW_NROLES);
				color_on(f, color, want);
				on = want;
			}
			fputc(ch, f);
		}
		color_off(f, color && on != PW_NROLES);
		dur(b1, sizeof b1, r->flipped);
		dur(b2, sizeof b2, r->predicted);
		if (r->flipped >= 0 && r->predicted >= 0)
			snprintf(b3, sizeof b3, "%+.1fs", r->flipped - r->predicted);
		else
			snprintf(b3, sizeof b3, "-");
		fprintf(f, "| %8s %9s %8s\n", b1, b2, b3);
	}
	free(order);
	fprintf(f,
	        "\n# new  o old  - nxdomain/nodata  x failing  . not asked yet  | predicted flip\n");
	if (tl->cut)
		fprintf(f, "(line %u of the log was cut short and is left out)\n", tl->cut);
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}

static void num(FILE *f, double v, int last)
{
	char b[32];
	if (v < 0)
		b[0] = '\0';
	else
		snprintf(b, sizeof b, "%.3f", v);
	csv_field(f, b, last);
}

int timeline_csv(FILE *f, const struct timeline *tl)
{
	char b[160];
	fputs("address,port,country,operator,label,first_seen_s,flip_s,predicted_s,error_s,"
	      "anomalies,last_status\n",
	      f);
	for (size_t i = 0; i < tl->n; i++) {
		const struct tl_resolver *r = &tl->r[i];
		csv_field(f, r->address, 0);
		snprintf(b, sizeof b, "%d", r->port);
		csv_field(f, b, 0);
		csv_field(f, r->country, 0);
		csv_field(f, r->operator_name, 0);
		csv_field(f, r->label, 0);
		num(f, r->first_seen, 0);
		num(f, r->flipped, 0);
		num(f, r->predicted, 0);
		if (r->flipped >= 0 && r->predicted >= 0)
			snprintf(b, sizeof b, "%.3f", r->flipped - r->predicted);
		else
			b[0] = '\0';
		csv_field(f, b, 0);
		csv_field(f, ttl_anomaly_str(r->anomalies, b, sizeof b), 0);
		csv_field(f, status_name(r->nspans ? r->spans[r->nspans - 1].status : ST_PENDING),
		          1);
	}
	return fflush(f) != 0 || ferror(f) ? PW_EIO : PW_OK;
}
