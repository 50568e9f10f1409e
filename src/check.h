/*
 * check.h -- `propwatch check`: sweep, compare, decide, print, exit.
 */
#ifndef PW_CHECK_H
#define PW_CHECK_H

#include <stdbool.h>

struct pipeline;

/* One run of the check loop. */
struct check_run {
	double wait;              /* --wait seconds; 0: one sweep and the truth */
	bool progress;            /* tell each idle wait on stderr */
	const volatile int *stop; /* non-zero: stop now (a signal) */
	double start;             /* when the run began (clock_mono) */
	bool until_deadline;      /* go on to the deadline even once propagated (compare) */
	char note[256];           /* out: why the wait ended early, "" if it did not */
};

/* Run steps until the verdict is in: at once without --wait, else until
 * propagated, hopeless, the deadline, or *stop. The tracker is evaluated
 * on return (under the pipeline's lock, which the caller then owns no
 * longer). */
void check_loop(struct pipeline *p, struct check_run *c);

/* Run the check subcommand; argv[0] is "check". Returns the exit status. */
int check_main(int argc, char **argv);

#endif
