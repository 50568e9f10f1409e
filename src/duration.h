/*
 * duration.h -- durations with units ("500ms", "2s", "30m", "1h", "1m30s").
 */
#ifndef PW_DURATION_H
#define PW_DURATION_H

/* Parse `s` into seconds. A bare number means seconds. Returns 0 or PW_EUNIT. */
int duration_parse(const char *s, double *seconds);

/* Format seconds compactly ("6m 12s", "850ms", "1h 02m") into buf. */
const char *duration_format(double seconds, char *buf, unsigned len);

/* The same for whole seconds, never "ms": "45s", "6m 12s", "1h 02m". */
const char *duration_format_whole(long seconds, char *buf, unsigned len);

/* A moment on a time axis whose ticks are `step` apart: "1.5s" for steps
 * under a second, else as duration_format_whole(). */
const char *duration_format_tick(double seconds, double step, char *buf, unsigned len);

#endif
