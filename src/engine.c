/*
 * engine.c -- the worker pool behind engine_run().
 *
 * Threads are started once per engine and wait for sweeps. Workers claim a
 * sweep's jobs in chunks (engine_worker.c) through one atomic counter, the
 * only thing they share on the hot path, and merge their counters once at
 * the end.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "answer.h"
#include "clock.h"
#include "engine_int.h"
#include "error.h"

/* Descriptors kept back from the sockets for everything else (list file,
 * output, TCP fallbacks, the terminal, libcurl). */
#define FD_RESERVE 256

struct engine {
	struct engine_opts opts;   /* as given to engine_new() */
	int sock_budget;           /* UDP sockets each worker may hold open */
	long fd_table;             /* descriptors the table was grown to hold */
	pthread_t *threads;        /* the workers */
	int nthreads;              /* how many started */
	pthread_mutex_t lock;      /* guards everything below */
	pthread_cond_t work;       /* a new sweep or shutdown */
	pthread_cond_t done;       /* the last worker finished the sweep */
	const struct sweep *sweep; /* the current sweep, NULL when idle */
	unsigned long generation;  /* bumps per sweep so workers run each once */
	int running;               /* workers still in the current sweep */
	bool stop;                 /* engine_free() was called */
	struct engine_stats stats; /* counters merged by the workers */
	volatile int cancel;       /* engine_cancel() was called: shutting down */
};

void engine_stats_add(struct engine_stats *to, const struct engine_stats *from)
{
	to->sent += from->sent;
	to->answered += from->answered;
	to->stray += from->stray;
	to->tcp += from->tcp;
	to->icmp += from->icmp;
	to->ports += from->ports;
	to->case_fallbacks += from->case_fallbacks;
	to->elapsed += from->elapsed;
	for (int i = 0; i < REPLY_VERDICT_COUNT; i++)
		to->dropped[i] += from->dropped[i];
}

/* Raise the soft descriptor limit to the hard one (always allowed) and
 * share what it allows among the workers. */
static int socket_budget(int threads)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t lim = rl.rlim_cur > (1u << 20) ? (1u << 20) : rl.rlim_cur;
	long per = ((long)lim - FD_RESERVE) / threads;
	return per < 16 ? 16 : (int)per;
}

/*
 * Grow the process's descriptor table to hold `fds` descriptors now. The
 * kernel doubles it as descriptors are opened, and once a process has a
 * second thread every doubling waits for an RCU grace period: two workers
 * opening 1,000 sockets each spent ~40 ms of a 10,000-query sweep in
 * socket() that way (README, Benchmark). Before the workers start no
 * doubling waits; for a bigger sweep later, one wait instead of one per
 * doubling. The table never shrinks, so this costs a few KiB once.
 */
static void fd_table_reserve(struct engine *e, long fds)
{
	struct rlimit rl;

	if (fds <= e->fd_table || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)fds >= rl.rlim_cur)
		fds = (long)rl.rlim_cur - 1;
	/* Any open descriptor will do as the one duplicated that high. */
	for (int src = 0; src < 3; src++) {
		int fd = fcntl(src, F_DUPFD_CLOEXEC, (int)fds);
		if (fd >= 0) {
			close(fd);
			e->fd_table = fds;
			return;
		}
	}
}

/* Descriptors a sweep of udp UDP jobs, per_sock to a socket, may hold open
 * at once: a worker's partly filled sockets (one a family) included. */
static long sweep_fds(const struct engine *e, size_t udp, size_t per_sock)
{
	return (long)((udp + per_sock - 1) / per_sock) + 2l * e->nthreads + FD_RESERVE;
}

/* Jobs a worker claims at a time: few enough that the workers send their
 * last first tries within a chunk's worth of each other, enough that
 * claiming stays rare. */
static size_t chunk_size(size_t n, int threads)
{
	size_t c = n / ((size_t)threads * 16);
	return c < 1 ? 1 : c > 1024 ? 1024 : c;
}

static void *worker_main(void *p)
{
	struct engine *e = p;
	unsigned long seen = 0;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->stop && e->generation == seen)
			pthread_cond_wait(&e->work, &e->lock);
		if (e->stop)
			break;
		seen = e->generation;
		const struct sweep *sw = e->sweep;
		pthread_mutex_unlock(&e->lock);

		struct engine_stats st;
		memset(&st, 0, sizeof st);
		worker_run(sw, &st);

		pthread_mutex_lock(&e->lock);
		st.elapsed = 0;
		engine_stats_add(&e->stats, &st);
		if (--e->running == 0)
			pthread_cond_signal(&e->done);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int engine_new(struct engine **out, const struct engine_opts *opts)
{
	struct engine *e = calloc(1, sizeof *e);

	*out = NULL;
	if (e == NULL)
		return PW_ENOMEM;
	e->opts = *opts;
	if (e->opts.threads < 1)
		e->opts.threads = 1;
	e->sock_budget = socket_budget(e->opts.threads);
	/* Sweeps that give every worker up to OWN_PORT_UPTO sockets fit. */
	fd_table_reserve(e, (long)e->opts.threads * (OWN_PORT_UPTO + 2) + FD_RESERVE);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->work, NULL);
	pthread_cond_init(&e->done, NULL);
	e->threads = calloc((size_t)e->opts.threads, sizeof *e->threads);
	if (e->threads == NULL) {
		engine_free(e);
		return PW_ENOMEM;
	}
	for (int i = 0; i < e->opts.threads; i++) {
		if (pthread_create(&e->threads[i], NULL, worker_main, e) != 0) {
			engine_free(e);
			return PW_ETHREAD;
		}
		e->nthreads++;
	}
	*out = e;
	return PW_OK;
}

void engine_cancel(struct engine *e)
{
	/* Workers poll this at least every CANCEL_POLL_MS. */
	__atomic_store_n(&e->cancel, 1, __ATOMIC_RELAXED);
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_broadcast(&e->work);
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < e->nthreads; i++)
		pthread_join(e->threads[i], NULL);
	free(e->threads);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->work);
	pthread_cond_destroy(&e->done);
	free(e);
}

int engine_run(struct engine *e, const struct engine_job *jobs, size_t n, struct answer *out,
               engine_cb cb, void *ctx, struct engine_stats *stats)
{
	uint64_t t0 = clock_real_ns();
	size_t claimed = 0, udp = 0, maxwire = 12;

	for (size_t i = 0; i < n; i++) {
		if (out != NULL)
			answer_init(&out[i]);
		udp += !(jobs[i].flags & JOB_TCP);
		if (jobs[i].q->wirelen > maxwire)
			maxwire = jobs[i].q->wirelen;
	}
	struct sweep sw = {
		.jobs = jobs,
		.n = n,
		.out = out,
		.cb = cb,
		.ctx = ctx,
		.opts = &e->opts,
		.sock_budget = e->sock_budget,
		.cancel = &e->cancel,
		.chunk = chunk_size(n, e->nthreads),
		.claimed = &claimed,
		/* Sockets as if each worker had an even share of the sweep. */
		.per_sock = worker_slots_per_socket(
		        (udp + (size_t)e->nthreads - 1) / (size_t)e->nthreads, e->sock_budget),
		.maxwire = maxwire,
		.start = t0,
	};
	pthread_mutex_lock(&e->lock);
	fd_table_reserve(e, sweep_fds(e, udp, sw.per_sock));
	memset(&e->stats, 0, sizeof e->stats);
	if (n > 0) {
		e->sweep = &sw;
		e->running = e->nthreads;
		e->generation++;
		pthread_cond_broadcast(&e->work);
		while (e->running > 0)
			pthread_cond_wait(&e->done, &e->lock);
		e->sweep = NULL;
	}
	e->stats.elapsed = (double)(clock_real_ns() - t0) / 1e9;
	if (stats != NULL)
		*stats = e->stats;
	pthread_mutex_unlock(&e->lock);
	return PW_OK;
}

int engine_ask(struct engine *e, const struct query *q, const struct resolver *const *targets,
               const unsigned *flags, size_t n, struct answer *out, engine_cb cb, void *ctx,
               struct engine_stats *stats)
{
	struct engine_job *jobs = calloc(n ? n : 1, sizeof *jobs);
	if (jobs == NULL)
		return PW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct engine_job){ targets[i], q, flags ? flags[i] : 0, 0 };
	int rc = engine_run(e, jobs, n, out, cb, ctx, stats);
	free(jobs);
	return rc;
}
