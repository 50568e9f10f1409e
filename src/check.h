/*
 * check.h -- `propwatch check`: sweep, compare, decide, print, exit.
 */
#ifndef PW_CHECK_H
#define PW_CHECK_H

/* Run the check subcommand; argv[0] is "check". Returns the exit status. */
int check_main(int argc, char **argv);

#endif
