/*
 * params_int.h -- what params.c (the parser) shares with params_table.c
 * (the table and the help made from it).
 */
#ifndef PW_PARAMS_INT_H
#define PW_PARAMS_INT_H

#include <stddef.h>

enum opt_id {
	OPT_RESOLVERS = 1,
	OPT_COUNTRY,
	OPT_OPERATOR,
	OPT_IPV4,
	OPT_IPV6,
	OPT_LIMIT,
	OPT_JOBS,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_RATE,
	OPT_DNSSEC,
	OPT_EXPECT,
	OPT_AUTH,
	OPT_THRESHOLD,
	OPT_MIN_ANSWERS,
	OPT_WAIT,
	OPT_INTERVAL,
	OPT_MIN_INTERVAL,
	OPT_FORMAT,
	OPT_NO_COLOR,
	OPT_COLOR,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_SAMPLES,
	OPT_SIGNED,
	OPT_BOGUS,
	OPT_DURATION,
	OPT_LOG,
	OPT_OUTPUT,
	OPT_SESSION,
	OPT_WIDTH,
	OPT_DKIM_SELECTOR,
	OPT_VIA,
	OPT_FROM,
	OPT_PROBES,
	OPT_VRESOLVER,
	OPT_API_URL,
	OPT_TOKEN_FILE,
	OPT_KEY_FILE,
	OPT_COUNT_ /* ids stay below 64: pw_params.given has a bit each */
};

/* "check, watch" for the M_* bits in modes. */
const char *params_modes_text(unsigned modes, char *buf, size_t len);

#endif
