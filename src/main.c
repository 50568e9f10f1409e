/*
 * main.c -- propwatch: is a DNS change visible at resolvers worldwide yet?
 *
 * Subcommands, one row each below. A bare `propwatch NAME` opens the
 * dashboard on a terminal and runs check otherwise, so the same command
 * works by hand and in a pipeline.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "compare_main.h"
#include "gate.h"
#include "params.h"
#include "timeline_main.h"
#include "ui/watch.h"
#include "version.h"

static const struct {
	const char *name;                  /* as typed */
	int (*run)(int argc, char **argv); /* argv[0] is the name */
	const char *usage;                 /* one line of the overall help */
} subcommands[] = {
	{ "check", check_main, "check [options] NAME [TYPE]     one verdict, with an exit status" },
	{ "watch", watch_main, "watch [options] NAME [TYPE]     live dashboard" },
	{ "compare", compare_main, "compare [options] [NAME [TYPE]] how each resolver behaves" },
	{ "timeline", timeline_main,
	  "timeline [options] FILE        a --log file drawn (PNG, SVG, text, CSV)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage:");
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(f, "%s propwatch %s\n", i ? "      " : "", subcommands[i].usage);
	fprintf(f,
	        "       propwatch [options] NAME [TYPE]           watch on a terminal, else check\n"
	        "       propwatch --version | --help\n"
	        "\n"
	        "Asks public recursive resolvers the same question (MX by default) and tells\n"
	        "which already serve the new records. 'propwatch SUBCOMMAND --help' lists\n"
	        "its options.\n"
	        "Exit status: 0 propagated, 1 not (yet) propagated, 2 usage or input error,\n"
	        "3 undecidable (too few usable answers, or no ground truth), 4 output could\n"
	        "not be written; 128+N after signal N.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("%s\n", version_line());
		return 0;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	/* No subcommand: argv[0] stands in for it while options are parsed. */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return watch_main(argc, argv);
	return check_main(argc, argv);
}
