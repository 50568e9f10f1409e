/*
 * fuzz_icmp.c -- the ICMP error queue parser with any control data: the
 * kernel writes it, but it is parsed like untrusted input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "engine_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t control[512] __attribute__((aligned(8))), payload[64];
	struct msghdr mh;
	char why[64];
	uint16_t id;

	if (size < 2)
		return 0;
	size_t plen = data[0] % sizeof payload,
	       clen = size - 1 - (plen < size - 1 ? plen : size - 1);
	if (clen > sizeof control)
		clen = sizeof control;
	memset(payload, 0, sizeof payload);
	memcpy(payload, data + 1, plen < size - 1 ? plen : size - 1);
	memcpy(control, data + 1 + (plen < size - 1 ? plen : size - 1), clen);
	memset(&mh, 0, sizeof mh);
	mh.msg_control = control;
	mh.msg_controllen = clen;
	(void)engine_icmp_parse(&mh, (ssize_t)plen, payload, &id, why, sizeof why);
	return 0;
}
