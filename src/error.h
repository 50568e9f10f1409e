/*
 * error.h -- propwatch error codes.
 *
 * Functions that can fail return 0 or a negative PW_E* code; pw_strerror()
 * maps a code to its one message, kept in a single table in error.c so the
 * wording stays consistent across modules (the kdig convention).
 */
#ifndef PW_ERROR_H
#define PW_ERROR_H

enum pw_err {
	PW_OK = 0,
	PW_ENOMEM = -1,      /* allocation failed */
	PW_EINVAL = -2,      /* malformed value */
	PW_ERANGE = -3,      /* value out of range */
	PW_EIO = -4,         /* file or socket I/O failed */
	PW_EADDR = -5,       /* not an IP address */
	PW_EPORT = -6,       /* bad port */
	PW_ECOUNTRY = -7,    /* bad country code */
	PW_EFIELDS = -8,     /* missing fields */
	PW_EDUP = -9,        /* duplicate entry */
	PW_EFLAG = -10,      /* unknown +flag */
	PW_ENAME = -11,      /* bad domain name */
	PW_ETYPE = -12,      /* unknown RR type */
	PW_ERDATA = -13,     /* bad record data */
	PW_EUNIT = -14,      /* unknown duration unit */
	PW_EEMPTY = -15,     /* nothing left (e.g. every resolver filtered out) */
	PW_ESOCKET = -16,    /* socket set-up failed */
	PW_ETHREAD = -17,    /* thread start failed */
	PW_EMALFORMED = -18, /* malformed DNS message */
	PW_EMETATYPE = -19,  /* a meta type (AXFR, OPT, ...) as the question */
	PW_ELOOPBACK = -20,  /* PROPWATCH_LOOPBACK_ONLY and a non-loopback address */
	PW_EMODE = -21,      /* an option given to a mode it does not apply to */
	PW_ECANCELLED = -22, /* interrupted */
	PW_EHTTP = -23,      /* an HTTP API failed */
	PW_EAMBIG = -24,     /* an IPv6 address that reads like address:port */
	PW_EAUTH = -25,      /* a measurement network refused or wants credentials */
	PW_ENOPROBES = -26,  /* no probe matched the locations asked for */
	PW_ECREDITS = -27,   /* not enough credits for the measurement */
	PW_ERATELIMIT = -28, /* rate limited past the deadline */
	PW_EPENDING = -29,   /* a measurement still in progress at the deadline */
	PW_EREQUEST = -30,   /* a measurement network refused the request as asked */
	PW_ELIB = -31,       /* a shared library loaded at first use is missing */
	PW_ELAST = -32
};

/* The message for code `err` (0 or negative); never NULL. */
const char *pw_strerror(int err);

#endif
