/*
 * completion.h -- `propwatch completion bash|zsh`: shell completion from
 * the option table.
 */
#ifndef PW_COMPLETION_H
#define PW_COMPLETION_H

/* argv[0] is "completion". Returns the exit status. */
int completion_main(int argc, char **argv);

#endif
