/*
 * ui_term.c -- curses start-up and shutdown, signals, crash restore.
 */
#include <curses.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "msg.h"
#include "ui/ui_format.h"
#include "ui/ui_term.h"

/* xterm mouse reporting off (modes 1000-1006), whichever ncurses used. */
#define MOUSE_OFF "\033[?1000l\033[?1002l\033[?1003l\033[?1006l"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_on;
static SCREEN *screen;
static struct termios saved_tio;
static bool have_tio;
/* Written by the crash handler: built before curses draws anything. */
static char reset_seq[256];
static size_t reset_len;

static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

void ui_term_block_signals(sigset_t *unblocked)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
		sigaddset(&set, quit_signals[i]);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &set, unblocked);
	for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
		sigdelset(unblocked, quit_signals[i]);
	sigdelset(unblocked, SIGWINCH);
	sigdelset(unblocked, SIGTSTP);
}

static void on_quit(int sig)
{
	quit_signal = sig;
}

static void on_crash(int sig)
{
	/* Only async-signal-safe calls here: no curses, no stdio. */
	if (curses_on) {
		if (reset_len > 0 && write(STDOUT_FILENO, reset_seq, reset_len) < 0)
			curses_on = 0;
		if (have_tio)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		curses_on = 0;
	}
	/* SA_RESETHAND restored the default action; SA_NODEFER lets it fire. */
	raise(sig);
}

int ui_term_quit_signal(void)
{
	return quit_signal;
}

static void append_cap(const char *name)
{
	char *s = tigetstr(name);
	if (s == NULL || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (reset_len + n < sizeof reset_seq) {
		memcpy(reset_seq + reset_len, s, n);
		reset_len += n;
	}
}

static void build_reset(bool mouse)
{
	reset_len = 0;
	if (mouse) {
		memcpy(reset_seq, MOUSE_OFF, sizeof MOUSE_OFF - 1);
		reset_len = sizeof MOUSE_OFF - 1;
	}
	append_cap("sgr0");  /* attributes off */
	append_cap("cnorm"); /* cursor visible */
	append_cap("rmkx");  /* keypad back to normal */
	append_cap("rmcup"); /* leave the alternate screen */
	if (reset_len + 2 < sizeof reset_seq)
		reset_seq[reset_len++] = '\r', reset_seq[reset_len++] = '\n';
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* Set before newterm(): ncurses then leaves these signals to us. */
	sa.sa_handler = on_quit;
	for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
		sigaction(quit_signals[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], &sa, NULL);
}

/* One colour pair per role, from the table in roles.c. */
static void init_colors(void)
{
	/* Keep the user's background where the terminal allows it. */
	bool keep_bg = use_default_colors() == OK;
	for (int r = 1; r < PW_NROLES; r++) {
		int fg = pw_roles[r].fg, bg = pw_roles[r].bg;
		init_pair((short)r, (short)(fg < 0 ? (keep_bg ? -1 : COLOR_WHITE) : fg),
		          (short)(bg < 0 ? (keep_bg ? -1 : COLOR_BLACK) : bg));
	}
}

int ui_term_open(struct ui_term *t, bool want_color)
{
	const char *term = getenv("TERM");

	memset(t, 0, sizeof t[0]);
	setlocale(LC_ALL, "");
	t->utf8 = ui_locale_utf8();
	install_handlers();
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		errorf("cannot use terminal type '%s'; try TERM=xterm, or 'propwatch check'",
		       term ? term : "(unset)");
		return -1;
	}
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25); /* Esc closes things: do not wait a second for a sequence */
	/* COLORS and COLOR_PAIRS are only known after start_color(). */
	if (want_color && has_colors() && start_color() == OK && COLORS >= 8 &&
	    COLOR_PAIRS >= PW_NROLES) {
		init_colors();
		t->color = true;
	}
	mmask_t want = BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
	want |= BUTTON5_PRESSED;
#endif
	t->mouse = mousemask(want, NULL) != 0;
	build_reset(t->mouse);
	curses_on = 1;
	return 0;
}

void ui_term_close(void)
{
	if (!curses_on && screen == NULL)
		return;
	if (curses_on) {
		curses_on = 0;
		mousemask(0, NULL);
		endwin();
	}
	if (screen != NULL) {
		delscreen(screen);
		screen = NULL;
	}
	fflush(stdout);
}

int ui_term_attr(const struct ui_term *t, enum pw_role r)
{
	const struct role_def *d = (unsigned)r < PW_NROLES ? &pw_roles[r] : &pw_roles[ROLE_NORMAL];
	if (t->color)
		return r == ROLE_NORMAL ? A_NORMAL : (int)COLOR_PAIR(r) | (d->bold ? A_BOLD : 0);
	/* Monochrome: the status text says it all; attributes only help the eye. */
	switch (d->mono) {
	case MONO_BOLD: return A_BOLD;
	case MONO_UNDERLINE: return A_UNDERLINE;
	case MONO_DIM: return A_DIM;
	case MONO_REVERSE: return A_REVERSE;
	default: return A_NORMAL;
	}
}
