/*
 * responder.h - shared types of pw-responder, the scripted loopback DNS
 * responder used by propwatch's integration tests and benchmark.
 *
 * One process serves many endpoints (ADDRESS:PORT pairs on 127/8 and ::1),
 * each with a scripted behaviour.  Data flow:
 *
 *   responder_config.c    config file -> struct config (sets, behaviours,
 *                         endpoints, endpoint hash index)
 *   responder_sets.c      record sets: answer lookup for serve=SET
 *   responder_bind.c      endpoints -> bound UDP/TCP sockets (reconciled on
 *                         SIGHUP so unchanged sockets are kept)
 *   responder_udp.c       recvmmsg/sendmmsg loop, IP_PKTINFO addressing
 *   responder_tcp.c       TCP listeners and connections
 *   responder_respond.c   applies an endpoint's behaviour to one query
 *   responder_query.c     query parsing (fast wire path + ldns_wire2pkt)
 *   responder_reply.c     builds reply wire with ldns
 *   responder_cache.c     reply wire cache (the ID/0x20 case is patched in)
 *   responder_timer.c     heap of delayed replies
 *   responder_stats.c     per-endpoint query counters (-s FILE, SIGUSR1)
 *   responder_util.c      time, PRNG, parsing and formatting helpers
 *   responder_main.c      CLI, signals, event loop, reload, shutdown
 *
 * Everything runs on one thread: the hot path is a cache hit plus a memcpy,
 * which is far cheaper than the kernel's per-datagram cost, so a second
 * thread would buy little on a 2-core box that also runs the client.
 */
#ifndef PW_RESPONDER_H
#define PW_RESPONDER_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RSP_MAX_UDP       4096    /* UDP replies never exceed this (EDNS size is clamped) */
#define RSP_MAX_MSG       65535   /* DNS message limit (TCP) */
#define RSP_BATCH         64      /* datagrams per recvmmsg/sendmmsg */
#define RSP_MAX_ENDPOINTS 1000000 /* sanity cap for range/portrange */
#define RSP_AUTO_WILDCARD 32      /* bind=auto: more addresses than this on a port -> wildcard */
#define RSP_MAX_CONNS     4096    /* concurrent TCP connections */
#define RSP_TCP_IDLE_MS   15000   /* idle TCP connections are closed after this */
#define RSP_MAX_PENDING   262144  /* delayed replies held at once */

#define RSP_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* An endpoint address.  Compared and hashed as raw bytes, so unused bytes
 * must be zero (always build keys from a memset or key_* helpers). */
struct ep_key {
	uint8_t family; /* 4 or 6 */
	uint8_t zero;
	uint16_t port;    /* host byte order */
	uint8_t addr[16]; /* IPv4 uses addr[0..3], network order */
};

enum rsp_mode {
	MODE_SERVE,      /* answer from a record set */
	MODE_NXDOMAIN,   /* forced NXDOMAIN (+ SOA of serve= set if any) */
	MODE_NODATA,     /* forced NOERROR/NODATA (+ SOA) */
	MODE_RCODE,      /* servfail, refused, rcode=X: header + question only */
	MODE_SILENT,     /* never answer */
	MODE_GARBAGE,    /* query ID + junk that does not parse */
	MODE_GARBAGE_RAW /* purely random bytes */
};

/* A named record set ("set NAME RR..." lines). */
struct rset {
	char *name;
	ldns_rr_list *rrs;
	const ldns_rr *soa; /* first SOA of the set (borrowed from rrs), for negatives */
	int line;           /* first line, for messages */
};

/* What an endpoint does.  Endpoints with the same token text share one
 * behaviour, which keeps the reply cache small for 10,000-address ranges. */
struct behaviour {
	char *text;   /* canonical token text: interning + reload comparison */
	unsigned idx; /* index in config.behs; part of reply cache keys */
	int line;
	enum rsp_mode mode;
	int rcode; /* MODE_RCODE */
	char *serve_name, *then_name;
	int serve, then; /* set indexes, -1 if none */
	int64_t ttl;     /* ttl=N override, -1 if none */
	uint32_t delay_min_ms, delay_max_ms;
	uint64_t expire_ms; /* 0 = no expire */
	bool expire_from_first;
	double drop;           /* UDP loss probability 0..1 */
	uint64_t silent_after; /* answer this many queries, then none; 0 = always answer */
	bool truncate, wrong_id, wrong_question, wrong_source, aa, ad, nora;
	char *nsid; /* nsid=TEXT: sent to queries that ask for it (RFC 5001), or NULL */
};

struct endpoint {
	struct ep_key key;
	struct behaviour *b;
	int line;
	int64_t t0_ms; /* expire clock start, -1 = not started (from-first) */
	uint64_t n_udp, n_tcp;
};

enum bind_mode { BIND_AUTO, BIND_WILDCARD, BIND_SPECIFIC };

struct config {
	char *path;
	struct rset *sets;
	size_t nsets, capsets;
	struct behaviour **behs;
	size_t nbehs, capbehs;
	uint32_t *bhash; /* behaviour interning table: index+1, 0 = empty */
	size_t bhcap;
	struct endpoint *eps;
	size_t neps, capeps;
	uint32_t *ht; /* endpoint index table: index+1, 0 = empty */
	size_t htcap;
	enum bind_mode bind_mode;
	uint64_t seed;
	bool seed_set;
};

/* ---- sockets and server state ---- */

enum fd_kind { FDK_FREE, FDK_UDP, FDK_TCP_LISTEN, FDK_TCP_CONN, FDK_SIGNAL, FDK_AUX };

/* Per-fd bookkeeping.  `gen` changes whenever the fd is closed, so epoll
 * events and delayed replies that name a stale (reused) fd are ignored. */
struct fdslot {
	uint8_t kind;
	uint32_t gen;
	void *obj;
};

/* One bound address:port (wildcard = 0.0.0.0:port) with its UDP socket and
 * TCP listener. */
struct bindsock {
	struct ep_key key;
	bool wildcard;
	bool keep; /* reconcile mark */
	int udp_fd, tcp_fd;
};

struct conn {
	int fd;
	struct ep_key local; /* from getsockname(): which endpoint was dialled */
	struct sockaddr_storage peer;
	uint8_t *rbuf;
	size_t rlen, rcap;
	uint8_t *wbuf;
	size_t wlen, woff, wcap;
	int64_t last_ms;
	bool want_out;
	struct conn *prev, *next;
};

/* A reply waiting for its delay= to pass. */
struct pending {
	int64_t due_ms;
	int fd;
	uint32_t gen;
	bool tcp;
	socklen_t peerlen;
	struct sockaddr_storage peer;
	struct ep_key src; /* UDP source address to send from */
	size_t len;
	uint8_t wire[];
};

struct reply_cache;
struct udp_batch;

struct server {
	struct config *cfg;
	int epfd, sigfd;
	struct fdslot *fds;
	int nfds;
	struct bindsock **binds;
	size_t nbinds, capbinds;
	struct conn *conns;
	size_t nconns;
	struct pending **heap;
	size_t nheap, capheap;
	struct reply_cache *cache;
	ldns_buffer *lbuf; /* reused by ldns_pkt2buffer_wire (no 64 KiB malloc per reply) */
	uint64_t rng;
	int aux6_fd; /* ephemeral [::1] socket for IPv6 wrong-source */
	bool verbose;
	const char *stats_path;
	struct udp_batch *ub;
	uint8_t *tcpout; /* RSP_MAX_MSG scratch for TCP replies */
	struct {
		uint64_t udp_in, tcp_in, unmatched, sent, send_errors, overload;
	} st;
};

/* ---- query / reply ---- */

struct query {
	uint16_t id;
	uint8_t opcode;
	bool rd, cd;
	uint16_t qtype, qclass;
	size_t qname_len;
	uint8_t qname[256]; /* wire form, case as asked */
	uint8_t lname[256]; /* lower-cased copy (cache key, lookups) */
	bool edns, do_bit;
	bool nsid; /* an NSID option was asked for */
	uint16_t udp_size;
};

enum qparse { QP_OK, QP_SLOW, QP_IGNORE, QP_FORMERR, QP_NOTIMP };

enum rsp_action { ACT_NONE, ACT_SEND, ACT_CLOSE };

struct rsp_out {
	uint8_t *buf;
	size_t cap, len;
	uint32_t delay_ms;
	bool other_source; /* wrong-source: send from another address/port */
};

/* responder_util.c */
int64_t now_ms(void);
uint64_t rng_next(uint64_t *state);
double rng_double(uint64_t *state);
void rsp_log(const char *fmt, ...) RSP_PRINTF(1, 2);
int parse_duration_ms(const char *s, uint64_t *ms);
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int parse_percent(const char *s, double *p);
int key_parse(const char *s, bool port_required, struct ep_key *k);
void key_format(const struct ep_key *k, char *buf, size_t len);
bool key_is_loopback(const struct ep_key *k);
void key_from_sockaddr(const struct sockaddr_storage *ss, struct ep_key *k);
socklen_t key_to_sockaddr(const struct ep_key *k, struct sockaddr_storage *ss);
bool sockaddr_is_loopback(const struct sockaddr_storage *ss);
uint64_t hash_bytes(const void *p, size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);

/* responder_config.c */
struct config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct config *c);
struct endpoint *config_find(const struct config *c, const struct ep_key *k);
void config_inherit(struct config *nc, const struct config *old);

/* responder_sets.c */
struct rset *set_get_or_add(struct config *c, const char *name, int line);
int set_add_rr(struct rset *set, const char *rrtext, char *err, size_t errlen);
int set_finish(struct rset *set, char *err, size_t errlen);
int set_lookup(const struct rset *set, const ldns_rdf *qname, ldns_rr_type qtype,
               ldns_rr_list *answer);

/* responder_query.c */
enum qparse query_parse_fast(const uint8_t *wire, size_t len, struct query *q);
enum qparse query_parse_ldns(const uint8_t *wire, size_t len, struct query *q);

/* responder_reply.c */
struct reply_params {
	const struct behaviour *b;
	const struct rset *set; /* may be NULL */
	int64_t ttl;            /* -1 = as in the set */
	bool tcp;
	size_t limit; /* max reply size; larger -> TC=1 */
};
size_t reply_build(struct server *s, const struct query *q, const struct reply_params *rp,
                   uint8_t *out, size_t cap);
size_t reply_header_only(const uint8_t *query, size_t qlen, int rcode, uint8_t *out, size_t cap);

/* responder_cache.c */
struct cache_key {
	uint32_t beh;
	uint8_t phase, flags, qlen, zero;
	uint16_t qtype, qclass, limit, zero2;
	uint8_t lname[256];
};
struct reply_cache *cache_new(size_t slots);
void cache_free(struct reply_cache *c);
void cache_clear(struct reply_cache *c);
const uint8_t *cache_get(struct reply_cache *c, const struct cache_key *k, size_t *len);
void cache_put(struct reply_cache *c, const struct cache_key *k, const uint8_t *wire, size_t len);

/* responder_respond.c */
enum rsp_action rsp_respond(struct server *s, struct endpoint *ep, const uint8_t *q, size_t qlen,
                            bool tcp, struct rsp_out *out);

/* responder_main.c: fd table */
int fd_add(struct server *s, int fd, enum fd_kind kind, void *obj, uint32_t events);
int fd_mod(struct server *s, int fd, uint32_t events);
void fd_close(struct server *s, int fd);

/* responder_bind.c */
int binds_reconcile(struct server *s, const struct config *c);
void binds_close_all(struct server *s);
void sock_set_buffers(int fd);

/* responder_udp.c */
struct udp_batch *udp_batch_new(void);
int udp_open(struct server *s, struct bindsock *b);
void udp_readable(struct server *s, struct bindsock *b);
int udp_send_one(struct server *s, int fd, const struct sockaddr_storage *peer, socklen_t peerlen,
                 const struct ep_key *src, const uint8_t *buf, size_t len);

/* responder_tcp.c */
int tcp_open(struct server *s, struct bindsock *b);
void tcp_accept_ready(struct server *s, struct bindsock *b);
void tcp_conn_event(struct server *s, struct conn *c, uint32_t events);
int tcp_queue_reply(struct server *s, struct conn *c, const uint8_t *buf, size_t len);
void tcp_sweep_idle(struct server *s, int64_t now);
void tcp_close_all(struct server *s);

/* responder_timer.c */
int timer_add(struct server *s, uint32_t delay_ms, int fd, bool tcp,
              const struct sockaddr_storage *peer, socklen_t peerlen, const struct ep_key *src,
              const uint8_t *wire, size_t len);
int64_t timer_next_due(const struct server *s);
void timer_run(struct server *s, int64_t now);
void timer_free_all(struct server *s);

/* responder_stats.c */
int stats_write(const struct server *s);

#endif
