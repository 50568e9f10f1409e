/*
 * fuzz_tcp.c -- TCP framing with any bytes in any chunks: the first byte
 * of each chunk says how many bytes the "network" delivers at once.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_frame f;
	char why[96];
	memset(&f, 0, sizeof f);
	while (size > 0) {
		uint8_t *dst;
		size_t want, chunk = 1 + data[0] % 64;
		data++, size--;
		tcp_frame_room(&f, &dst, &want);
		if (chunk > want)
			chunk = want;
		if (chunk > size)
			chunk = size;
		if (chunk == 0)
			break;
		memcpy(dst, data, chunk);
		data += chunk, size -= chunk;
		if (tcp_frame_took(&f, chunk, why, sizeof why) != TCP_AGAIN)
			break;
	}
	tcp_frame_free(&f);
	return 0;
}
