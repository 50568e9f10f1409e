/*
 * http.h -- the little HTTP the measurement networks need, over libcurl.
 *
 * One easy handle per client, used by one thread at a time: a JSON body
 * out, a bounded body back, the status and the rate-limit headers the
 * networks send. Every request has a deadline and can be cancelled from
 * another thread. Nothing here prints, and the Authorization header is
 * passed in per request and never kept, logged or put in a message.
 *
 * With loopback_only (PROPWATCH_LOOPBACK_ONLY, every test sets it) a base
 * URL whose host is not a loopback address literal (127.0.0.0/8, ::1) is
 * refused before anything is sent, and every connection is checked again
 * as its socket opens, so no redirect or proxy can lead off the machine.
 */
#ifndef PW_HTTP_H
#define PW_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct http;

/* A response body larger than this is cut off and the request failed. */
#define HTTP_MAX_BODY (16u << 20)

struct http_opts {
	bool loopback_only; /* connect to 127.0.0.0/8 and ::1 only, and through no proxy */
};

/* The headers of a response that say how much may still be asked. */
struct http_limits {
	double retry_after;     /* Retry-After in seconds, -1 when absent */
	long rl_limit;          /* X-RateLimit-Limit, -1 when absent */
	long rl_remaining;      /* X-RateLimit-Remaining */
	long rl_reset;          /* X-RateLimit-Reset: seconds until the limit resets */
	long credits_remaining; /* X-Credits-Remaining */
	long cost;              /* X-Request-Cost */
};

struct http_resp {
	long status;            /* HTTP status, 0 when none came */
	char *body;             /* NUL-terminated, NULL when empty */
	size_t len;             /* bytes of body */
	struct http_limits lim; /* what the headers said */
	char error[160];        /* why no status came (or the body was cut), "" if it did */
};

/* Loads libcurl (lazylib.h) and sets it up, once; safe from any thread.
 * Returns 0 or PW_EHTTP, and then http_why_not() says why. */
int http_global_init(void);
const char *http_why_not(void);

int http_new(struct http **h, const struct http_opts *o);
void http_free(struct http *h);

/*
 * Check a base URL for an API: http or https, a host, no user name or
 * password in it, no query or fragment. With loopback_only the host must
 * be a loopback address literal. On error returns PW_EINVAL or
 * PW_ELOOPBACK with the reason in err (the URL itself is not repeated),
 * or PW_ELIB when libcurl cannot be loaded.
 */
int http_check_url(const char *url, bool loopback_only, char *err, size_t errlen);

/* Asked every few milliseconds during a transfer: true ends it. */
typedef bool (*http_stop_fn)(void *ctx);

/*
 * One request: method ("GET", "POST"), full URL, an Authorization header
 * value or NULL, a JSON body or NULL, and at most `timeout` seconds.
 * stop (may be NULL) returning true makes it return soon. Fills r (free
 * it with http_resp_free). Returns 0 when a status came (whatever it is),
 * PW_ECANCELLED, or PW_EHTTP with r->error saying why.
 */
int http_request(struct http *h, const char *method, const char *url, const char *auth,
                 const char *body, double timeout, http_stop_fn stop, void *stop_ctx,
                 struct http_resp *r);
void http_resp_free(struct http_resp *r);

#endif
