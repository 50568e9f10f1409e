/*
 * floor.c -- pw-floor: the least a client can do for a sweep, for
 * scripts/bench.sh to print beside propwatch on the same machine and run.
 *
 *   pw-floor LIST THREADS PER_SOCK TIMEOUT_MS
 *
 * Asks every IPv4 "ADDR:PORT ..." line of LIST once for example.test MX,
 * with the system calls propwatch makes per query and nothing else: THREADS
 * threads claim the list in chunks, open a socket (SO_TIMESTAMPNS and
 * IP_RECVERR set, in the epoll set) for every PER_SOCK queries, send each
 * query with sendto(), read replies with recvmmsg() and stop TIMEOUT_MS
 * after their last send or once every query has a reply. It parses,
 * matches and reports nothing, so its time is what the kernel and the
 * servers take: the floor under any client here. Prints "answers N".
 * Loopback only: any other address is refused, as PROPWATCH_LOOPBACK_ONLY.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 256

static struct sockaddr_in *dst;
static size_t ndst, per_sock, claimed;
static long timeout_ms;
static size_t answers; /* atomic */

/* example.test MX, ID 0 (patched per query), RD set. */
static const unsigned char query[] = { 0, 0,   1,   0,   0,   1,   0,   0,   0,   0,
	                               0, 0,   7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',
	                               4, 't', 'e', 's', 't', 0,   0,   15,  0,   1 };

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

static int open_sock(int ep, size_t tag)
{
	int on = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	return fd;
}

static void *worker(void *arg)
{
	size_t cap = ndst / per_sock + 2, nfd = 0, sent = 0, got = 0, lo;
	int *fds = malloc(cap * sizeof *fds), ep = epoll_create1(EPOLL_CLOEXEC);
	static __thread unsigned char rx[16][512];
	unsigned char buf[sizeof query];
	struct mmsghdr mm[16];
	struct iovec iov[16];
	struct epoll_event evs[256];
	(void)arg;
	if (fds == NULL || ep < 0)
		return NULL;
	memcpy(buf, query, sizeof query);
	while ((lo = __atomic_fetch_add(&claimed, CHUNK, __ATOMIC_RELAXED)) < ndst) {
		size_t hi = lo + CHUNK < ndst ? lo + CHUNK : ndst;
		for (size_t i = lo; i < hi; i++, sent++) {
			if (sent % per_sock == 0 && nfd < cap)
				fds[nfd] = open_sock(ep, nfd), nfd++;
			buf[0] = (unsigned char)(i >> 8), buf[1] = (unsigned char)i;
			sendto(fds[nfd - 1], buf, sizeof buf, 0, (struct sockaddr *)&dst[i],
			       sizeof dst[i]);
		}
	}
	long long end = now_ms() + timeout_ms;
	while (got < sent && now_ms() < end) {
		int n = epoll_wait(ep, evs, 256, (int)(end - now_ms()));
		for (int k = 0; k < n; k++) {
			for (int j = 0; j < 16; j++) {
				iov[j] = (struct iovec){ rx[j], sizeof rx[j] };
				memset(&mm[j], 0, sizeof mm[j]);
				mm[j].msg_hdr.msg_iov = &iov[j];
				mm[j].msg_hdr.msg_iovlen = 1;
			}
			int r = recvmmsg(fds[evs[k].data.u64], mm, 16, MSG_DONTWAIT, NULL);
			got += r > 0 ? (size_t)r : 0;
		}
	}
	for (size_t i = 0; i < nfd; i++)
		close(fds[i]);
	close(ep);
	free(fds);
	__atomic_fetch_add(&answers, got, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: pw-floor LIST THREADS PER_SOCK TIMEOUT_MS\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	int threads = atoi(argv[2]);
	per_sock = (size_t)atol(argv[3]);
	timeout_ms = atol(argv[4]);
	if (f == NULL || threads < 1 || threads > 64 || per_sock < 1 || timeout_ms < 1) {
		fprintf(stderr, "pw-floor: bad arguments (or %s cannot be read)\n", argv[1]);
		return 2;
	}
	char line[512];
	size_t cap = 0, lineno = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		char addr[64];
		unsigned port;
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (ndst == cap) {
			struct sockaddr_in *more = realloc(dst,
			                                   (cap = cap * 2 + 1024) * sizeof *dst);
			if (more == NULL) {
				free(dst);
				return 2;
			}
			dst = more;
		}
		struct sockaddr_in *a = &dst[ndst];
		memset(a, 0, sizeof *a);
		a->sin_family = AF_INET;
		if (sscanf(line, "%63[0-9.]:%u", addr, &port) != 2 || port > 65535 ||
		    inet_pton(AF_INET, addr, &a->sin_addr) != 1 ||
		    (ntohl(a->sin_addr.s_addr) >> 24) != 127) {
			fprintf(stderr, "pw-floor: %s:%zu: not a loopback ADDR:PORT\n", argv[1],
			        lineno);
			return 2;
		}
		a->sin_port = htons((unsigned short)port);
		ndst++;
	}
	fclose(f);
	/* As propwatch's engine_new(): the descriptor table grown before the
	 * threads start, when growing it costs no RCU grace period. */
	int high = fcntl(0, F_DUPFD_CLOEXEC, (int)(ndst / per_sock) + 64 * threads);
	if (high >= 0)
		close(high);
	pthread_t th[64];
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	printf("answers %zu\n", answers);
	free(dst);
	return 0;
}
