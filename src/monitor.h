/*
 * monitor.h -- the dashboard's scheduler: the pipeline in a thread.
 *
 * The monitor is only a thread-and-lock wrapper around the pipeline that
 * `check` runs in a plain loop: its scheduler thread takes the rounds the
 * tracker schedules (pipeline_step), and a second thread looks at the
 * ground truth whenever the tracker says it is ready, beside the rounds,
 * so that the truth does not wait for the slowest resolver of the first
 * round. Both sleep on condition variables between steps, so a key
 * (pause, query now), an answer or shutdown wakes them. Every change of
 * the model writes to an eventfd, so the UI thread, polling that fd beside
 * the terminal, wakes and copies the model (tracker_copy, only the rows
 * that changed) to draw from, never holding the lock while it draws.
 * Nothing here knows about curses.
 */
#ifndef PW_MONITOR_H
#define PW_MONITOR_H

#include <stdbool.h>

struct monitor;
struct pipeline;
struct tracker;

/* What a copy of the model cannot say: the scheduler's own state. */
struct mon_live {
	bool paused;       /* scheduling is paused by the user */
	double next_query; /* when a resolver (or the truth) is next due, INFINITY if none */
};

/* Start the scheduler over p (which must outlive the monitor). Returns 0
 * or a negative PW_E* code. */
int monitor_start(struct monitor **m, struct pipeline *p);
/* Stop the scheduler (a round in flight is cancelled) and free it. */
void monitor_stop(struct monitor *m);

/* Readable whenever the model changed; monitor_ack() empties it. */
int monitor_fd(const struct monitor *m);
void monitor_ack(struct monitor *m);

/* Ask every resolver (and the authoritative servers) now, except those
 * asked within --min-interval, which follow as soon as it allows. While
 * paused, this is one round, and the pause goes on after it. */
void monitor_query_now(struct monitor *m);
/* Stop or resume asking; answers in flight still arrive. */
void monitor_pause(struct monitor *m, bool paused);

/* Bring copy (zeroed, or an earlier copy) up to date and evaluate it.
 * Returns 1 when the model had changed, 0 if not, or PW_ENOMEM. */
int monitor_snapshot(struct monitor *m, struct tracker *copy, struct mon_live *live);

#endif
