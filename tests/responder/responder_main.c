/*
 * responder_main.c - pw-responder entry point: command line, fd table,
 * signals, the epoll event loop, config reload and clean shutdown.
 *
 *   pw-responder -c FILE [-p PIDFILE] [-s STATSFILE] [-v] [-C]
 *
 * Prints "ready" on stdout once every socket is bound; on SIGHUP reloads
 * FILE and prints "reloaded" (or "reload failed", old config kept on a parse
 * error); SIGUSR1 writes the stats file and prints "stats"; SIGTERM/SIGINT
 * exit 0 after freeing everything (the suite runs it under LeakSanitizer).
 * Exit 2: usage or config error; 1: cannot bind or other runtime failure.
 *
 * Signals arrive through a signalfd so they are handled inside the loop,
 * between events, with no async-signal-safety concerns.
 */
#include "responder.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define DEFAULT_SEED 0x5eed5eedULL

static bool quit;

int fd_add(struct server *s, int fd, enum fd_kind kind, void *obj, uint32_t events)
{
	if (fd < 0 || fd >= s->nfds) {
		errno = EMFILE;
		return -1;
	}
	struct fdslot *f = &s->fds[fd];
	f->gen++;
	f->kind = (uint8_t)kind;
	f->obj = obj;
	struct epoll_event ev = { .events = events,
		                  .data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		f->kind = FDK_FREE;
		f->obj = NULL;
		return -1;
	}
	return 0;
}

int fd_mod(struct server *s, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events,
		                  .data.u64 = (uint64_t)s->fds[fd].gen << 32 | (uint32_t)fd };
	return epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void fd_close(struct server *s, int fd)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	s->fds[fd].kind = FDK_FREE;
	s->fds[fd].obj = NULL;
	s->fds[fd].gen++; /* invalidates queued events and delayed replies */
}

static void usage(FILE *f)
{
	fputs("usage: pw-responder -c CONFIG [-p PIDFILE] [-s STATSFILE] [-v] [-C]\n"
	      "  -c CONFIG    endpoints and record sets (see tests/responder/README.md)\n"
	      "  -p PIDFILE   write the process id here (removed at exit)\n"
	      "  -s FILE      write per-endpoint query counters here on SIGUSR1 and at exit\n"
	      "  -v           log every query to stderr\n"
	      "  -C           only check the config, then exit (0 ok, 2 bad)\n"
	      "Prints 'ready' when listening. SIGHUP reloads, SIGTERM/SIGINT exit.\n",
	      f);
}

static void say(const char *line)
{
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Thousands of sockets need more than the default 1024 descriptors. */
static int raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	return rl.rlim_cur > (1 << 20) ? (1 << 20) : (int)rl.rlim_cur;
}

static int setup_signals(struct server *s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	/* A shell starts background jobs with SIGINT ignored; an ignored signal
	 * is discarded before it can reach the signalfd, so reset to default. */
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return -1;
	return fd_add(s, s->sigfd, FDK_SIGNAL, NULL, EPOLLIN);
}

static void reload(struct server *s)
{
	char err[1024];
	struct config *nc = config_load(s->cfg->path, err, sizeof err);
	if (!nc) {
		rsp_log("reload failed, keeping the old config: %s", err);
		say("reload failed");
		return;
	}
	config_inherit(nc, s->cfg);
	struct config *old = s->cfg;
	s->cfg = nc;
	if (nc->seed_set)
		s->rng = nc->seed;
	cache_clear(s->cache); /* behaviour indexes and sets changed */
	int rc = binds_reconcile(s, nc);
	config_free(old);
	say(rc ? "reload failed" : "reloaded");
}

static void on_signal(struct server *s)
{
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGHUP: reload(s); break;
		case SIGUSR1:
			stats_write(s);
			say("stats");
			break;
		default: quit = true; break;
		}
	}
}

static void run(struct server *s)
{
	struct epoll_event evs[256];
	int64_t next_sweep = now_ms() + 1000;
	while (!quit) {
		int64_t now = now_ms();
		int64_t wait = next_sweep - now;
		int64_t due = timer_next_due(s);
		if (due >= 0 && due - now < wait)
			wait = due - now;
		if (wait < 0)
			wait = 0;
		int n = epoll_wait(s->epfd, evs, 256, (int)wait);
		if (n < 0 && errno != EINTR) {
			rsp_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;
			uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
			if (fd < 0 || fd >= s->nfds || s->fds[fd].gen != gen)
				continue; /* closed earlier in this batch */
			struct fdslot *f = &s->fds[fd];
			switch (f->kind) {
			case FDK_UDP: udp_readable(s, f->obj); break;
			case FDK_TCP_LISTEN: tcp_accept_ready(s, f->obj); break;
			case FDK_TCP_CONN: tcp_conn_event(s, f->obj, evs[i].events); break;
			case FDK_SIGNAL: on_signal(s); break;
			default: break;
			}
		}
		now = now_ms();
		timer_run(s, now);
		if (now >= next_sweep) {
			tcp_sweep_idle(s, now);
			next_sweep = now + 1000;
		}
	}
}

static void server_free(struct server *s)
{
	tcp_close_all(s);
	binds_close_all(s);
	timer_free_all(s);
	if (s->aux6_fd >= 0)
		fd_close(s, s->aux6_fd);
	if (s->sigfd >= 0)
		fd_close(s, s->sigfd);
	if (s->epfd >= 0)
		close(s->epfd);
	cache_free(s->cache);
	if (s->lbuf)
		ldns_buffer_free(s->lbuf);
	config_free(s->cfg);
	free(s->fds);
	free(s->ub);
	free(s->tcpout);
}

int main(int argc, char **argv)
{
	const char *cfgpath = NULL, *pidfile = NULL;
	struct server s;
	bool check = false;
	int opt;
	memset(&s, 0, sizeof s);
	s.epfd = s.sigfd = s.aux6_fd = -1;
	while ((opt = getopt(argc, argv, "c:p:s:vCh")) != -1) {
		switch (opt) {
		case 'c': cfgpath = optarg; break;
		case 'p': pidfile = optarg; break;
		case 's': s.stats_path = optarg; break;
		case 'v': s.verbose = true; break;
		case 'C': check = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfgpath || optind != argc) {
		usage(stderr);
		return 2;
	}

	char err[1024];
	s.cfg = config_load(cfgpath, err, sizeof err);
	if (!s.cfg) {
		fprintf(stderr, "pw-responder: %s\n", err);
		return 2;
	}
	if (check) {
		printf("config ok: %zu endpoints, %zu sets, %zu behaviours\n", s.cfg->neps,
		       s.cfg->nsets, s.cfg->nbehs);
		config_free(s.cfg);
		return 0;
	}

	int rc = 1;
	s.nfds = raise_nofile();
	s.fds = xcalloc((size_t)s.nfds, sizeof *s.fds);
	s.rng = s.cfg->seed_set ? s.cfg->seed : DEFAULT_SEED;
	s.cache = cache_new(16384);
	s.lbuf = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	s.ub = udp_batch_new();
	s.tcpout = xcalloc(RSP_MAX_MSG, 1);
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s.epfd < 0 || !s.lbuf || setup_signals(&s) < 0) {
		rsp_log("setup failed: %s", strerror(errno));
		goto out;
	}
	if (binds_reconcile(&s, s.cfg) < 0)
		goto out;
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		bool ok = f && fprintf(f, "%ld\n", (long)getpid()) > 0;
		if (f && fclose(f))
			ok = false;
		if (!ok) {
			rsp_log("cannot write pidfile %s", pidfile);
			pidfile = NULL;
			goto out;
		}
	}
	say("ready");
	run(&s);
	stats_write(&s);
	rc = 0;
out:
	if (pidfile && rc == 0)
		unlink(pidfile);
	server_free(&s);
	return rc;
}
