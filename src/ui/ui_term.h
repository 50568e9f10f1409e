/*
 * ui_term.h -- the terminal: take it over, and always give it back.
 *
 * Debian's ncurses is not thread-safe, and the dashboard runs the engine's
 * workers and the monitor's scheduler beside the UI thread. So the signals
 * that reach curses or end the program (INT, TERM, HUP, QUIT, PIPE, WINCH, TSTP)
 * are blocked before any thread starts, and only the UI thread unblocks
 * them, and only while it sleeps in ppoll(): every handler runs there,
 * between frames. SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE just record the signal; the
 * loop then leaves curses properly. A crash (SEGV, BUS, FPE, ILL, ABRT) may
 * hit any thread at any moment, so its handler does not call curses: it
 * writes the terminal's own reset strings, captured at start-up, with
 * write(2), restores the saved termios, and re-raises the signal.
 */
#ifndef PW_UI_TERM_H
#define PW_UI_TERM_H

#include <signal.h>
#include <stdbool.h>

#include "roles.h"

/* What the terminal can do, as found when it was opened. */
struct ui_term {
	bool color; /* colour pairs are set up (a colour terminal, colour wanted) */
	bool utf8;  /* the locale is UTF-8: block characters for bars */
	bool mouse; /* mouse events (wheel, clicks) were enabled */
};

/* Block the signals above in the calling thread; threads started after
 * inherit the mask. Call first thing, before any thread exists. `unblocked`
 * gets the mask to pass to ppoll(). */
void ui_term_block_signals(sigset_t *unblocked);

/* Install the quit and crash handlers, then start curses on the terminal
 * (newterm, so a bad TERM is an error message, not an exit). Returns 0, or
 * -1 after printing why. */
int ui_term_open(struct ui_term *t, bool want_color);

/* Leave curses and restore the terminal; safe to call twice. */
void ui_term_close(void);

/* The signal that asked us to quit, 0 if none yet. */
int ui_term_quit_signal(void);

/* Attributes of a colour role (roles.h): its colour pair or, in
 * monochrome, bold/underline/dim/reverse. */
int ui_term_attr(const struct ui_term *t, enum pw_role r);

#endif
