/*
 * mailtxt.h -- the text inside the TXT records that mail DNS is made of.
 *
 * The engine keeps records in presentation form (answer.h): a TXT record
 * is one or more quoted strings with \" \\ and \DDD escapes. SPF, DMARC,
 * DKIM, MTA-STS and TLS-RPT all read the strings joined with nothing
 * between them (RFC 7208 3.3, RFC 6376 3.6.2.2), so that is done here once.
 * DMARC, DKIM, MTA-STS and TLS-RPT then write tag=value lists separated by
 * ';' (RFC 6376 3.2), and DMARC and TLS-RPT name report addresses as
 * mailto: (and https:) URIs: both are split and checked here too, and each
 * record's parser judges the tags it knows. Everything here reads data
 * from the network: lengths are bounded and nothing is trusted.
 */
#ifndef PW_MAILTXT_H
#define PW_MAILTXT_H

#include <stdbool.h>
#include <stddef.h>

/* The text of one TXT record given in presentation form, its strings
 * joined; NULL when out of memory. A NUL byte (\000) becomes DEL (0x7f),
 * which no mail record allows, so a parser rejects the record rather than
 * read a shorter string. Text outside quotes is taken as it stands. */
char *mailtxt_join(const char *presentation);

/* A tag=value list split in place: names and values point into the text,
 * trimmed of the white space around them. */
#define MAILTAG_MAX 32
struct mailtag {
	char *name;  /* tag name */
	char *value; /* its value, possibly "" */
};
struct mailtags {
	struct mailtag v[MAILTAG_MAX]; /* in the order written */
	size_t n;                      /* how many */
};

/* Split text (modified: NULs are written into it) into tags, RFC 6376
 * 3.2: tag-name = ALPHA *(ALPHA / DIGIT / "_"), values of printable
 * characters and white space, ';' between tags, one at the end allowed.
 * A tag given twice is an error. Returns 0, or PW_EINVAL with why in err. */
int mailtags_split(char *text, struct mailtags *t, char *err, size_t errlen);
/* The tag called name (compared without case when nocase), or NULL. */
const struct mailtag *mailtags_find(const struct mailtags *t, const char *name, bool nocase);

/* Does text begin with the version tag `version` ("v=DMARC1"), exactly as
 * written, followed by ';', white space or the end? */
bool mailtxt_has_prefix(const char *text, const char *version);

/* Check a mailto: URI (RFC 6068, one address) and put the domain of its
 * address, lower case and without a trailing dot, into domain. Returns 0,
 * or PW_EINVAL with why in err. */
int mailtxt_mailto(const char *uri, char *domain, size_t dlen, char *err, size_t errlen);
/* Check an https: URI: "https://HOST[:PORT][/PATH]". Returns 0 or PW_EINVAL. */
int mailtxt_https(const char *uri, char *err, size_t errlen);

/* Is s a host name: dot-separated labels of letters, digits, '-' and '_'
 * (for service labels), each 1-63 long and not starting or ending with
 * '-', at most 253 in all, one trailing dot allowed? */
bool mailtxt_hostname(const char *s);

#endif
