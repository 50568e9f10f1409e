/*
 * vantage.h -- many vantage points: the probes of a measurement network
 * (Globalping, RIPE Atlas) as the rows of the model.
 *
 * From one machine an anycast resolver answers from its nearest site only,
 * and ISP resolvers serve only their own customers. With --via, the
 * question is asked from the probes of a measurement network instead, each
 * through its own resolver (or --resolver). Each probe is a row, like a
 * local resolver: its answer becomes a struct answer (Atlas's abuf through
 * the same ldns path as a local reply, Globalping's records through the
 * same canonical form), so status, TTL track, ETA, the gate and every view
 * are the ones the local resolvers go through. Only where answers come
 * from differs: this module is a pipeline back-end.
 *
 * Rows are found by the first measurement (its probes, vantage_discover),
 * whose answers are the first round. Later rounds ask the same probes
 * again -- Globalping with the first measurement's id as `locations`, Atlas
 * with the probe ids -- and match the results to the rows by probe
 * identity. The ground truth stays local (--expect, --auth, or the zone's
 * servers found through local resolvers).
 */
#ifndef PW_VANTAGE_H
#define PW_VANTAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "pipeline.h"

struct engine;
struct query;
struct reslist;
struct vantage;

enum vantage_net { VIA_NONE = 0, VIA_GLOBALPING, VIA_ATLAS };

/* One vantage point: a probe and the resolver it asked through. */
struct vantage_probe {
	enum vantage_net net;  /* whose probe */
	char id[24];           /* Atlas: the probe id; Globalping (which has none):
	                          8 hex digits naming its location and network */
	char continent[3];     /* "EU"; "" unknown (Atlas gives none) */
	char country[3];       /* ISO 3166-1 alpha-2, "ZZ" unknown */
	char city[64];         /* "" unknown (Atlas gives none) */
	long asn;              /* -1 unknown */
	char network[96];      /* "Example Transit DE"; "" unknown (Atlas gives none) */
	char resolver[64];     /* the resolver it asked: an address, "private", "" unknown */
	bool private_resolver; /* that resolver is private: so said, or a private address */
	char key[256];         /* what identifies it from one measurement to the next */
};

/* What --via and its options ask for. */
struct vantage_cfg {
	enum vantage_net net;  /* which network */
	const char *api_url;   /* --api-url, NULL for the network's own */
	const char *from;      /* --from, NULL for anywhere */
	long probes;           /* --probes */
	const char *resolver;  /* --resolver, NULL: each probe's own */
	const char *cred_file; /* --token-file / --key-file, NULL: the environment */
	double timeout;        /* --timeout: each measurement's deadline is a multiple */
	bool dnssec;           /* --dnssec (Atlas only) */
	int family;            /* -4 / -6 (Atlas only), 0 default */
	bool loopback_only;    /* PROPWATCH_LOOPBACK_ONLY */
};

/* What the network said about what is left, and what was asked. */
struct vantage_report {
	enum vantage_net net;   /* which network */
	unsigned measurements;  /* measurements created */
	char first_id[64];      /* the one whose probes are the rows */
	char last_id[64];       /* the latest */
	size_t probes;          /* rows */
	struct http_limits lim; /* the latest rate-limit headers (Globalping) */
	long credits;           /* credits left (Atlas, X-Credits-Remaining), -1 unknown */
};

/* "Globalping", "RIPE Atlas" (for people) and "globalping", "atlas" (--via). */
const char *vantage_net_name(enum vantage_net n);
const char *vantage_net_key(enum vantage_net n);
/* --via's value; VIA_NONE if unknown. */
enum vantage_net vantage_net_parse(const char *s);
/* Measurement deadline for --timeout t: 15 t for Globalping, 150 t for
 * Atlas (whose one-off measurements take minutes), at least 2 s. */
double vantage_deadline(enum vantage_net n, double t);

/*
 * Check everything that needs no network (the URL, --from, --resolver, the
 * credential) and get ready. Returns 0, or a negative code with the reason
 * in err. stop (may be NULL): non-zero ends waits and requests at once.
 */
int vantage_open(struct vantage **v, const struct vantage_cfg *cfg, const struct query *q,
                 const volatile int *stop, char *err, size_t errlen);
void vantage_free(struct vantage *v);

/*
 * The first measurement: its probes become list's rows (each resolver's
 * probe field set), and their answers the first round's. Returns 0, or a
 * negative code with the reason in err: PW_EAUTH, PW_EREQUEST (usage),
 * PW_ENOPROBES, PW_ECREDITS, PW_ERATELIMIT, PW_EPENDING, PW_EHTTP,
 * PW_EMALFORMED (undecidable).
 */
int vantage_discover(struct vantage *v, struct reslist *list, char *err, size_t errlen);

/* The exit status for a failed vantage_open() or vantage_discover(). */
int vantage_exit_status(int rc);

/* This network as the pipeline's back-end; the truth stays with truth_e. */
struct pipeline_backend vantage_backend(struct vantage *v, struct engine *truth_e);
/* Does every round ask every row? (Globalping re-asks all of a
 * measurement's probes at once.) */
bool vantage_whole_rounds(const struct vantage *v);

/* What is left and what was asked, for the views; call between rounds
 * (it may ask the network for the credits left). */
void vantage_report(struct vantage *v, struct vantage_report *r);
/* The limits as a phrase ("244 of 250 tests left, reset in 59m 59s"), ""
 * when the network sent none. */
const char *vantage_limits_text(const struct http_limits *l, char *buf, size_t len);

#endif
