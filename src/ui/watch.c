/*
 * watch.c -- `propwatch watch`: the live dashboard's event loop.
 *
 * One UI thread owns the terminal. It sleeps in ppoll() on stdin and the
 * monitor's eventfd, with a timeout so the TTLs on screen count down
 * (about 4 frames a second), and with the quit/resize signals unblocked
 * only there (ui_term.h). On each wake-up it reads keys, copies the model
 * if it changed (only the rows that changed), rebuilds the table's rows
 * from the copy only then, and draws. Between changes a tick only moves
 * the clocks on (TTLs and ETAs count down). Frames caused by answers
 * arriving are limited to 10 a second so a sweep of thousands of resolvers
 * does not turn into thousands of redraws.
 */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "gate.h"
#include "monitor.h"
#include "msg.h"
#include "pipeline.h"
#include "setup.h"
#include "tracker.h"
#include "ui/ui_draw.h"
#include "ui/ui_format.h"
#include "ui/ui_term.h"
#include "ui/ui_view.h"
#include "ui/watch.h"
#include "vantage.h"

/* Seconds between frames when nothing happens: the live TTL countdown. */
#define TICK 0.25
/* Seconds between frames at least, when answers pour in. */
#define MIN_FRAME 0.1
/* Seconds a message ("querying all now") stays on the bottom line. */
#define MSG_TIME 3.0

/* The dashboard's state, all owned by the UI thread. */
struct dash {
	struct session s;        /* options, resolvers, engine */
	struct pipeline pipe;    /* the model and where answers come from */
	struct monitor *mon;     /* the scheduler thread */
	struct tracker copy;     /* the model as last copied, evaluated */
	struct mon_live live;    /* the scheduler's state as last copied */
	struct ui_rowdata *rows; /* one per resolver, rebuilt when the model changed */
	char (*addr)[64];        /* address text of each resolver, made once */
	struct ui_view view;     /* order, filters, selection */
	struct ui_term term;     /* what the terminal can do */
	bool detail;             /* detail pane open */
	bool help;               /* help overlay open */
	bool editing;            /* typing a filter */
	char saved_filter[64];   /* the filter before editing began, for Esc */
	bool paused;             /* what we last told the monitor */
	bool quit;               /* q was pressed */
	char msg[128];           /* a passing message */
	double msg_until;        /* when it goes */
	int table_y;             /* first table row on screen, from the last frame */
	int table_rows;          /* table rows on screen, from the last frame */
};

static void say(struct dash *d, const char *text)
{
	snprintf(d->msg, sizeof d->msg, "%s", text);
	d->msg_until = clock_mono() + MSG_TIME;
}

/* The clocks of row i at `now`: TTL left, ETA, time since its change. */
static void tick_row(struct dash *d, size_t i, double now)
{
	const struct tracker *t = &d->copy;
	struct ui_rowdata *r = &d->rows[i];
	double changed = tracker_row(t, i)->changed_at;

	r->ttl = tracker_ttl_left(t, i, now);
	r->eta = tracker_eta(t, i, now);
	r->changed_ago = changed >= 0 ? now - changed : -1;
}

/* The table's rows from the copy: only when the model changed. */
static void build_rows(struct dash *d, double now)
{
	const struct tracker *t = &d->copy;
	bool truth = tracker_truth(t)->source != EXP_NONE;

	for (size_t i = 0; i < d->s.list.n; i++) {
		const struct resolver *res = &d->s.list.v[i];
		const struct answer *a = tracker_answer(t, i);
		struct ui_rowdata *r = &d->rows[i];

		r->name = res->label[0] ? res->label : res->operator_name;
		r->country = res->country;
		r->continent = res->probe ? res->probe->continent : NULL;
		r->operator_name = res->operator_name;
		r->address = d->addr[i];
		r->status = tracker_status(t, i);
		r->has_truth = truth;
		r->latency_ms = a->outcome == OUT_REPLY ? a->latency_ms : -1;
		r->transport = a->outcome == OUT_REPLY ? a->transport : TR_NONE;
		r->site = tracker_site(t, i);
		r->busy = tracker_row(t, i)->busy;
		tick_row(d, i, now);
	}
}

/* Draw a frame; `keys` says a key may have changed the order or filters. */
static void frame(struct dash *d, bool keys)
{
	double now = clock_mono();
	int rc = monitor_snapshot(d->mon, &d->copy, &d->live);
	if (rc < 0)
		return; /* out of memory: keep the old frame on screen */
	if (rc > 0)
		build_rows(d, now);
	else
		for (size_t i = 0; i < d->s.list.n; i++)
			tick_row(d, i, now);
	if (rc > 0 || keys)
		ui_view_update(&d->view, d->rows);

	struct ui_frame f = {
		.s = &d->s,
		.t = &d->copy,
		.live = &d->live,
		.rows = d->rows,
		.view = &d->view,
		.term = &d->term,
		.now = now,
		.detail = d->detail,
		.help = d->help,
		.editing = d->editing,
		.msg = now < d->msg_until ? d->msg : NULL,
	};
	ui_draw(&f);
	d->table_y = f.table_y;
	d->table_rows = f.table_rows;
}

static void toggle_group(struct dash *d, int g)
{
	d->view.only ^= 1u << g;
}

static void edit_key(struct dash *d, int ch)
{
	struct ui_view *v = &d->view;
	size_t len = strlen(v->filter);

	switch (ch) {
	case 27: /* Esc: as it was */
		snprintf(v->filter, sizeof v->filter, "%s", d->saved_filter);
		d->editing = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: d->editing = false; break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			v->filter[len - 1] = '\0';
		break;
	case 21: /* Ctrl-U */ v->filter[0] = '\0'; break;
	default:
		if (ch >= 32 && ch < 127 && len + 1 < sizeof v->filter) {
			v->filter[len] = (char)ch;
			v->filter[len + 1] = '\0';
		}
		break;
	}
}

static void mouse_key(struct dash *d)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		ui_view_move(&d->view, -3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		ui_view_move(&d->view, 3);
		return;
	}
#endif
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) {
		int k = ev.y - d->table_y;
		if (k >= 0 && k < d->table_rows && d->view.top + (size_t)k < d->view.norder) {
			ui_view_select_pos(&d->view, d->view.top + (size_t)k);
			if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
				d->detail = !d->detail;
		}
	}
}

static void key(struct dash *d, int ch)
{
	struct ui_view *v = &d->view;
	long page = d->table_rows > 1 ? d->table_rows - 1 : 1;

	if (ch == KEY_RESIZE)
		return; /* the next frame lays out for the new size */
	if (d->editing) {
		edit_key(d, ch);
		return;
	}
	if (d->help && ch != 'q' && ch != 'Q') {
		d->help = false;
		return;
	}
	switch (ch) {
	case 'q':
	case 'Q': d->quit = true; break;
	case KEY_UP:
	case 'k': ui_view_move(v, -1); break;
	case KEY_DOWN:
	case 'j': ui_view_move(v, 1); break;
	case KEY_PPAGE: ui_view_move(v, -page); break;
	case KEY_NPAGE:
	case ' ': ui_view_move(v, page); break;
	case KEY_HOME:
	case 'g': ui_view_select_pos(v, 0); break;
	case KEY_END:
	case 'G': ui_view_select_pos(v, v->norder ? v->norder - 1 : 0); break;
	case '\n':
	case '\r':
	case KEY_ENTER: d->detail = !d->detail; break;
	case 27:
		if (d->detail)
			d->detail = false;
		else
			v->filter[0] = '\0', v->only = 0;
		break;
	case 's': v->sort = (enum ui_sort)((v->sort + 1) % UI_NSORT); break;
	case 'S': v->sort = (enum ui_sort)((v->sort + UI_NSORT - 1) % UI_NSORT); break;
	case '/':
		snprintf(d->saved_filter, sizeof d->saved_filter, "%s", v->filter);
		d->editing = true;
		break;
	case '0': v->only = 0; break;
	case '1':
	case '2':
	case '3':
	case '4':
	case '5': toggle_group(d, ch - '1'); break;
	case 'r':
		monitor_query_now(d->mon);
		say(d, "asking every resolver now");
		break;
	case 'p':
		d->paused = !d->paused;
		monitor_pause(d->mon, d->paused);
		say(d, d->paused ? "paused: no new queries (p resumes)" : "resumed");
		break;
	case '?':
	case 'h': d->help = true; break;
	case 12: clearok(curscr, TRUE); break; /* Ctrl-L */
	case KEY_MOUSE: mouse_key(d); break;
	default: break;
	}
}

/* Sleep until a key, an answer, a signal, or `timeout` seconds. Returns
 * true when the model changed. */
static bool wait_event(struct dash *d, double timeout, const sigset_t *unblocked)
{
	struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 }, { monitor_fd(d->mon), POLLIN, 0 } };
	struct timespec ts = { (time_t)timeout, (long)((timeout - floor(timeout)) * 1e9) };
	int n = ppoll(pfd, 2, &ts, unblocked);

	if (n < 0)
		return false; /* a signal: the loop checks which */
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		d->quit = true; /* the terminal went away */
	if (pfd[1].revents & POLLIN) {
		monitor_ack(d->mon);
		return true;
	}
	return false;
}

static int run(struct dash *d, const sigset_t *unblocked)
{
	double last = 0;
	bool dirty = true;

	while (!d->quit && !ui_term_quit_signal()) {
		double now = clock_mono();
		if ((dirty && now - last >= MIN_FRAME) || now - last >= TICK) {
			frame(d, false);
			last = now;
			dirty = false;
		}
		double wait = (dirty ? MIN_FRAME : TICK) - (clock_mono() - last);
		if (wait < 0.001)
			wait = 0.001;
		if (wait_event(d, wait, unblocked))
			dirty = true;
		int ch;
		bool keys = false;
		while ((ch = getch()) != ERR) {
			key(d, ch);
			keys = true;
		}
		if (keys) {
			/* Answer keys at once, not at the next tick. */
			frame(d, true);
			last = clock_mono();
		}
	}
	int sig = ui_term_quit_signal();
	return sig ? 128 + sig : 0;
}

static void dash_free(struct dash *d)
{
	monitor_stop(d->mon);
	pipeline_free(&d->pipe);
	tracker_free(&d->copy);
	ui_view_free(&d->view);
	free(d->rows);
	free(d->addr);
	session_close(&d->s);
}

int watch_main(int argc, char **argv)
{
	struct dash d;
	sigset_t unblocked;
	int done, rc;

	memset(&d, 0, sizeof d);
	/* Before session_open() starts the engine's threads: they must never
	 * see a terminal signal (ui_term.h). */
	ui_term_block_signals(&unblocked);
	if ((rc = session_open(&d.s, argc, argv, MODE_WATCH, NULL, &done)) != 0 || done) {
		session_close(&d.s);
		return rc;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		errorf("watch needs a terminal; use 'propwatch check' in scripts");
		session_close(&d.s);
		return EXIT_USAGE;
	}
	size_t n = d.s.list.n;
	d.rows = calloc(n, sizeof *d.rows);
	d.addr = calloc(n, sizeof *d.addr);
	if (d.rows == NULL || d.addr == NULL || ui_view_init(&d.view, n) < 0 ||
	    session_pipeline(&d.s, &d.pipe) < 0) {
		errorf("out of memory for %zu resolvers", n);
		dash_free(&d);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		resolver_addrstr(&d.s.list.v[i], d.addr[i], sizeof d.addr[i]);
	if ((rc = monitor_start(&d.mon, &d.pipe)) < 0) {
		errorf("cannot start monitoring: %s", pw_strerror(rc));
		dash_free(&d);
		return EXIT_USAGE;
	}
	if (ui_term_open(&d.term, d.s.params.color) < 0) {
		dash_free(&d);
		return EXIT_USAGE;
	}
	rc = run(&d, &unblocked);
	/* The terminal first: stopping the scheduler cancels its round. */
	ui_term_close();
	monitor_stop(d.mon);
	d.mon = NULL;
	int logged = session_finish(&d.s, &d.pipe, rc != 0);
	dash_free(&d);
	return rc == 0 ? logged : rc;
}
