/*
 * vantage_int.h -- what the vantage modules share: the back-end's state,
 * the per-network operations, and the helpers for requests, waits and
 * messages (vantage.c, vantage_opts.c, vantage_globalping.c,
 * vantage_atlas.c, and the JSON files).
 */
#ifndef PW_VANTAGE_INT_H
#define PW_VANTAGE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http.h"
#include "vantage.h"
#include "vantage_json.h"

/* Seconds between polls of a Globalping measurement at least (its spec). */
#define GP_POLL_MIN 0.5
/* Atlas polls start this far apart and grow by half each time, up to the cap. */
#define ATLAS_POLL_FIRST 1.0
#define ATLAS_POLL_MAX   10.0
/* One HTTP request never takes longer than this (nor than the deadline). */
#define VANTAGE_REQ_TIMEOUT 30.0
/* 429s and 5xx answered with a retry, at most this many times a request. */
#define VANTAGE_RETRIES 5

struct vantage;

/* What differs between the networks. */
struct vantage_ops {
	const char *default_url; /* its API */
	const char *auth_scheme; /* "Bearer", "Key" */
	const char *cred_env;    /* GLOBALPING_TOKEN, RIPE_ATLAS_KEY */
	const char *cred_option; /* --token-file, --key-file */
	bool whole_rounds;       /* a round asks all of the rows */
	/* One measurement: rows NULL for the first (--from, --probes), else
	 * the rows to ask again. Results in *out. Returns 0, or a code with
	 * the reason in v->why. */
	int (*measure)(struct vantage *v, const size_t *rows, size_t nrows,
	               struct vantage_result **out, size_t *n);
	/* After the first: fill in what results lack (Atlas: country, ASN). */
	void (*describe)(struct vantage *v, struct vantage_result *res, size_t n);
	/* Credits left, asked when a report is made; -1 unknown. */
	long (*credits)(struct vantage *v);
};

extern const struct vantage_ops vantage_globalping_ops;
extern const struct vantage_ops vantage_atlas_ops;

struct vantage {
	struct vantage_cfg cfg;        /* as asked (strings belong to the caller) */
	const struct vantage_ops *ops; /* the network */
	const struct query *q;         /* the question */
	char base[512];                /* API base URL, no trailing '/' */
	char *auth;                    /* Authorization value ("Key K"), or NULL; wiped */
	char *secret;                  /* the credential alone, to keep it out of messages */
	char *from_json;               /* --from as the network's JSON, or NULL */
	struct http *http;             /* the connection */
	double deadline;               /* seconds each measurement may take */

	struct vantage_probe *rows; /* one per row, as the first measurement found them */
	size_t nrows;
	struct answer *first;   /* the first measurement's answers, until the first round */
	bool first_pending;     /* the first round has not been posted yet */
	char first_id[64];      /* the first measurement: its probes are the rows */
	char last_id[64];       /* the latest measurement */
	unsigned measurements;  /* created so far */
	struct http_limits lim; /* the latest rate-limit headers */
	double blocked_until;   /* no measurement before this (monotonic): rate limited */
	char blocked_why[96];   /* what rows say meanwhile */
	char last_warned[96];   /* the last round failure told on stderr */

	atomic_int cancelled; /* vantage_backend's cancel() was called */
	pthread_mutex_t lock; /* with cond: waits that a cancel ends */
	pthread_cond_t cond;
	const volatile int *stop; /* the caller's signal flag, or NULL */
	char why[320];            /* the last failure, for messages */
};

/* ---- helpers (vantage.c) ----------------------------------------------- */

/* Has a cancel or a signal come? */
bool vantage_stopped(struct vantage *v);
/* Sleep until clock_mono() >= until; false if stopped first. */
bool vantage_sleep_until(struct vantage *v, double until);

/*
 * One request to base + path by the end of `deadline` (monotonic), with
 * the credential. A 429 is waited out (Retry-After, else X-RateLimit-Reset)
 * and a 5xx retried when that fits before the deadline. Rate-limit headers
 * are kept in v->lim. Returns 0 with r filled for any other status, or a
 * code with the reason in v->why (PW_ERATELIMIT, PW_ECREDITS, PW_EHTTP,
 * PW_ECANCELLED).
 */
int vantage_call(struct vantage *v, const char *method, const char *path, const char *body,
                 double deadline, struct http_resp *r);

/* A response that is no success: its code and v->why ("Globalping: POST
 * /v1/measurements: 401 unauthorized: ..." and what to do), the secret
 * never in it. */
int vantage_refused(struct vantage *v, const char *what, const struct http_resp *r);

/* Set v->why (printf-style), with the secret taken out; returns rc. */
int vantage_fail(struct vantage *v, int rc, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- options (vantage_opts.c) ------------------------------------------ */

/* --from (NULL: anywhere) as the network's JSON: Globalping `locations`,
 * Atlas `probes` sources sharing `probes` between them. *json NULL for
 * Globalping's anywhere. Returns 0 or PW_EINVAL with the reason in err. */
int vantage_parse_from(enum vantage_net net, const char *from, long probes, char **json, char *err,
                       size_t errlen);
/* The credential from cfg->cred_file or the network's variable: *secret
 * NULL when there is none. Warns when the file is readable by others.
 * Returns 0 or PW_EINVAL/PW_EIO with the reason in err. */
int vantage_load_secret(const struct vantage_cfg *cfg, const struct vantage_ops *ops, char **secret,
                        char *err, size_t errlen);
/* Copy src into dst (len bytes): control characters as '?', cut at a
 * character boundary. */
void vantage_text(char *dst, size_t len, const char *src);

/* A response body as JSON (duplicate keys refused), or NULL with why in err. */
json_t *vantage_json_load(const char *body, size_t len, char *err, size_t errlen);
/* Replace every occurrence of secret in s (len bytes) with "***". */
void vantage_redact(char *s, size_t len, const char *secret);
/* 8 hex digits naming a key (FNV-1a). */
uint32_t vantage_hash(const char *s);

#endif
