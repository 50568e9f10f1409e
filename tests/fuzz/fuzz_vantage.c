/*
 * fuzz_vantage.c -- the measurement networks' decoders with any bytes:
 * Globalping's 202 and measurement bodies (probes, records parsed by ldns,
 * dig's flags line), Atlas's creation, status, results (resultsets, abufs
 * through the reply path), probe, credits and error bodies, and --from.
 * The first byte picks the decoder; the rest is the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "compare.h"
#include "query.h"
#include "vantage_int.h"
#include "vantage_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct query q[3];
	static int ready;
	if (!ready) {
		query_init(&q[0], "example.test", 15, true, false); /* MX */
		query_init(&q[1], "example.test", 16, true, false); /* TXT */
		query_init(&q[2], "example.test", 65, true, true);  /* HTTPS */
		ready = 1;
	}
	if (size < 1)
		return 0;
	unsigned pick = data[0];
	const struct query *qq = &q[(pick >> 4) % 3];
	data++, size--;
	char *body = malloc(size + 1), err[160], id[64], kind[64], msg[256];
	memcpy(body, data, size);
	body[size] = '\0';
	struct vantage_result *r = NULL;
	size_t n = 0;
	long l;
	bool done;

	switch (pick % 9) {
	case 0: gp_decode_created(body, size, id, sizeof id, &l, err, sizeof err); break;
	case 1: gp_decode_measurement(body, size, qq, 1, &done, &r, &n, err, sizeof err); break;
	case 2: atlas_decode_created(body, size, &l, err, sizeof err); break;
	case 3: atlas_decode_status(body, size, id, sizeof id, &l, err, sizeof err); break;
	case 4:
		atlas_decode_results(body, size, qq, 100, 1800000000, 1799999400, &r, &n, err,
		                     sizeof err);
		break;
	case 5: {
		struct vantage_probe p = { .asn = -1, .country = "ZZ" };
		atlas_decode_probe(body, size, pick & 0x20 ? 6 : 4, &p);
		(void)atlas_decode_credits(body, size);
		break;
	}
	case 6: vantage_decode_error(body, size, kind, sizeof kind, msg, sizeof msg); break;
	case 7: {
		struct answer a;
		answer_init(&a);
		atlas_answer_from_abuf(body, qq, &a);
		compare_status(&a, &(struct expected){ .source = EXP_NONE, .rcode = -1 });
		answer_free(&a);
		break;
	}
	default: {
		char *j = NULL;
		if (strlen(body) == size &&
		    vantage_parse_from(pick & 0x10 ? VIA_ATLAS : VIA_GLOBALPING, body,
		                       1 + pick % 50, &j, err, sizeof err) == 0)
			free(j);
		vantage_text(msg, sizeof msg, body);
		vantage_redact(msg, sizeof msg, size > 3 ? body + size - 3 : "abc");
		break;
	}
	}
	/* Whatever was decoded is a probe and an answer any view could print. */
	for (size_t i = 0; i < n; i++) {
		if (r[i].ans.key != NULL && r[i].ans.nrecords > 0 && r[i].ans.records[0] == NULL)
			abort();
		if (strlen(r[i].probe.country) != 2 && r[i].probe.country[0] != '\0')
			abort();
	}
	vantage_results_free(r, n);
	free(body);
	return 0;
}
