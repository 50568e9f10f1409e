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
