/*
 * udpserver.h -- a DNS server in a thread of the test, on 127.0.0.1 and an
 * ephemeral port, whose replies a test function writes: for unit tests of
 * the engine and of truth.c that need real sockets but no other process.
 *
 * The handler gets each query (parsed by ldns, plus the raw bytes and the
 * source port) and fills a reply packet, or returns a mode: answer as is,
 * stay silent, answer from a second socket (another source port), answer
 * twice, or send raw bytes it wrote. Every query's source port is kept so
 * tests can count them.
 */
#ifndef PW_TEST_UDPSERVER_H
#define PW_TEST_UDPSERVER_H

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SRV_MAXQ 4096

enum srv_mode { SRV_REPLY, SRV_SILENT, SRV_OTHER_SOCKET, SRV_TWICE, SRV_RAW };

struct srv;
/* Fill *reply (a copy of the query with QR set is passed in), or the raw
 * bytes (for SRV_RAW, *rawlen bytes of raw). */
typedef enum srv_mode (*srv_handler)(struct srv *s, const ldns_pkt *q, ldns_pkt *reply,
                                     const uint8_t *wire, size_t len, uint8_t *raw, size_t *rawlen);

struct srv {
	int fd, other;       /* the server's socket, and a second one (another port) */
	unsigned short port; /* the server's port */
	pthread_t thread;
	int quit; /* atomic: set by srv_stop() */
	srv_handler handler;
	void *ctx;                      /* for the handler */
	pthread_mutex_t lock;           /* guards the counters below */
	unsigned short ports[SRV_MAXQ]; /* source port of each query */
	size_t nq;
	char qnames[SRV_MAXQ][64]; /* the question name of each query, as sent (0x20 case) */
};

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	uint8_t buf[4096], raw[4096];
	while (!__atomic_load_n(&s->quit, __ATOMIC_RELAXED)) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		ldns_pkt *q = NULL;
		if (n < 12 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
			continue;
		pthread_mutex_lock(&s->lock);
		if (s->nq < SRV_MAXQ) {
			s->ports[s->nq] = ntohs(from.sin_port);
			size_t k = 0;
			for (size_t i = 12; i < (size_t)n && buf[i] && k + 1 < 64;
			     i += buf[i] + 1u) {
				for (uint8_t j = 1; j <= buf[i] && k + 2 < 64; j++)
					s->qnames[s->nq][k++] = (char)buf[i + j];
				s->qnames[s->nq][k++] = '.';
			}
			s->qnames[s->nq][k] = '\0';
			s->nq++;
		}
		pthread_mutex_unlock(&s->lock);
		ldns_pkt *r = ldns_pkt_clone(q);
		ldns_pkt_set_qr(r, true);
		ldns_pkt_set_ra(r, true);
		size_t rawlen = 0;
		enum srv_mode m = s->handler(s, q, r, buf, (size_t)n, raw, &rawlen);
		uint8_t *wire = NULL;
		size_t wlen = 0;
		if (m == SRV_RAW) {
			sendto(s->fd, raw, rawlen, 0, (struct sockaddr *)&from, fl);
		} else if (m != SRV_SILENT && ldns_pkt2wire(&wire, r, &wlen) == LDNS_STATUS_OK) {
			/* ldns_pkt_clone keeps the question's case as sent: 0x20 echoed. */
			int fd = m == SRV_OTHER_SOCKET ? s->other : s->fd;
			sendto(fd, wire, wlen, 0, (struct sockaddr *)&from, fl);
			if (m == SRV_TWICE)
				sendto(fd, wire, wlen, 0, (struct sockaddr *)&from, fl);
		}
		free(wire);
		ldns_pkt_free(r);
		ldns_pkt_free(q);
	}
	return NULL;
}

static int srv_bind(unsigned short *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static inline int srv_start(struct srv *s, srv_handler h, void *ctx)
{
	unsigned short other;
	memset(s, 0, sizeof *s);
	s->handler = h;
	s->ctx = ctx;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = srv_bind(&s->port);
	s->other = srv_bind(&other);
	if (s->fd < 0 || s->other < 0)
		return -1;
	return pthread_create(&s->thread, NULL, srv_main, s);
}

static inline void srv_stop(struct srv *s)
{
	__atomic_store_n(&s->quit, 1, __ATOMIC_RELAXED);
	pthread_join(s->thread, NULL);
	close(s->fd);
	close(s->other);
	pthread_mutex_destroy(&s->lock);
}

/* "127.0.0.1:PORT" of the server. */
static inline const char *srv_addr(const struct srv *s, char *buf, size_t len)
{
	snprintf(buf, len, "127.0.0.1:%u", s->port);
	return buf;
}

/* Add an answer record from text to reply r. */
static inline void srv_add(ldns_pkt *r, ldns_pkt_section sec, const char *text)
{
	ldns_rr *rr = NULL;
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(r, sec, rr);
}

#endif
