/*
 * engine_int.h -- what engine.c (the pool) shares with engine_worker.c
 * (one worker's event loop over the parts of a sweep it claims) and
 * engine_udp.c (that worker's sockets).
 */
#ifndef PW_ENGINE_INT_H
#define PW_ENGINE_INT_H

#include <stdint.h>

#include "engine.h"

/* One sweep as every worker sees it. */
struct sweep {
	const struct engine_job *jobs;  /* what to ask of whom */
	size_t n;                       /* how many */
	struct answer *out;             /* where answers go, out[i] for jobs[i] */
	engine_cb cb;                   /* per-answer notification, may be NULL */
	void *ctx;                      /* for cb */
	const struct engine_opts *opts; /* timeout, retries, rate */
	int sock_budget;                /* UDP sockets a worker may hold open at once */
	const volatile int *cancel;     /* set by engine_cancel() */
	size_t chunk;                   /* jobs a worker claims at a time */
	size_t *claimed;                /* jobs claimed so far (atomic; may pass n) */
	size_t per_sock;                /* UDP queries that share a socket */
	size_t maxwire;                 /* the longest query's wire length */
	uint64_t start;                 /* when it started: job delays count from here */
};

/* Run a worker over the chunks of the sweep it claims until none is left;
 * adds its counters to *stats. */
void worker_run(const struct sweep *sw, struct engine_stats *stats);

/* ---- one worker's state ---------------------------------------------- */

#include <stdbool.h>
#include <stdint.h>

#include "answer.h"

struct ldns_struct_pkt;
struct rdtext;
#define MAX_TRIES      8   /* first try + up to 7 retries, + the 0x20 fallback */
#define OWN_PORT_UPTO  256 /* a worker with at most this many queries: a port each */
#define SLOTS_PER_SOCK 16  /* more: at least OWN_PORT_UPTO ports, and one per this many */
#define RECV_BATCH     16  /* datagrams per recvmmsg() */
#define SEND_SLICE     16  /* first tries go out for timeout/this, then replies are read */
#define EVENTS         256 /* epoll events per wait */
#define BIG_SOCK       16  /* sockets shared by more slots get a bigger buffer */
#define RCVBUF         (4 << 20)
#define CANCEL_POLL_MS 100 /* longest sleep before looking at engine_cancel() */
#define TAG_UDP        1ull
#define TAG_TCP        2ull
#define NONE           UINT32_MAX

enum slot_state { S_QUEUED, S_UDP, S_TCP, S_DONE };

/* One UDP try: a late reply to an earlier one still counts. */
struct
try {
	uint16_t id;      /* its ID */
	uint32_t seed;    /* its 0x20 spelling, 0 = lower case */
	uint64_t sent_ns; /* when it went out */
};

struct slot {
	const struct engine_job *job; /* what to ask of whom */
	size_t idx;                   /* index into the sweep's jobs/out */
	enum slot_state state;        /* where the query stands */
	uint32_t sock;                /* its UDP socket, NONE for a TCP job */
	uint32_t next;                /* next slot on the same socket, NONE at the end */
	int tries;                    /* UDP tries sent */
	struct try first;             /* the first try; most queries have no other */
	struct try *more;             /* tries 2 to MAX_TRIES, allocated at the second */
	uint64_t deadline;            /* when the current try times out */
	unsigned dropped;             /* replies from this address we rejected */
	enum reply_verdict last_drop; /* why the latest was rejected */
	bool nocase;                  /* the server did not echo 0x20: lower case from now */
	bool case_checked;            /* the believed reply echoed a mixed-case question */
	int extra;                    /* tries that are no retry (the fallback's pair) */
	struct held *held;            /* lower-case replies awaiting confirmation, or NULL */
	struct tcp_conn *tcp;         /* the TCP exchange, while in S_TCP */
};

/* Without 0x20 a reply is only as good as its 16-bit ID, and a forger who
 * guessed one ID (with any case) could make us drop 0x20. So a lower-case
 * answer is believed only when replies to two different tries agree byte
 * for byte (but for the ID): the forger must then guess two more IDs. */
struct held {
	uint8_t *wire[MAX_TRIES]; /* the reply to each try, NULL if none yet */
	uint16_t len[MAX_TRIES];  /* its length */
};

struct usock {
	int fd;        /* -1 until the first send, and again once closed */
	int fam;       /* 0 IPv4, 1 IPv6 */
	uint32_t head; /* first of its slots */
	uint32_t left; /* its slots without an outcome */
};

/* A deadline in the FIFO; stale when the slot moved on (deadline differs). */
struct timer {
	uint32_t slot;     /* slot index */
	uint64_t deadline; /* when it fires */
};

struct worker {
	const struct sweep *sw;    /* the sweep */
	struct slot *slots;        /* the queries it claimed, room for all of the sweep */
	size_t nslots;             /* how many */
	bool claims_over;          /* the sweep has no job left to claim */
	size_t ndone;              /* how many have an outcome */
	struct usock *socks;       /* UDP sockets, in order of first use */
	size_t nsocks;             /* how many */
	uint32_t cur_sock[2];      /* per family, the socket being filled, or NONE */
	bool big_buffers;          /* sockets shared by many slots: raise SO_RCVBUF */
	struct timer *timers;      /* the deadline FIFO */
	size_t thead, ttail, tcap; /* FIFO read/write positions and capacity */
	int ep;                    /* epoll instance */
	uint8_t *txbuf;            /* a try's copy of its query */
	struct rdtext *memo;       /* records already printed (rdtext.h) */
	struct answer scratch;     /* the answer being made, when the sweep has no out[] */
	struct engine_stats *st;   /* counters */
	uint64_t timeout_ns;       /* per try */
	uint64_t pace_ns;          /* gap between first tries, 0 = none */
	uint64_t next_send;        /* earliest time for the next first try */
	int64_t wall_to_mono;      /* add to a kernel (wall clock) timestamp for clock_real_ns() */
	size_t next_queued;        /* first slot not yet tried */
};

/* engine_worker.c */
void worker_finish(struct worker *w, struct slot *s, enum pw_outcome oc, const char *detail);
void worker_timer_push(struct worker *w, struct slot *s, uint64_t deadline);
/* sent and arrived (0: unknown) are clock_real_ns() times. */
void worker_take_reply(struct worker *w, struct slot *s, struct ldns_struct_pkt *pkt, uint64_t sent,
                       uint64_t arrived, enum pw_transport tr);

/* engine_udp.c */
/* Slots that share a socket in a worker of `udp` UDP queries; a worker
 * holds at most ceil(udp / this) + 2 sockets (one family may end short). */
size_t worker_slots_per_socket(size_t udp, int sock_budget);
/* Room for the sockets of a worker that claims every job of the sweep. */
int worker_sockets_init(struct worker *w);
/* Give a newly claimed UDP slot its socket: per family, per_sock slots in a row. */
void worker_assign_socket(struct worker *w, uint32_t slot);
bool worker_send_allowed(const struct worker *w, const struct resolver *r);
void worker_udp_send(struct worker *w, struct slot *s, uint64_t now);
void worker_udp_readable(struct worker *w, uint32_t si);
void worker_udp_errqueue(struct worker *w, uint32_t si);
void worker_sock_release(struct worker *w, struct slot *s);
/* The 0x20 fallback: two lower-case tries, whose replies must agree. */
void worker_lower_case_pair(struct worker *w, struct slot *s, uint64_t now);
void worker_held_free(struct slot *s);
/* Try t (0-based) of slot s. */
static inline struct try *slot_try(struct slot *s, int t)
{
	return t == 0 ? &s->first : &s->more[t - 1];
}
struct msghdr;
/* An error-queue message (the kernel's, but parsed as untrusted): true for
 * an ICMP error carrying our query's ID; why says what failed. */
bool engine_icmp_parse(struct msghdr *mh, ssize_t n, const uint8_t *data, uint16_t *id, char *why,
                       size_t len);

#endif
