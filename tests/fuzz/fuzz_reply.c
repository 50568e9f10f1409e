/*
 * fuzz_reply.c -- the reply path with any bytes: validation against the
 * query (ID, QR, question, 0x20 case), parsing, reduction to an answer
 * (records in presentation form for every type, EDNS options) and
 * classification. The first byte picks the question's type, so every
 * type's rdata printer is reached (the HTTPS one once aborted). Parsing
 * goes through query_wire2pkt(), as the engine's does: ldns itself leaks
 * on two TSIG records (corpus/reply/two-tsig).
 */
#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "compare.h"
#include "error.h"
#include "query.h"
#include "rdtext.h"

static const int types[] = { 1,  2,  5,  6,   12,  13,  15,  16,  28,    29,  33,
	                     35, 39, 43, 44,  46,  47,  48,  50,  52,    59,  61,
	                     64, 65, 99, 108, 109, 256, 257, 255, 32769, 4242 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct query q[sizeof types / sizeof types[0]];
	static int ready;
	if (!ready) {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			query_init(&q[i], "example.test", types[i], true, true);
		ready = 1;
	}
	if (size < 1)
		return 0;
	const struct query *qq = &q[data[0] % (sizeof types / sizeof types[0])];
	data++, size--;

	/* As the engine sees it: checked against the query, with and without
	 * a 0x20 spelling. */
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	for (uint32_t seed = 0; seed < 2; seed++) {
		ldns_pkt *pkt = NULL;
		if (query_check_reply(qq, id, seed * 0x9e3779b9u, data, size, &pkt) == REPLY_OK) {
			struct answer a;
			answer_init(&a);
			a.outcome = OUT_REPLY;
			answer_from_pkt(&a, pkt, NULL);
			static const struct expected none = { .source = EXP_NONE };
			(void)compare_status(&a, &none);
			(void)answer_cache_ttl(&a);
			answer_free(&a);
			ldns_pkt_free(pkt);
		}
	}
	/* Whatever ldns parses at all, whatever its question; and the memo of
	 * printed records (kept across inputs, as a worker keeps it across a
	 * sweep) must give the very text that printing gives. */
	static struct rdtext *memo;
	if (memo == NULL)
		memo = rdtext_new();
	ldns_pkt *pkt = NULL, *again = NULL;
	if (query_wire2pkt(&pkt, data, size) == LDNS_STATUS_OK &&
	    query_wire2pkt(&again, data, size) == LDNS_STATUS_OK) {
		struct answer a, b;
		answer_init(&a);
		answer_init(&b);
		int ra = answer_from_pkt(&a, pkt, NULL);
		int rb = answer_from_pkt(&b, again, memo);
		if (ra == PW_OK && rb == PW_OK) {
			if (a.nrecords != b.nrecords)
				abort();
			for (size_t i = 0; i < a.nrecords; i++)
				if (strcmp(a.records[i], b.records[i]) != 0)
					abort();
		}
		answer_free(&a);
		answer_free(&b);
	}
	ldns_pkt_free(pkt);
	ldns_pkt_free(again);
	return 0;
}
