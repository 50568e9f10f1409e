/*
 * version.c -- the release number and the git description, both set by
 * the Makefile (PW_GIT from `git describe`, empty outside a checkout).
 */
#include <stdio.h>

#include "version.h"

#ifndef PW_VERSION
#define PW_VERSION "0.3.0"
#endif
#ifndef PW_GIT
#define PW_GIT ""
#endif

const char *version_release(void)
{
	return PW_VERSION;
}

const char *version_line(void)
{
	static char line[128];
	if (line[0] == '\0') {
		if (PW_GIT[0])
			snprintf(line, sizeof line, "propwatch %s (git %s)", PW_VERSION, PW_GIT);
		else
			snprintf(line, sizeof line, "propwatch %s", PW_VERSION);
	}
	return line;
}
