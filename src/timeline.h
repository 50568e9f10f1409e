/*
 * timeline.h -- a roll-out as read back from a --log file (doc/LOG.md),
 * and its renderings: a picture (PNG or SVG, drawn with cairo), a text
 * chart for the terminal, and CSV.
 *
 * The reader keeps what the log says and derives only what a picture
 * needs to be drawn: a resolver's status spans (from its answers), when
 * it first served the new answer, and the flip moment that had been
 * predicted for it then. A log is untrusted input: every line is checked,
 * and a bad one is an error naming FILE:LINE; only a session's last line
 * may be cut short (a crash, Ctrl-C), and it is then left out.
 */
#ifndef PW_TIMELINE_H
#define PW_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "answer.h"

#define TL_MAX_RESOLVERS 1000000 /* a log claiming more is not ours */

/* From `from` on (session seconds), the resolver had this status. */
struct tl_span {
	double from;
	enum pw_status status;
};

struct tl_resolver {
	char *address, *label, *operator_name;
	char country[3];
	int port;
	struct tl_span *spans; /* in time order, a new one per status change */
	size_t nspans, capspans;
	double first_seen;  /* its first answer (s), -1 none */
	double flipped;     /* its first new answer after it was seen otherwise, or its
	                      first answer when that was new (s); -1 never */
	double predicted;   /* the flip predicted for it by the answer before the flip, -1 none */
	bool was_old;       /* served something else before the new answer */
	unsigned anomalies; /* ANOM_* bits named by its answers */
	bool seen;          /* has a resolver line */
};

/* A point of the propagated share. */
struct tl_point {
	double s, share;
};

/* A look at the ground truth that changed it. */
struct tl_truth {
	double s;
	long long serial; /* -1 unknown */
	bool disagree;
	bool changed; /* the expected records differ from the truth before it */
};

struct timeline {
	char *mode, *version, *qname, *qtype;
	double start_wall; /* wall-clock time of the session's start */
	double end;        /* the session's last moment (s) */
	size_t n;          /* resolvers */
	struct tl_resolver *r;
	struct tl_point *share;
	size_t nshare, capshare;
	struct tl_truth *truth;
	size_t ntruth, captruth;
	char *verdict; /* NULL when the log has no verdict (cut short) */
	int exit_code;
	bool interrupted;
	double threshold; /* per cent, -1 when a count or unknown */
	int session;      /* which session this is (1 = the first) */
	int sessions;     /* sessions in the file */
	unsigned lines;   /* lines read */
	unsigned cut;     /* a line left out because it was cut short (its number), 0 none */
	unsigned answers; /* answer lines of the session */
};

/* Read session `session` (1 = first, 0 = the last) of the log f (named
 * path in messages). PW_OK, or a negative code with err "PATH:LINE: why". */
int timeline_read(FILE *f, const char *path, int session, struct timeline *tl, char *err,
                  size_t errlen);
void timeline_free(struct timeline *tl);

/* Lanes in drawing order: flipped first by flip time, then the rest. */
size_t *timeline_order(const struct timeline *tl);

/* Renderings. Each returns PW_OK or PW_EIO (err says why). */
int timeline_draw(const struct timeline *tl, const char *out_path, int width, char *err,
                  size_t errlen);
int timeline_text(FILE *f, const struct timeline *tl, int width, bool color);
int timeline_csv(FILE *f, const struct timeline *tl);

/* The status a resolver had at s (ST_PENDING before its first answer). */
enum pw_status timeline_status_at(const struct tl_resolver *r, double s);

#endif
