/*
 * reslist.h -- the resolver list: loading, validation and filtering.
 *
 * A list file holds one resolver per line (see resolvers.txt for the format).
 * Loading is strict: the first bad line stops it with an error naming
 * file:line, because a silently skipped resolver would skew every verdict.
 */
#ifndef PW_RESLIST_H
#define PW_RESLIST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

struct vantage_probe;

/* An IPv4 or IPv6 socket address: what a resolver needs, in 28 bytes
 * where sockaddr_storage takes 128 (a list may hold 60,000). */
union pw_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct resolver {
	union pw_sockaddr addr; /* where queries go (port included) */
	socklen_t addrlen;      /* length of addr for sendto() */
	char host[64];          /* address as text, without port or brackets */
	unsigned short port;    /* UDP/TCP port, 53 unless the list says */
	char country[3];        /* ISO 3166-1 alpha-2, "ZZ" when unknown */
	char *operator_name;    /* who runs it ("Google"), never NULL */
	char *label;            /* free text from the list, never NULL */
	bool anycast;           /* the list marks it +anycast */
	unsigned line;          /* line in the list file, for messages */
	/* With --via: the measurement network's probe that asks, through the
	 * resolver named in host (vantage.h); NULL for a resolver asked from here. */
	const struct vantage_probe *probe;
};

struct reslist {
	struct resolver *v; /* the resolvers, in file order */
	size_t n;           /* how many */
};

/* Filters applied after loading; zero/NULL members mean "no filter". */
struct reslist_filter {
	const char **countries; /* keep these countries (case-insensitive) */
	size_t ncountries;      /* length of countries */
	const char **operators; /* keep these operators (case-insensitive) */
	size_t noperators;      /* length of operators */
	int family;             /* AF_INET or AF_INET6 to keep only one */
	size_t limit;           /* keep at most this many */
};

/*
 * Load `path` into `list`. On error returns a negative code and writes a
 * message naming path:line into err (which is always NUL-terminated).
 * Duplicate addresses are an error too.
 */
int reslist_load(const char *path, struct reslist *list, char *err, size_t errlen);
/* The same from an open stream; path names it in messages. */
int reslist_read(FILE *f, const char *path, struct reslist *list, char *err, size_t errlen);

/* Parse one line (no newline). Returns 1 for a resolver, 0 for a blank or
 * comment line, or a negative code; `what` gets detail on error. */
int reslist_parse_line(const char *line, struct resolver *r, char *what, size_t whatlen);

/* Parse "ADDR", "ADDR:PORT", "[V6]:PORT" into r->addr/host/port. */
int reslist_parse_addr(const char *s, unsigned short defport, struct resolver *r);

/* Keep only the resolvers that pass `f`, in order. */
void reslist_apply(struct reslist *list, const struct reslist_filter *f);

/* The list to use when -r is not given: $PROPWATCH_RESOLVERS, then the
 * installed data dir, then ./resolvers.txt. NULL if none exists. */
const char *reslist_default_path(void);

void reslist_free(struct reslist *list);
void resolver_clear(struct resolver *r);

/* "1.2.3.4", "1.2.3.4:5353", "[::1]:5353" into buf. */
const char *resolver_addrstr(const struct resolver *r, char *buf, size_t len);

#endif
