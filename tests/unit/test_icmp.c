/*
 * test_icmp.c -- unit tests for the ICMP error-queue parser
 * (engine_icmp_parse in engine_udp.c): a port unreachable is read with
 * the ID of the query it carries; a cmsg whose length runs past the
 * control buffer (found by make fuzz: glibc's CMSG_NXTHDR walks off the
 * end) stops the walk instead of reading beyond it; a message without an
 * ICMP origin, or too short to hold an ID, is no ICMP error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <time.h> /* errqueue.h needs struct timespec */

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine_int.h"

struct control {
	union {
		uint8_t b[256];
		struct cmsghdr align;
	} u;
	size_t len;
};

/* One IP_RECVERR cmsg with origin and type/code, first in c. */
static void recverr(struct control *c, uint8_t origin, uint8_t type, uint8_t code)
{
	memset(c, 0, sizeof *c);
	struct cmsghdr *h = (struct cmsghdr *)c->u.b;
	h->cmsg_level = SOL_IP;
	h->cmsg_type = IP_RECVERR;
	h->cmsg_len = CMSG_LEN(sizeof(struct sock_extended_err));
	struct sock_extended_err ee = {
		.ee_errno = 111, .ee_origin = origin, .ee_type = type, .ee_code = code
	};
	memcpy(CMSG_DATA(h), &ee, sizeof ee);
	c->len = CMSG_SPACE(sizeof ee);
}

/* The control data is copied to a buffer of exactly its length, so that
 * ASan sees any read past it. */
static bool parse(struct control *c, const uint8_t *data, ssize_t n, uint16_t *id, char *why)
{
	struct msghdr mh;
	uint8_t *exact = malloc(c->len ? c->len : 1);
	assert_non_null(exact);
	memcpy(exact, c->u.b, c->len);
	memset(&mh, 0, sizeof mh);
	mh.msg_control = exact;
	mh.msg_controllen = c->len;
	bool got = engine_icmp_parse(&mh, n, data, id, why, 64);
	free(exact);
	return got;
}

static void test_port_unreachable(void **state)
{
	(void)state;
	static const uint8_t query[] = { 0xbe, 0xef, 0x01, 0x00 };
	struct control c;
	uint16_t id = 0;
	char why[64];
	recverr(&c, SO_EE_ORIGIN_ICMP, 3, 3);
	assert_true(parse(&c, query, sizeof query, &id, why));
	assert_int_equal(id, 0xbeef);
	assert_string_equal(why, "ICMP port unreachable");
	/* Another ICMP error says what errno says. */
	recverr(&c, SO_EE_ORIGIN_ICMP, 3, 1);
	assert_true(parse(&c, query, sizeof query, &id, why));
	assert_string_equal(why, strerror(111));
}

static void test_not_icmp(void **state)
{
	(void)state;
	static const uint8_t query[] = { 0xbe, 0xef };
	struct control c;
	uint16_t id;
	char why[64];
	recverr(&c, SO_EE_ORIGIN_LOCAL, 0, 0);
	assert_false(parse(&c, query, sizeof query, &id, why));
	recverr(&c, SO_EE_ORIGIN_ICMP, 3, 3);
	assert_false(parse(&c, query, 1, &id, why)); /* no room for an ID */
	c.len = 0;
	assert_false(parse(&c, query, sizeof query, &id, why));
}

/* The fuzzer's crash: the last cmsg claims a whole sock_extended_err
 * that the buffer does not hold (CMSG_FIRSTHDR and CMSG_NXTHDR check only
 * that a header fits), so reading it ran past the buffer. The walk must
 * stop at a length that runs past the end; under ASan a read beyond the
 * buffer fails this test. */
static void test_length_past_the_buffer(void **state)
{
	(void)state;
	static const uint8_t query[] = { 0xbe, 0xef };
	struct control c;
	uint16_t id;
	char why[64];
	recverr(&c, SO_EE_ORIGIN_ICMP, 3, 3);
	c.len = CMSG_LEN(2); /* the header and two bytes of the error */
	assert_false(parse(&c, query, sizeof query, &id, why));
	/* A length that would wrap the pointer backwards. */
	recverr(&c, SO_EE_ORIGIN_ICMP, 3, 3);
	((struct cmsghdr *)c.u.b)->cmsg_len = (size_t)-8;
	assert_false(parse(&c, query, sizeof query, &id, why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_unreachable),
		cmocka_unit_test(test_not_icmp),
		cmocka_unit_test(test_length_past_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
