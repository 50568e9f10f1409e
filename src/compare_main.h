/*
 * compare_main.h -- `propwatch compare`: how each resolver behaves.
 */
#ifndef PW_COMPARE_MAIN_H
#define PW_COMPARE_MAIN_H

/* Run the compare subcommand; argv[0] is "compare". Returns the exit status. */
int compare_main(int argc, char **argv);

#endif
