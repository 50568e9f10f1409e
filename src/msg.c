/*
 * msg.c -- stderr message helpers.
 */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

int msg_verbose;

static void vmsg(const char *prefix, const char *fmt, va_list ap) PW_PRINTF(2, 0);

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* One fprintf per line keeps lines from worker threads whole. */
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "propwatch: %s%s\n", prefix, line);
}

void errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void infof(const char *fmt, ...)
{
	va_list ap;
	if (!msg_verbose)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}
