/*
 * timeline_main.c -- `propwatch timeline FILE`: read a --log file, then
 * draw it (-o FILE.png|FILE.svg), chart it on the terminal, or list it as
 * CSV. Exit 0 when done, 2 for a bad log or usage, 4 when the output
 * could not be written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "error.h"
#include "gate.h"
#include "msg.h"
#include "params.h"
#include "timeline.h"
#include "timeline_main.h"

/* Columns for the text chart: --width, the terminal's, $COLUMNS, or 100. */
static int text_width(int asked)
{
	struct winsize ws;
	if (asked > 0)
		return asked;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	int n = c ? atoi(c) : 0;
	return n >= 40 && n <= 1000 ? n : 100;
}

int timeline_main(int argc, char **argv)
{
	struct pw_params p;
	int rc = params_parse(argc, argv, MODE_TIMELINE, &p);
	if (rc != 0 || p.help) {
		params_free(&p);
		return rc;
	}
	char err[512];
	FILE *f = strcmp(p.name, "-") == 0 ? stdin : fopen(p.name, "r");
	if (f == NULL) {
		errorf("%s: cannot open: %s", p.name, strerror(errno));
		params_free(&p);
		return EXIT_USAGE;
	}
	struct timeline tl;
	rc = timeline_read(f, strcmp(p.name, "-") == 0 ? "(stdin)" : p.name, p.session, &tl, err,
	                   sizeof err);
	if (f != stdin)
		fclose(f);
	if (rc < 0) {
		errorf("%s", err);
		params_free(&p);
		return EXIT_USAGE;
	}
	if (tl.cut)
		warnf("%s:%u: cut short (a crash or Ctrl-C?): left out", p.name, tl.cut);
	int exit_code = 0;
	if (p.output != NULL) {
		rc = timeline_draw(&tl, p.output, p.width ? p.width : 1200, err, sizeof err);
		if (rc < 0) {
			errorf("%s", err);
			exit_code = rc == PW_EINVAL ? EXIT_USAGE : EXIT_OUTPUT;
		}
	}
	if (exit_code == 0 && (p.output == NULL || p.format_set)) {
		rc = p.format == FMT_CSV ? timeline_csv(stdout, &tl)
		                         : timeline_text(stdout, &tl, text_width(p.width), p.color);
		if (rc < 0) {
			errorf("cannot write to standard output");
			exit_code = EXIT_OUTPUT;
		}
	}
	timeline_free(&tl);
	params_free(&p);
	return exit_code;
}
