/*
 * duration.c -- parse and format durations.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "error.h"

static const struct {
	const char *unit;
	double scale;
} units[] = {
	{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
};

int duration_parse(const char *s, double *seconds)
{
	double total = 0;
	int parts = 0;

	if (s == NULL || *s == '\0')
		return PW_EUNIT;
	while (*s) {
		char *end;
		double v;
		size_t i, n;

		/* Plain decimals only: strtod would also take hex and exponents. */
		size_t k = 0, dots = 0;
		while (isdigit((unsigned char)s[k]) || (s[k] == '.' && dots++ == 0))
			k++;
		if (k == 0 || (k == 1 && s[0] == '.'))
			return PW_EUNIT;
		v = strtod(s, &end);
		if (end != s + k)
			return PW_EUNIT;
		if (end == s || !isfinite(v) || v < 0)
			return PW_EUNIT;
		s = end;
		for (n = 0; isalpha((unsigned char)s[n]); n++)
			;
		if (n == 0) {
			/* A bare number is seconds, but only on its own. */
			if (parts > 0 || *s != '\0')
				return PW_EUNIT;
			total = v;
			break;
		}
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strlen(units[i].unit) == n && strncmp(s, units[i].unit, n) == 0)
				break;
		if (i == sizeof units / sizeof units[0])
			return PW_EUNIT;
		total += v * units[i].scale;
		s += n;
		parts++;
	}
	if (total > 366.0 * 86400)
		return PW_EUNIT;
	*seconds = total;
	return PW_OK;
}

const char *duration_format(double sec, char *buf, unsigned len)
{
	if (sec < 0)
		sec = 0;
	if (sec > 0 && lround(sec * 1000) < 1000) {
		snprintf(buf, len, "%dms", (int)lround(sec * 1000));
		return buf;
	}
	return duration_format_whole(lround(sec), buf, len);
}

const char *duration_format_whole(long s, char *buf, unsigned len)
{
	if (s < 60)
		snprintf(buf, len, "%lds", s);
	else if (s < 3600)
		snprintf(buf, len, "%ldm %02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%ldh %02ldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, len, "%ldd %02ldh", s / 86400, (s % 86400) / 3600);
	return buf;
}

const char *duration_format_tick(double sec, double step, char *buf, unsigned len)
{
	if (step < 1 && sec < 60) {
		snprintf(buf, len, "%.*fs", step < 0.1 ? 2 : 1, sec);
		return buf;
	}
	return duration_format_whole(lround(sec), buf, len);
}
