/*
 * version.h -- what this build is: the release, and where it came from in
 * git when it was built from a checkout (for --version and the log).
 */
#ifndef PW_VERSION_H
#define PW_VERSION_H

/* "0.3.0" */
const char *version_release(void);
/* "propwatch 0.3.0 (git v0.3.0-4-gabc1234-dirty)", or without the
 * parenthesis when not built from git. */
const char *version_line(void);

#endif
