/*
 * watch.h -- `propwatch watch`: the live dashboard.
 */
#ifndef PW_UI_WATCH_H
#define PW_UI_WATCH_H

/* Run the dashboard; argv[0] is "watch". Returns the exit status. */
int watch_main(int argc, char **argv);

#endif
