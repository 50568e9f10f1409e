/*
 * mail_lint_int.h -- what the lint's files share: one function per area
 * (mail_lint_mx.c, mail_lint_auth.c, mail_lint_tls.c) and small helpers
 * (mail_lint.c).
 */
#ifndef PW_MAIL_LINT_INT_H
#define PW_MAIL_LINT_INT_H

#include "mail_lint.h"

/* Each returns 0, or the resolve callback's negative code. */
int lint_mx(const struct mail_input *in, struct mail_report *r);
int lint_spf(const struct mail_input *in, struct mail_report *r);
int lint_dmarc(const struct mail_input *in, struct mail_report *r);
int lint_dkim(const struct mail_input *in, struct mail_report *r);
int lint_tls(const struct mail_input *in, struct mail_report *r); /* MTA-STS, TLS-RPT, DANE */
void lint_dnssec(const struct mail_input *in, struct mail_report *r);

/* Look up (name, type) through the input's callback; out->rcode is -1 on
 * anything but an answer. */
int lint_resolve(const struct mail_input *in, const char *name, int type, struct mail_rr *out);

/* The joined text of each record of rr (mailtxt_join), NULL-terminated;
 * *n gets how many. NULL when out of memory. Free with lint_texts_free. */
char **lint_texts(const struct mail_rr *rr, size_t *n);
void lint_texts_free(char **texts);

/* The TXT records at PREFIX.DOMAIN (its name into name, "NAME TXT" into
 * rec, each of 310 bytes) of which is_record says they are the policy:
 * t->text the first, t->count how many. Returns 1 when there is no usable
 * answer (nothing to judge), 0, or a negative code; free t->texts with
 * lint_texts_free. */
struct lint_txt {
	char **texts;
	const char *text;
	size_t count;
};
int lint_versioned_txt(const struct mail_input *in, const char *prefix,
                       bool (*is_record)(const char *), char *name, char *rec, struct lint_txt *t);

/* "PREFIX.NAME" into buf (NAME absolute). */
const char *lint_name(char *buf, size_t len, const char *prefix, const char *name);

/* Is name the zone's apex or below it (both absolute, any case)? */
bool lint_in_zone(const char *name, const char *zone);

/* Set the severity of the last finding (a check whose severity varies). */
void lint_last_sev(struct mail_report *r, enum mail_sev s);

#endif
