/*
 * roles.h -- the one table of colour roles, shared by the text output
 * (ANSI escapes), the dashboard (curses pairs and, on a monochrome
 * terminal, attributes) and the timeline's pictures (RGB). A status has
 * a role through its group, so "new" is the same green everywhere.
 */
#ifndef PW_ROLES_H
#define PW_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"

enum pw_role {
	ROLE_NORMAL,
	ROLE_NEW,      /* serves the new answer; a passing verdict */
	ROLE_STALE,    /* still serves an old one; a verdict not reached yet */
	ROLE_NEGATIVE, /* NXDOMAIN / NODATA */
	ROLE_FAILING,  /* servfail, timeout, ...; an undecidable verdict */
	ROLE_PENDING,  /* no answer yet */
	ROLE_TITLE,    /* the dashboard's title bar */
	ROLE_WARN,     /* a problem worth reading */
	PW_NROLES
};

/* Colour numbers are the curses/ANSI eight: 0 black .. 7 white; -1 the
 * terminal's default. mono is what a monochrome screen shows instead. */
struct role_def {
	int fg, bg; /* colours */
	bool bold;  /* bold in colour too */
	enum { MONO_NONE, MONO_BOLD, MONO_UNDERLINE, MONO_DIM, MONO_REVERSE } mono;
	unsigned rgb; /* 0xRRGGBB in pictures (timeline PNG/SVG) */
};

extern const struct role_def pw_roles[PW_NROLES];

enum pw_role status_role(enum pw_status s);
/* The role of a verdict's exit status. */
enum pw_role exit_role(int exit_code);
/* The ANSI escape that starts the role ("" for ROLE_NORMAL), in buf. */
const char *role_ansi(enum pw_role r, char *buf, size_t len);
#define ROLE_ANSI_RESET "\033[0m"

#endif
