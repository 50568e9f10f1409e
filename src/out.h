/*
 * out.h -- the non-interactive views of a report: text table, JSON, CSV.
 */
#ifndef PW_OUT_H
#define PW_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct report;

/* A table for people; colour only when asked (a TTY without NO_COLOR). */
void out_text(FILE *f, const struct report *r, bool color);
/* One JSON object (doc/INTERFACES.md). Returns 0 or a negative code. */
int out_json(FILE *f, const struct report *r);
/* A header line and a row per resolver. */
void out_csv(FILE *f, const struct report *r);

/* A DNS rcode's name ("NOERROR"), "-" for none. */
const char *out_rcode_name(int rcode, char *buf, size_t len);

#endif
