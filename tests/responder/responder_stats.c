/*
 * responder_stats.c - writes query counters to the -s FILE, on SIGUSR1 and
 * at exit, so tests can check how often each endpoint was asked (e.g. "each
 * of 10,000 resolvers exactly once", or that retries happened).
 *
 * Format (one line each, endpoints only if asked at least once):
 *   total udp=N tcp=N unmatched=N sent=N send_errors=N overload=N
 *   127.0.3.1:5300 udp=N tcp=N
 * Written to FILE.tmp and renamed, so readers never see half a file.
 */
#include "responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stats_write(const struct server *s)
{
	if (!s->stats_path)
		return 0;
	size_t n = strlen(s->stats_path) + 5;
	char *tmp = xcalloc(n, 1);
	snprintf(tmp, n, "%s.tmp", s->stats_path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		rsp_log("cannot write %s", tmp);
		free(tmp);
		return -1;
	}
	fprintf(f,
	        "total udp=%llu tcp=%llu unmatched=%llu sent=%llu send_errors=%llu overload=%llu\n",
	        (unsigned long long)s->st.udp_in, (unsigned long long)s->st.tcp_in,
	        (unsigned long long)s->st.unmatched, (unsigned long long)s->st.sent,
	        (unsigned long long)s->st.send_errors, (unsigned long long)s->st.overload);
	for (size_t i = 0; i < s->cfg->neps; i++) {
		const struct endpoint *e = &s->cfg->eps[i];
		if (!e->n_udp && !e->n_tcp)
			continue;
		char a[80];
		key_format(&e->key, a, sizeof a);
		fprintf(f, "%s udp=%llu tcp=%llu\n", a, (unsigned long long)e->n_udp,
		        (unsigned long long)e->n_tcp);
	}
	int rc = 0;
	if (fclose(f) || rename(tmp, s->stats_path)) {
		rsp_log("cannot write %s", s->stats_path);
		rc = -1;
	}
	free(tmp);
	return rc;
}
