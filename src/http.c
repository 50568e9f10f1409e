/*
 * http.c -- requests to a measurement network's API with libcurl.
 */
#include <arpa/inet.h>
/* The functions are reached through pointers (below): curl's type-checking
 * macros would call them by name. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "error.h"
#include "http.h"
#include "lazylib.h"

/* Every libcurl function we call, loaded at the first --via (lazylib.h
 * says why); the macros after the table send each call through it. */
/* clang-format off */
#define CURL_FUNCTIONS(X, v) \
	X(v, curl_global_init) \
	X(v, curl_easy_init) \
	X(v, curl_easy_cleanup) \
	X(v, curl_easy_reset) \
	X(v, curl_easy_setopt) \
	X(v, curl_easy_perform) \
	X(v, curl_easy_getinfo) \
	X(v, curl_easy_strerror) \
	X(v, curl_free) \
	X(v, curl_getdate) \
	X(v, curl_slist_append) \
	X(v, curl_slist_free_all) \
	X(v, curl_url) \
	X(v, curl_url_cleanup) \
	X(v, curl_url_get) \
	X(v, curl_url_set)
/* clang-format on */
LAZYLIB_DEFINE(CURL_FUNCTIONS, cu, libcurl, "libcurl.so.4", "libcurl4");
#undef curl_easy_setopt /* curl.h's own macros check the argument count */
#undef curl_easy_getinfo
#define curl_global_init    cu.curl_global_init
#define curl_easy_init      cu.curl_easy_init
#define curl_easy_cleanup   cu.curl_easy_cleanup
#define curl_easy_reset     cu.curl_easy_reset
#define curl_easy_setopt    cu.curl_easy_setopt
#define curl_easy_perform   cu.curl_easy_perform
#define curl_easy_getinfo   cu.curl_easy_getinfo
#define curl_easy_strerror  cu.curl_easy_strerror
#define curl_free           cu.curl_free
#define curl_getdate        cu.curl_getdate
#define curl_slist_append   cu.curl_slist_append
#define curl_slist_free_all cu.curl_slist_free_all
#define curl_url            cu.curl_url
#define curl_url_cleanup    cu.curl_url_cleanup
#define curl_url_get        cu.curl_url_get
#define curl_url_set        cu.curl_url_set

#ifndef PW_VERSION
#define PW_VERSION "0.2.0"
#endif

struct http {
	CURL *curl;
	bool loopback_only;
};

/* What a transfer in progress writes to. */
struct xfer {
	struct http_resp *r;
	size_t cap;        /* bytes allocated for r->body */
	bool too_big;      /* the body passed HTTP_MAX_BODY */
	bool refused;      /* a connection outside loopback was refused */
	http_stop_fn stop; /* asked during the transfer */
	void *stop_ctx;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	if (lazylib_open(&libcurl) == PW_OK)
		init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int http_global_init(void)
{
	pthread_once(&init_once, global_init);
	return init_rc == CURLE_OK ? PW_OK : PW_EHTTP;
}

const char *http_why_not(void)
{
	return libcurl.rc < 0 ? libcurl.why : "libcurl's global set-up failed";
}

static bool sockaddr_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* Is host (as CURLU gives it: IPv6 in brackets) a loopback address literal? */
static bool host_loopback(const char *host)
{
	char buf[64];
	struct in_addr a4;
	struct in6_addr a6;
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof buf) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int http_check_url(const char *url, bool loopback_only, char *err, size_t errlen)
{
	if (http_global_init() < 0) {
		snprintf(err, errlen, "%s", http_why_not());
		return PW_ELIB;
	}
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL, *frag = NULL;
	int rc = PW_EINVAL;

	if (u == NULL) {
		snprintf(err, errlen, "%s", pw_strerror(PW_ENOMEM));
		return PW_ENOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		snprintf(err, errlen, "not a URL (expected http://HOST[:PORT][/PATH])");
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		snprintf(err, errlen, "only http and https URLs");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		snprintf(err, errlen, "no host (expected http://HOST[:PORT][/PATH])");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		snprintf(err, errlen,
		         "a user name or password in the URL would be sent and shown: "
		         "use --token-file or --key-file");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		snprintf(err, errlen, "a base URL takes no query or fragment");
		goto out;
	}
	if (loopback_only && !host_loopback(host)) {
		snprintf(err, errlen,
		         "host %.64s is not a loopback address (127.0.0.0/8 or [::1]), and "
		         "PROPWATCH_LOOPBACK_ONLY is set",
		         host);
		rc = PW_ELOOPBACK;
		goto out;
	}
	rc = PW_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

int http_new(struct http **h, const struct http_opts *o)
{
	*h = calloc(1, sizeof **h);
	if (*h == NULL)
		return PW_ENOMEM;
	if (http_global_init() < 0 || ((*h)->curl = curl_easy_init()) == NULL) {
		free(*h);
		*h = NULL;
		return PW_EHTTP;
	}
	(*h)->loopback_only = o->loopback_only;
	return PW_OK;
}

void http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

void http_resp_free(struct http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct http_resp *r = x->r;
	size_t n = size * nmemb;

	if (r->len + n > HTTP_MAX_BODY) {
		x->too_big = true;
		return 0; /* curl ends the transfer with a write error */
	}
	if (r->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		char *nb = realloc(r->body, cap);
		if (nb == NULL)
			return 0;
		r->body = nb;
		x->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* A whole number of seconds from a header value, -1 if it is none. */
static long header_long(const char *v)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == v || *end != '\0' || errno || n < 0)
		return -1;
	return n;
}

/* Retry-After: seconds, or an HTTP date. */
static double retry_after(const char *v)
{
	long n = header_long(v);
	if (n >= 0)
		return (double)n;
	time_t when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	double d = difftime(when, time(NULL));
	return d > 0 ? d : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct http_limits *l = &x->r->lim;
	size_t n = size * nmemb;
	char line[256], *colon, *v;

	if (n == 0 || n >= sizeof line)
		return n; /* none of ours is that long */
	memcpy(line, data, n);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue): its headers count. */
		*l = (struct http_limits){ -1, -1, -1, -1, -1, -1 };
		return n;
	}
	if ((colon = strchr(line, ':')) == NULL)
		return n;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (strcasecmp(line, "Retry-After") == 0)
		l->retry_after = retry_after(v);
	else if (strcasecmp(line, "X-RateLimit-Limit") == 0)
		l->rl_limit = header_long(v);
	else if (strcasecmp(line, "X-RateLimit-Remaining") == 0)
		l->rl_remaining = header_long(v);
	else if (strcasecmp(line, "X-RateLimit-Reset") == 0)
		l->rl_reset = header_long(v);
	else if (strcasecmp(line, "X-Credits-Remaining") == 0)
		l->credits_remaining = header_long(v);
	else if (strcasecmp(line, "X-Request-Cost") == 0)
		l->cost = header_long(v);
	return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct xfer *x = ctx;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return x->stop != NULL && x->stop(x->stop_ctx);
}

/* The last line of defence: no socket to anything but loopback. */
static curl_socket_t on_open(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = ctx;
	(void)purpose;
	if (!sockaddr_loopback(&a->addr)) {
		x->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static void wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p != NULL; p = p->next)
		memset(p->data, 0, strlen(p->data));
	curl_slist_free_all(l);
}

static void set_common(struct http *h, struct xfer *x, double timeout)
{
	CURL *c = h->curl;
	long ms = (long)ceil(timeout * 1000);

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "propwatch/" PW_VERSION);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 && ms < 10000 ? ms : 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (h->loopback_only) {
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	}
}

int http_request(struct http *h, const char *method, const char *url, const char *auth,
                 const char *body, double timeout, http_stop_fn stop, void *stop_ctx,
                 struct http_resp *r)
{
	struct curl_slist *hdr = NULL, *nh;
	char *authline = NULL;
	int rc = PW_OK;

	memset(r, 0, sizeof *r);
	r->lim = (struct http_limits){ -1, -1, -1, -1, -1, -1 };
	struct xfer x = { r, 0, false, false, stop, stop_ctx };
	set_common(h, &x, timeout);
	static const char *const fixed[] = { "Accept: application/json", "Expect:" };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if ((nh = curl_slist_append(hdr, fixed[i])) == NULL)
			goto nomem;
		hdr = nh;
	}
	if (body != NULL) {
		if ((nh = curl_slist_append(hdr, "Content-Type: application/json")) == NULL)
			goto nomem;
		hdr = nh;
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	}
	if (auth != NULL) {
		size_t n = strlen("Authorization: ") + strlen(auth) + 1;
		if ((authline = malloc(n)) == NULL)
			goto nomem;
		snprintf(authline, n, "Authorization: %s", auth);
		nh = curl_slist_append(hdr, authline);
		memset(authline, 0, n);
		free(authline);
		if (nh == NULL)
			goto nomem;
		hdr = nh;
	}
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	CURLcode cc = curl_easy_perform(h->curl);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
	} else if (cc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(r->error, sizeof r->error, "%s", pw_strerror(PW_ECANCELLED));
		rc = PW_ECANCELLED;
	} else {
		r->status = 0;
		if (x.too_big)
			snprintf(r->error, sizeof r->error, "the answer is larger than %u MiB",
			         HTTP_MAX_BODY >> 20);
		else if (x.refused)
			snprintf(r->error, sizeof r->error,
			         "refused to connect outside loopback (PROPWATCH_LOOPBACK_ONLY)");
		else
			snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(cc));
		rc = PW_EHTTP;
	}
	/* The handle keeps pointers to the list: clear them before it goes,
	 * and the credential with it. */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	wipe_free(hdr);
	if (rc < 0)
		http_resp_free(r);
	return rc;
nomem:
	wipe_free(hdr);
	snprintf(r->error, sizeof r->error, "%s", pw_strerror(PW_ENOMEM));
	return PW_EHTTP;
}
