/*
 * error.c -- the one table of propwatch error messages.
 */
#include <stddef.h>

#include "error.h"

static const char *const messages[] = {
	[0] = "success",
	[-PW_ENOMEM] = "out of memory",
	[-PW_EINVAL] = "malformed value",
	[-PW_ERANGE] = "value out of range",
	[-PW_EIO] = "input/output error",
	[-PW_EADDR] = "not an IPv4 or IPv6 address",
	[-PW_EPORT] = "port must be 1-65535",
	[-PW_ECOUNTRY] = "country must be a two-letter ISO 3166 code",
	[-PW_EFIELDS] = "expected ADDRESS COUNTRY OPERATOR [LABEL]",
	[-PW_EDUP] = "duplicate entry",
	[-PW_EFLAG] = "unknown flag (known: +anycast)",
	[-PW_ENAME] = "bad domain name",
	[-PW_ETYPE] = "unknown record type",
	[-PW_ERDATA] = "bad record data",
	[-PW_EUNIT] = "bad duration (use e.g. 500ms, 2s, 30m, 1h)",
	[-PW_EEMPTY] = "nothing left to query",
	[-PW_ESOCKET] = "socket set-up failed",
	[-PW_ETHREAD] = "cannot start worker thread",
	[-PW_EMALFORMED] = "malformed DNS message",
	[-PW_EMETATYPE] =
	        "a meta type (AXFR, IXFR, OPT, TSIG, TKEY, MAILA, MAILB) asks for no records",
	[-PW_ELOOPBACK] = "not a loopback address, and PROPWATCH_LOOPBACK_ONLY is set",
	[-PW_EMODE] = "does not apply to this subcommand",
	[-PW_ECANCELLED] = "interrupted",
	[-PW_EHTTP] = "HTTP request failed",
	[-PW_EAMBIG] = ("ambiguous: an IPv6 address with a port is written [2001:db8::1]:5353, "
	                "and this address alone as [2001:db8::1:5353]"),
	[-PW_EAUTH] = "the credentials were refused, or are needed",
	[-PW_ENOPROBES] = "no probe matched the locations asked for",
	[-PW_ECREDITS] = "not enough credits",
	[-PW_ERATELIMIT] = "rate limited",
	[-PW_EPENDING] = "the measurement was still in progress at the deadline",
	[-PW_EREQUEST] = "the measurement network refused the request",
	[-PW_ELIB] = "a shared library could not be loaded",
};

const char *pw_strerror(int err)
{
	if (err > 0 || err <= PW_ELAST || messages[-err] == NULL)
		return "unknown error";
	return messages[-err];
}
