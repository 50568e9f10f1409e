/*
 * fuzz_log.c -- the --log reader (timeline_read.c) with any bytes, as
 * `propwatch timeline` would meet a log from a ticket; and whatever it
 * accepts is rendered as text and CSV (the renderers trust the model).
 */
#include <stdint.h>
#include <stdio.h>

#include "timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct timeline tl;
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	int session = data[0] % 3; /* the last, the first, the second */
	if (timeline_read(f, "fuzz", session, &tl, err, sizeof err) == 0) {
		FILE *out = fopen("/dev/null", "w");
		if (out != NULL) {
			timeline_text(out, &tl, 40 + data[size - 1] % 200, true);
			timeline_csv(out, &tl);
			fclose(out);
		}
		timeline_free(&tl);
	}
	fclose(f);
	return 0;
}
