/*
 * roles.c -- colour roles: the table, and the ANSI form of each.
 */
#include <stdio.h>

#include "roles.h"

const struct role_def pw_roles[PW_NROLES] = {
	[ROLE_NORMAL] = { -1, -1, false, MONO_NONE, 0x202020 },
	[ROLE_NEW] = { 2, -1, true, MONO_BOLD, 0x2e9e44 },
	[ROLE_STALE] = { 3, -1, false, MONO_NONE, 0xe6a117 },
	[ROLE_NEGATIVE] = { 6, -1, false, MONO_NONE, 0x2a9fb8 },
	[ROLE_FAILING] = { 1, -1, true, MONO_UNDERLINE, 0xd2352b },
	[ROLE_PENDING] = { 4, -1, false, MONO_DIM, 0xd8dce3 },
	[ROLE_TITLE] = { 0, 6, true, MONO_REVERSE, 0x202020 },
	[ROLE_WARN] = { 1, -1, true, MONO_BOLD, 0xd2352b },
};

enum pw_role status_role(enum pw_status s)
{
	switch (s) {
	case ST_NEW: return ROLE_NEW;
	case ST_STALE: return ROLE_STALE;
	case ST_NXDOMAIN:
	case ST_NODATA: return ROLE_NEGATIVE;
	case ST_PENDING: return ROLE_PENDING;
	default: return ROLE_FAILING;
	}
}

enum pw_role exit_role(int exit_code)
{
	return exit_code == 0 ? ROLE_NEW : exit_code == 1 ? ROLE_STALE : ROLE_FAILING;
}

const char *role_ansi(enum pw_role r, char *buf, size_t len)
{
	const struct role_def *d = (unsigned)r < PW_NROLES ? &pw_roles[r] : &pw_roles[ROLE_NORMAL];
	buf[0] = '\0';
	if (d->fg < 0 && d->bg < 0 && !d->bold)
		return buf;
	size_t o = (size_t)snprintf(buf, len, "\033[%s", d->bold ? "1" : "0");
	if (d->fg >= 0 && o < len)
		o += (size_t)snprintf(buf + o, len - o, ";3%d", d->fg);
	if (d->bg >= 0 && o < len)
		o += (size_t)snprintf(buf + o, len - o, ";4%d", d->bg);
	if (o < len)
		snprintf(buf + o, len - o, "m");
	return buf;
}
