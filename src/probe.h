/*
 * probe.h -- what `propwatch compare` asks each resolver, and what it
 * concludes from the answers.
 *
 * probe.c builds one list of engine jobs for every resolver: a warm-up and
 * --samples timed queries of NAME (cached latency and loss), a signed
 * name with DO and a
 * bogus one with and without CD (DNSSEC), random labels that cannot exist
 * under NAME and under a TLD (NXDOMAIN rewriting; the one under NAME,
 * which no cache can hold, also gives the cache-miss latency), EDNS
 * version 1 and an
 * unknown option (RFC 6891), NSID (RFC 5001), the CH TXT identity names,
 * NAME over TCP, and NAME with a client subnet (RFC 7871). One engine
 * sweep runs them all; the cache-dependent ones are sent after the
 * warm-up by job delays, so the whole comparison costs about one timeout.
 * probe_verdict.c turns each resolver's answers into a struct behaviour:
 * the engine records, this module judges, the views (probe_out.c) print.
 */
#ifndef PW_PROBE_H
#define PW_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "engine.h"
#include "query.h"

struct resolver;

enum probe_kind {
	PR_WARM,           /* NAME once, to fill the cache */
	PR_SAMPLE,         /* NAME again, --samples times, no retries: latency and loss */
	PR_SIGNED,         /* the signed name, DO set: AD and RRSIGs? */
	PR_BOGUS,          /* the bogus name, DO set: SERVFAIL if validating */
	PR_BOGUS_CD,       /* ... with CD: the data anyway */
	PR_NX_ZONE,        /* a random label under NAME (A): must be NXDOMAIN; miss latency */
	PR_NX_TLD,         /* a random label under NAME's TLD (A): must be NXDOMAIN */
	PR_EDNS1,          /* EDNS version 1: BADVERS expected */
	PR_UNKNOWN_OPT,    /* an unknown EDNS option: to be ignored */
	PR_NSID,           /* NSID requested */
	PR_ID_SERVER,      /* CH TXT id.server */
	PR_HOSTNAME_BIND,  /* CH TXT hostname.bind */
	PR_VERSION_BIND,   /* CH TXT version.bind */
	PR_VERSION_SERVER, /* CH TXT version.server */
	PR_TCP,            /* NAME over TCP */
	PR_ECS,            /* NAME with a client-subnet option */
	PR_COUNT
};

struct probe_opts {
	const char *name;        /* NAME: the cached name, and where NXDOMAIN is tried */
	int type;                /* its type */
	const char *signed_name; /* --signed */
	const char *bogus_name;  /* --bogus */
	int samples;             /* --samples */
};

/* Defaults of --signed and --bogus: long-standing public test names (a
 * zone signed since 2010; a zone whose signatures are broken on purpose). */
#define PROBE_SIGNED_DEFAULT "ietf.org"
#define PROBE_BOGUS_DEFAULT  "dnssec-failed.org"

/* Which probe job k is. */
struct probe_ref {
	uint32_t res;  /* resolver index */
	uint8_t kind;  /* enum probe_kind */
	uint8_t index; /* sample number (PR_SAMPLE) */
};

struct probe_set {
	struct probe_opts o;
	size_t nres;               /* resolvers */
	struct query q[PR_COUNT];  /* the questions every resolver gets */
	struct query *own;         /* per resolver: its nx-zone and nx-tld labels */
	char nx_probe[300];        /* one more label under NAME, for the authoritative check */
	struct engine_job *jobs;   /* the sweep, in order of delay */
	struct probe_ref *refs;    /* what each job is */
	struct answer *out;        /* the answers, jobs[k] -> out[k] */
	size_t njobs;              /* how many */
	size_t (*index)[PR_COUNT]; /* per resolver: the job of each kind (samples: the first) */
};

/* Build the probes of every targets[i]. Returns 0, PW_ENAME naming the bad
 * name in err, or PW_ENOMEM. */
int probe_build(struct probe_set *ps, const struct probe_opts *o,
                const struct resolver *const *targets, size_t n, char *err, size_t errlen);
void probe_free(struct probe_set *ps);

/* The answer to resolver r's probe of kind k (sample i for PR_SAMPLE). */
const struct answer *probe_answer(const struct probe_set *ps, size_t r, enum probe_kind k, int i);

/* ---- verdicts (probe_verdict.c) --------------------------------------- */

enum pw_dnssec { DNSSEC_UNKNOWN, DNSSEC_VALIDATES, DNSSEC_NO, DNSSEC_BROKEN };
enum pw_nx { NX_UNKNOWN, NX_OK, NX_REWRITES };
enum pw_ecs { ECS_UNKNOWN, ECS_HONOURED, ECS_ECHOED, ECS_ABSENT };

/* A yes/no answer that may be unknown (the probe could not run). */
enum pw_tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

#define PROBE_TEXT 128

/* How one resolver behaves, as the probes found. */
struct behaviour {
	bool answered;                             /* some probe got a reply */
	int samples, lost;                         /* latency samples sent, and lost */
	double lat_min, lat_p50, lat_p95, lat_max; /* ms; < 0 without a reply */
	double miss_ms;                            /* cache-miss latency, < 0 unknown */
	enum pw_dnssec dnssec;                     /* does it validate? */
	enum pw_tri signed_ad;                     /* AD on the signed name */
	enum pw_tri signed_rrsig;                  /* RRSIGs with it */
	enum pw_nx nxdomain;                       /* does it rewrite NXDOMAIN? */
	char rewrite_to[PROBE_TEXT];   /* the addresses it answers instead, space-separated */
	enum pw_tri tcp;               /* NAME answered over TCP */
	enum pw_tri edns;              /* OPT echoed on NAME */
	int udp_size;                  /* the size it advertises, -1 unknown */
	enum pw_tri badvers;           /* EDNS version 1 answered with BADVERS */
	enum pw_tri unknown_option_ok; /* an unknown option did not make it fail */
	char nsid[PROBE_TEXT];         /* NSID, "" none */
	char id_server[PROBE_TEXT];    /* CH TXT answers, "" none */
	char hostname_bind[PROBE_TEXT];
	char version_bind[PROBE_TEXT];
	char version_server[PROBE_TEXT];
	char site[PROBE_TEXT];      /* where it says it is: NSID, id.server or hostname.bind */
	char software[PROBE_TEXT];  /* what it says it runs: version.bind or version.server */
	enum pw_ecs ecs;            /* what it does with a client subnet */
	int ecs_scope;              /* the scope it echoed, -1 none */
	enum pw_tri case_preserved; /* echoes the 0x20 spelling of the question */
	unsigned anomalies;         /* TTL anomalies seen with --duration (ANOM_* bits) */
	bool anomalies_known;       /* --duration ran (both set after probe_judge) */
};

/* Judge resolver r. nx_confirmed: the authoritative servers answered
 * NXDOMAIN for a random label under NAME (so an address there is
 * rewriting); false when they could not be asked. */
void probe_judge(const struct probe_set *ps, size_t r, bool nx_confirmed, struct behaviour *b);

const char *dnssec_name(enum pw_dnssec d);
const char *nx_name(enum pw_nx n);
const char *ecs_name(enum pw_ecs e);

#endif
