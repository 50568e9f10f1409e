/*
 * tcp.h -- one DNS-over-TCP exchange on a non-blocking socket.
 *
 * Used when a UDP reply comes back truncated (TC=1). The connection is
 * driven by the caller's epoll loop: tcp_progress() is called on every
 * event until it says the exchange is over.
 */
#ifndef PW_TCP_H
#define PW_TCP_H

#include <stddef.h>
#include <stdint.h>

struct resolver;
struct query;
struct tcp_conn;

enum tcp_result { TCP_AGAIN = 0, TCP_DONE, TCP_REFUSED, TCP_FAILED };

/* RFC 7766 framing of the reply: a 2-byte length, then the message. Kept
 * apart from the socket so that it can be fed any bytes (fuzzing). */
struct tcp_frame {
	uint8_t lenbuf[2]; /* the length prefix */
	uint8_t *in;       /* the message, once its length is known */
	size_t inlen;      /* its length, 0 until known */
	size_t inpos;      /* bytes taken, prefix included */
};

/* Where the next bytes go and how many are wanted. */
void tcp_frame_room(struct tcp_frame *f, uint8_t **dst, size_t *want);
/* n bytes were written at the room given: TCP_AGAIN, TCP_DONE, or
 * TCP_FAILED with why. */
enum tcp_result tcp_frame_took(struct tcp_frame *f, size_t n, char *why, size_t whylen);
void tcp_frame_free(struct tcp_frame *f);

/* Start connecting to r and register with ep under `tag`; NULL on failure. */
struct tcp_conn *tcp_open(const struct resolver *r, const struct query *q, int ep, uint64_t tag);

/* Advance on epoll `events`; on TCP_REFUSED/TCP_FAILED `why` says why. */
enum tcp_result tcp_progress(struct tcp_conn *c, uint32_t events, int ep, char *why, size_t whylen);

/* The reply, once tcp_progress() returned TCP_DONE. */
const uint8_t *tcp_message(const struct tcp_conn *c, size_t *len);
uint16_t tcp_id(const struct tcp_conn *c);
uint64_t tcp_sent_ns(const struct tcp_conn *c);

void tcp_close(struct tcp_conn *c, int ep);

#endif
