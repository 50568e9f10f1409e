/*
 * tlspolicy.h -- the TXT records that announce SMTP TLS policy: MTA-STS
 * at _mta-sts.DOMAIN (RFC 8461 3.1) and TLS-RPT at _smtp._tls.DOMAIN
 * (RFC 8460 3).
 *
 * Both are ';'-separated fields after a version field that must come
 * first, exactly as written ("v=STSv1", "v=TLSRPTv1"); a sender keeps
 * only the records that begin with it and ignores the domain's policy
 * unless exactly one is left.
 */
#ifndef PW_TLSPOLICY_H
#define PW_TLSPOLICY_H

#include <stdbool.h>
#include <stddef.h>

/* Does text begin with v=STSv1 (and so counts as an MTA-STS record)? */
bool sts_is_record(const char *text);
/* "v=STSv1; id=ID" with ID 1-32 letters and digits, and extension fields
 * NAME=VALUE. Returns 0 with the id in id, or PW_EINVAL with why in err. */
int sts_parse(const char *text, char *id, size_t idlen, char *err, size_t errlen);

/* Does text begin with v=TLSRPTv1? */
bool tlsrpt_is_record(const char *text);
/* "v=TLSRPTv1; rua=URI[,URI...]" with mailto: or https: URIs, and
 * extension fields. Returns 0, or PW_EINVAL with why in err. */
int tlsrpt_parse(const char *text, char *err, size_t errlen);

#endif
