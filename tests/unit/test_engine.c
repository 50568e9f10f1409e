/*
 * test_engine.c -- unit tests for the query engine against a DNS server in
 * a thread of the test (udpserver.h), on loopback: replies are believed
 * only with the right ID, on the socket the query left from, and with the
 * 0x20 spelling; queries spread over many source ports; a server that
 * folds case is asked again in lower case; TCP jobs; the loopback guard;
 * a busy worker neither loses nor mistimes replies that came in time, and
 * the other worker sends what the busy one has not claimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>

#include "answer.h"
#include "engine.h"
#include "error.h"
#include "query.h"
#include "reslist.h"
#include "udpserver.h"

#define N 40

static enum srv_mode answer_mx(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                               size_t len, uint8_t *raw, size_t *rawlen)
{
	(void)s, (void)q, (void)w, (void)len, (void)raw, (void)rawlen;
	srv_add(r, LDNS_SECTION_ANSWER, "example.test. 300 IN MX 10 mx.example.test.");
	return SRV_REPLY;
}

/* The reply with the question in lower case: a server that folds case. */
static enum srv_mode fold_case(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                               size_t len, uint8_t *raw, size_t *rawlen)
{
	(void)s, (void)q;
	srv_add(r, LDNS_SECTION_ANSWER, "example.test. 300 IN MX 10 mx.example.test.");
	uint8_t *wire = NULL;
	size_t wl = 0;
	ldns_pkt2wire(&wire, r, &wl);
	memcpy(raw, wire, wl);
	for (size_t i = 12; i < 12 + 14 && i < len; i++)
		raw[i] = (uint8_t)tolower(w[i]);
	*rawlen = wl;
	free(wire);
	return SRV_RAW;
}

static enum srv_mode other_socket(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                                  size_t len, uint8_t *raw, size_t *rawlen)
{
	answer_mx(s, q, r, w, len, raw, rawlen);
	return SRV_OTHER_SOCKET;
}

static enum srv_mode wrong_id(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                              size_t len, uint8_t *raw, size_t *rawlen)
{
	answer_mx(s, q, r, w, len, raw, rawlen);
	ldns_pkt_set_id(r, (uint16_t)(ldns_pkt_id(q) ^ 0x5a5a));
	return SRV_REPLY;
}

/* Defect 3: a reply with the right source, ID and question that arrives on
 * another of our sockets. The server holds the first 4 queries and sends
 * each reply to the source port of a different query. */
static enum srv_mode cross(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                           size_t len, uint8_t *raw, size_t *rawlen)
{
	static uint8_t held[4][512];
	static size_t heldlen[4];
	(void)q, (void)r;
	size_t k = s->nq - 1;
	if (k >= 4)
		return SRV_SILENT;
	/* The reply: the query with QR set and an answer, as raw bytes. */
	answer_mx(s, q, r, w, len, raw, rawlen);
	uint8_t *wire = NULL;
	ldns_pkt2wire(&wire, r, &heldlen[k]);
	memcpy(held[k], wire, heldlen[k]);
	free(wire);
	if (k < 3)
		return SRV_SILENT;
	for (size_t i = 0; i < 4; i++) {
		/* Reply i goes to a port that is not query i's own. */
		size_t j = (i + 2) % 4;
		if (s->ports[j] == s->ports[i])
			continue;
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(s->ports[j]) };
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sendto(s->fd, held[i], heldlen[i], 0, (struct sockaddr *)&to, sizeof to);
	}
	return SRV_SILENT;
}

struct run {
	struct srv srv;
	struct resolver r;
	struct query q;
	struct engine *e;
	struct engine_job jobs[N];
	struct answer out[N];
	struct engine_stats st;
};

/* The server with handler h, a resolver at it, the question, an engine. */
static void start(struct run *x, srv_handler h, const struct engine_opts *o)
{
	char addr[64];
	assert_int_equal(srv_start(&x->srv, h, NULL), 0);
	memset(&x->r, 0, sizeof x->r);
	assert_int_equal(reslist_parse_addr(srv_addr(&x->srv, addr, sizeof addr), 53, &x->r), 0);
	assert_int_equal(query_init(&x->q, "example.test", LDNS_RR_TYPE_MX, true, false), 0);
	assert_int_equal(engine_new(&x->e, o), 0);
}

static void run(struct run *x, srv_handler h, size_t n, unsigned flags, double timeout)
{
	struct engine_opts o = { 1, timeout, 0, 0, true }; /* one worker: its sockets */
	start(x, h, &o);
	for (size_t i = 0; i < n; i++)
		x->jobs[i] = (struct engine_job){ &x->r, &x->q, flags, 0 };
	assert_int_equal(engine_run(x->e, x->jobs, n, x->out, NULL, NULL, &x->st), 0);
}

static void run_free(struct run *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		answer_free(&x->out[i]);
	engine_free(x->e);
	query_free(&x->q);
	srv_stop(&x->srv);
}

/* Forty queries: all answered, over at least twenty source ports, each
 * name spelled in random case that the server echoed. */
static void test_ports_and_0x20(void **state)
{
	struct run x;
	(void)state;
	run(&x, answer_mx, N, 0, 2);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(x.out[i].outcome, OUT_REPLY);
		assert_int_equal(x.out[i].nrecords, 1);
		assert_false(x.out[i].case_fallback);
	}
	size_t distinct = 0, upper = 0;
	for (size_t i = 0; i < x.srv.nq; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= x.srv.ports[j] == x.srv.ports[i];
		distinct += !seen;
		for (const char *c = x.srv.qnames[i]; *c; c++)
			upper += isupper((unsigned char)*c) != 0;
	}
	assert_int_equal(x.srv.nq, N);
	assert_true(distinct >= N / 2);
	assert_int_equal(x.st.ports, distinct);
	assert_true(upper > 0); /* 40 x 11 letters all lower case: 2^-440 */
	run_free(&x, N);
}

/* A server that folds case: asked again at once in lower case, twice,
 * believed when the two replies agree, and marked; not counted as failing. */
static void test_case_fallback(void **state)
{
	struct run x;
	(void)state;
	run(&x, fold_case, 1, 0, 2);
	assert_int_equal(x.out[0].outcome, OUT_REPLY);
	assert_true(x.out[0].case_fallback);
	assert_int_equal(x.out[0].tries, 3);
	assert_int_equal(x.st.case_fallbacks, 1);
	assert_int_equal(x.st.dropped[REPLY_BAD_CASE], 1);
	assert_string_equal(x.srv.qnames[1], "example.test.");
	assert_string_equal(x.srv.qnames[2], "example.test.");
	run_free(&x, 1);

	/* Known not to echo: lower case from the first try, still confirmed. */
	run(&x, fold_case, 1, JOB_NO_0X20, 2);
	assert_int_equal(x.out[0].outcome, OUT_REPLY);
	assert_int_equal(x.out[0].tries, 2);
	assert_string_equal(x.srv.qnames[0], "example.test.");
	run_free(&x, 1);
}

/* A forger who guessed one ID with the wrong case gets the fallback, but
 * its lower-case replies must agree with each other: two answers that
 * differ are believed as neither. */
static enum srv_mode fold_and_vary(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                                   size_t len, uint8_t *raw, size_t *rawlen)
{
	char rr[128];
	(void)q;
	snprintf(rr, sizeof rr, "example.test. 300 IN MX %zu mx.example.test.", s->nq);
	srv_add(r, LDNS_SECTION_ANSWER, rr);
	uint8_t *wire = NULL;
	size_t wl = 0;
	ldns_pkt2wire(&wire, r, &wl);
	memcpy(raw, wire, wl);
	for (size_t i = 12; i < 12 + 14 && i < len; i++)
		raw[i] = (uint8_t)tolower(w[i]);
	*rawlen = wl;
	free(wire);
	return SRV_RAW;
}

static void test_case_fallback_must_agree(void **state)
{
	struct run x;
	(void)state;
	run(&x, fold_and_vary, 1, 0, 0.3);
	assert_int_equal(x.out[0].outcome, OUT_ERROR);
	assert_non_null(strstr(x.out[0].detail, "lower-case replies disagree"));
	assert_int_equal(x.st.answered, 0);
	run_free(&x, 1);
}

/* From another source port: stray, never believed. */
static void test_reply_from_other_port(void **state)
{
	struct run x;
	(void)state;
	run(&x, other_socket, 2, 0, 0.3);
	assert_int_equal(x.out[0].outcome, OUT_TIMEOUT);
	assert_int_equal(x.out[1].outcome, OUT_TIMEOUT);
	assert_true(x.st.stray >= 2);
	assert_int_equal(x.st.answered, 0);
	run_free(&x, 2);
}

/* Right source, right ID, right question, wrong socket: not believed. */
static void test_reply_on_other_socket(void **state)
{
	struct run x;
	(void)state;
	run(&x, cross, 4, 0, 0.5);
	for (size_t i = 0; i < 4; i++)
		assert_int_not_equal(x.out[i].outcome, OUT_REPLY);
	assert_int_equal(x.st.answered, 0);
	run_free(&x, 4);
}

static void test_wrong_id(void **state)
{
	struct run x;
	(void)state;
	run(&x, wrong_id, 1, 0, 0.3);
	assert_int_equal(x.out[0].outcome, OUT_ERROR);
	assert_non_null(strstr(x.out[0].detail, "only invalid replies"));
	assert_non_null(strstr(x.out[0].detail, "ID mismatch"));
	assert_int_equal(x.st.dropped[REPLY_BAD_ID], 1);
	run_free(&x, 1);
}

/* A TCP job to a server that only does UDP: refused at once. */
static void test_tcp_job_refused(void **state)
{
	struct run x;
	(void)state;
	run(&x, answer_mx, 1, JOB_TCP, 2);
	assert_int_equal(x.out[0].outcome, OUT_UNREACHABLE);
	assert_int_equal(x.srv.nq, 0);
	run_free(&x, 1);
}

/* PROPWATCH_LOOPBACK_ONLY: an address off the machine is never sent to. */
static void test_loopback_guard(void **state)
{
	struct resolver r;
	struct query q;
	struct engine *e;
	struct answer out[1];
	struct engine_opts o = { 1, 1, 0, 0, true };
	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(reslist_parse_addr("192.0.2.1", 53, &r), 0);
	assert_int_equal(query_init(&q, "example.test", LDNS_RR_TYPE_MX, true, false), 0);
	assert_int_equal(engine_new(&e, &o), 0);
	struct engine_job job = { &r, &q, 0, 0 };
	assert_int_equal(engine_run(e, &job, 1, out, NULL, NULL, NULL), 0);
	assert_int_equal(out[0].outcome, OUT_ERROR);
	assert_non_null(strstr(out[0].detail, "PROPWATCH_LOOPBACK_ONLY"));
	assert_int_equal(out[0].tries, 0);
	answer_free(&out[0]);
	engine_free(e);
	query_free(&q);
}

/* The second query's reply comes 50 ms late, the first's at once. */
static enum srv_mode second_late(struct srv *s, const ldns_pkt *q, ldns_pkt *r, const uint8_t *w,
                                 size_t len, uint8_t *raw, size_t *rawlen)
{
	if (s->nq == 2)
		usleep(50 * 1000);
	return answer_mx(s, q, r, w, len, raw, rawlen);
}

/* The engine's callback, in the worker: the first answer keeps the worker
 * busy for twice the timeout. */
static void slow_callback(void *ctx, size_t idx, struct answer *a)
{
	int *calls = ctx;
	(void)idx, (void)a;
	if ((*calls)++ == 0)
		usleep(600 * 1000);
}

/* A worker busy past a deadline (here in its callback) still reads the
 * reply that came in time, and its latency is when it arrived (the
 * kernel's timestamp), not when the worker got to it. */
static void test_busy_worker(void **state)
{
	struct run x;
	struct answer out[2];
	struct engine_opts o = { 1, 0.3, 0, 0, true };
	int calls = 0;
	(void)state;
	start(&x, second_late, &o);
	struct engine_job jobs[2] = { { &x.r, &x.q, 0, 0 }, { &x.r, &x.q, 0, 0 } };
	assert_int_equal(engine_run(x.e, jobs, 2, out, slow_callback, &calls, &x.st), 0);
	assert_int_equal(calls, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(out[i].outcome, OUT_REPLY);
		assert_int_equal(out[i].tries, 1);
		/* 600 ms if timed by the worker; the server took 0 and 50 ms. */
		assert_true(out[i].latency_ms < 300);
	}
	assert_true(out[0].latency_ms + out[1].latency_ms >= 50);
	for (int i = 0; i < 2; i++)
		answer_free(&out[i]);
	run_free(&x, 0);
}

#define STALL_N 320

struct stall {
	int answers;        /* atomic: answers handed to the callback */
	int stalls;         /* atomic: callbacks that waited */
	bool rest_answered; /* the others got STALL_N * 3 / 4 answers while one waited */
};

/* The first answer keeps its worker in the callback until the other worker
 * has had three quarters of the sweep answered, or for at most 5 s. */
static void stalling_callback(void *ctx, size_t idx, struct answer *a)
{
	struct stall *x = ctx;
	(void)idx, (void)a;
	__atomic_fetch_add(&x->answers, 1, __ATOMIC_SEQ_CST);
	if (__atomic_fetch_add(&x->stalls, 1, __ATOMIC_SEQ_CST) != 0)
		return;
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&x->answers, __ATOMIC_SEQ_CST) >= STALL_N * 3 / 4) {
			x->rest_answered = true;
			return;
		}
		usleep(1000);
	}
}

/* Two paced workers, one of them held in its callback from its first
 * answer on: the other claims and sends the rest of the sweep meanwhile.
 * With a fixed half each, half the sweep would wait for the held one. */
static void test_stalled_worker(void **state)
{
	static struct answer out[STALL_N];
	static struct engine_job jobs[STALL_N];
	struct run w;
	/* 1,000 first tries a second each: the sweep takes about 0.3 s. */
	struct engine_opts o = { 2, 2, 0, 2000, true };
	struct stall x = { 0, 0, false };
	(void)state;
	start(&w, answer_mx, &o);
	for (size_t i = 0; i < STALL_N; i++)
		jobs[i] = (struct engine_job){ &w.r, &w.q, 0, 0 };
	assert_int_equal(engine_run(w.e, jobs, STALL_N, out, stalling_callback, &x, &w.st), 0);
	assert_true(x.rest_answered);
	assert_int_equal(x.answers, STALL_N);
	for (size_t i = 0; i < STALL_N; i++) {
		assert_int_equal(out[i].outcome, OUT_REPLY);
		answer_free(&out[i]);
	}
	run_free(&w, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_and_0x20),
		cmocka_unit_test(test_case_fallback),
		cmocka_unit_test(test_case_fallback_must_agree),
		cmocka_unit_test(test_reply_from_other_port),
		cmocka_unit_test(test_reply_on_other_socket),
		cmocka_unit_test(test_wrong_id),
		cmocka_unit_test(test_tcp_job_refused),
		cmocka_unit_test(test_loopback_guard),
		cmocka_unit_test(test_busy_worker),
		cmocka_unit_test(test_stalled_worker),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
