/*
 * mail_lint.h -- the checks of `propwatch mail`: is a domain's mail DNS
 * right?
 *
 * Every check has a stable id, a severity and an area, in one table
 * (mail_lint.c). The lint reads the domain's records through a callback
 * (struct mail_input): the subcommand answers from the zone's
 * authoritative servers and, for names outside the zone, from resolvers
 * (mail_dns.h); unit tests answer from a table in memory. So the checks
 * themselves do no I/O, and run on synthetic record sets. Each finding
 * names the record, says what is wrong and gives the fix in one sentence.
 */
#ifndef PW_MAIL_LINT_H
#define PW_MAIL_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "msg.h"

enum mail_sev { SEV_ERROR, SEV_WARNING, SEV_INFO, SEV_COUNT };

/* Where a check belongs; the text view groups findings by it. */
enum mail_area {
	AREA_MX,
	AREA_SPF,
	AREA_DMARC,
	AREA_DKIM,
	AREA_TLS, /* MTA-STS, TLS-RPT and DANE */
	AREA_DNSSEC,
	AREA_PROPAGATION,
	AREA_COUNT
};

enum mail_check_id {
	CK_MX_MISSING,
	CK_MX_NULL,
	CK_MX_NULL_CONFLICT,
	CK_MX_TARGET_IP,
	CK_MX_TARGET_CNAME,
	CK_MX_TARGET_UNRESOLVABLE,
	CK_MX_TARGET_DOUBLED,
	CK_MX_DUPLICATE,
	CK_MX_SINGLE,
	CK_MX_SAME_PREFERENCE,
	CK_MX_NO_IPV6,
	CK_SPF_MISSING,
	CK_SPF_MULTIPLE,
	CK_SPF_SYNTAX,
	CK_SPF_LOOKUPS,
	CK_SPF_VOID_LOOKUPS,
	CK_SPF_ALL_PERMISSIVE,
	CK_SPF_NO_ALL,
	CK_SPF_PTR,
	CK_SPF_INCLUDE_MISSING,
	CK_SPF_LOOP,
	CK_DMARC_MISSING,
	CK_DMARC_MULTIPLE,
	CK_DMARC_SYNTAX,
	CK_DMARC_POLICY_NONE,
	CK_DMARC_RUA_INVALID,
	CK_DMARC_RUA_UNAUTHORIZED,
	CK_DKIM_MISSING,
	CK_DKIM_SYNTAX,
	CK_DKIM_REVOKED,
	CK_DKIM_WEAK_KEY,
	CK_MTA_STS_SYNTAX,
	CK_TLSRPT_SYNTAX,
	CK_DANE_TLSA,
	CK_DANE_WITHOUT_DNSSEC,
	CK_DNSSEC_UNSIGNED,
	CK_DNSSEC_BOGUS,
	CK_PROPAGATION_INCOMPLETE,
	CK_COUNT
};

struct mail_check {
	const char *id;      /* stable, as in the output ("mx-target-cname") */
	enum mail_sev sev;   /* its severity (spf-all-permissive: ?all is a warning) */
	enum mail_area area; /* where it is shown */
};

/* The table: mail_checks[id]. */
extern const struct mail_check mail_checks[CK_COUNT];

const char *mail_sev_name(enum mail_sev s);
const char *mail_area_name(enum mail_area a);

struct mail_finding {
	enum mail_check_id check;
	enum mail_sev sev; /* usually mail_checks[check].sev */
	char *record;      /* "NAME TYPE" the finding is about */
	char *message;     /* what is wrong */
	char *fix;         /* what to do, one sentence */
};

/* One lookup as the lint reads it. */
struct mail_rr {
	int rcode;            /* 0 NOERROR, 3 NXDOMAIN, -1 no usable answer */
	char *const *records; /* canonical records (answer.h), sorted */
	size_t n;             /* how many */
	bool ad;              /* through resolvers: validated (AD) */
};
/* Look up (name, type) into out, whose pointers must stay valid until
 * mail_lint() returns. Returns 0 or a negative code (PW_ENOMEM). */
typedef int (*mail_resolve_fn)(void *ctx, const char *name, int type, struct mail_rr *out);

/* The zone's DNSSEC state, as validating resolvers report it. */
enum mail_dnssec {
	DNSSEC_UNKNOWN, /* not judged (no resolver answered) */
	DNSSEC_SECURE,  /* validated: AD */
	DNSSEC_INSECURE,
	DNSSEC_BOGUS,
};

struct mail_input {
	const char *domain;           /* absolute, lower case: "example.com." */
	const char *zone;             /* the apex of its zone, likewise */
	const char *const *selectors; /* --dkim-selector values */
	size_t nselectors;            /* how many */
	enum mail_dnssec dnssec;      /* the zone's DNSSEC state */
	const char *dnssec_note;      /* how that was judged, for the message */
	mail_resolve_fn resolve;      /* how records are read */
	void *ctx;                    /* for resolve() */
};

/* A host an MX record names (not ".", not an IP literal). */
struct mail_target {
	char *name;     /* absolute, lower case */
	bool addresses; /* it resolves to an A or AAAA (through CNAMEs too) */
	bool cname;     /* the name is a CNAME */
};

struct mail_report {
	struct mail_finding *v;      /* findings, in the order found */
	size_t n;                    /* how many */
	struct mail_target *targets; /* distinct MX targets, in MX order */
	size_t ntargets;             /* how many */
	int error;                   /* PW_ENOMEM if something was lost */
};

/* Run every check. Returns 0, or the callback's negative code. */
int mail_lint(const struct mail_input *in, struct mail_report *r);
void mail_report_free(struct mail_report *r);

/* Add a finding: record "NAME TYPE", the fix, and the message from fmt. */
void mail_add(struct mail_report *r, enum mail_check_id id, const char *record, const char *fix,
              const char *fmt, ...) PW_PRINTF(5, 6);
/* Findings of severity s. */
size_t mail_count(const struct mail_report *r, enum mail_sev s);

#endif
