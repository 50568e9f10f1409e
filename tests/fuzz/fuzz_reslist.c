/*
 * fuzz_reslist.c -- the resolver list parser with any bytes: one line,
 * one address (as --auth takes it), and a whole file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reslist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), what[256], err[512];
	struct resolver r;
	struct reslist list;
	memcpy(s, data, size);
	s[size] = '\0';
	if (reslist_parse_line(s, &r, what, sizeof what) == 1)
		resolver_clear(&r);
	memset(&r, 0, sizeof r);
	(void)reslist_parse_addr(s, 53, &r);
	free(s);

	/* The whole file, through the reader (lines, NULs, BOM, duplicates). */
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	if (f == NULL)
		return 0;
	if (size > 0 && reslist_read(f, "fuzz", &list, err, sizeof err) == 0)
		reslist_free(&list);
	fclose(f);
	return 0;
}
