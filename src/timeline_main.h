/*
 * timeline_main.h -- `propwatch timeline FILE`: a recorded roll-out drawn.
 */
#ifndef PW_TIMELINE_MAIN_H
#define PW_TIMELINE_MAIN_H

/* Run the timeline subcommand; argv[0] is "timeline". Returns the exit status. */
int timeline_main(int argc, char **argv);

#endif
