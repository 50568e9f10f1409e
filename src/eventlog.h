/*
 * eventlog.h -- the roll-out log (--log FILE): what happened, one NDJSON
 * event per line, as doc/LOG.md specifies (schema version 1).
 *
 * The log reads the tracker and writes what it holds; it decides nothing.
 * Every line is flushed whole before the next one starts, so a log cut
 * short by a crash parses up to its last line. Calls are made with the
 * pipeline's lock held (the tracker must not change under them); the log
 * has no lock of its own.
 */
#ifndef PW_EVENTLOG_H
#define PW_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"

#define EVENTLOG_VERSION 1

struct eventlog;
struct jw;
struct query;
struct reslist;
struct tracker;

/* Open path for appending. NULL with err set ("FILE: why") on failure. */
struct eventlog *eventlog_open(const char *path, char *err, size_t errlen);
/* Close; PW_OK, or PW_EIO when any line could not be written. */
int eventlog_close(struct eventlog *l);

/* The session begins at `now` (monotonic; every later `s` counts from
 * it): `start` and one `resolver` line per resolver of list. */
void eventlog_start(struct eventlog *l, const char *mode, const struct query *q,
                    const struct reslist *list, double interval, const char *threshold, double now);
/* The truth was installed: a `truth` line when it differs from the last
 * one written (records, rcode, serial, disagreement, servers' serials). */
void eventlog_truth(struct eventlog *l, const struct tracker *t, double now);
/* Row i's answer was posted; before is its status until then. */
void eventlog_answer(struct eventlog *l, const struct tracker *t, size_t i, enum pw_status before,
                     double now);
/* A round of `asked` queries ended (t evaluated). */
void eventlog_sweep(struct eventlog *l, const struct tracker *t, size_t asked, double now);
/* The session ended (t evaluated). */
void eventlog_verdict(struct eventlog *l, const struct tracker *t, bool interrupted, double now);

/* Any other event (compare's `behaviour`): the line's writer, inside its
 * object after the common keys; the caller adds the rest, then ends it. */
struct jw *eventlog_begin(struct eventlog *l, const char *ev, double now);
void eventlog_end(struct eventlog *l);

#endif
