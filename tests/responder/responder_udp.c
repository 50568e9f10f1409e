/*
 * responder_udp.c - the UDP fast path.
 *
 * A socket may be bound to the wildcard 0.0.0.0:PORT and serve every
 * 127.x.y.z endpoint on that port: IP_PKTINFO / IPV6_RECVPKTINFO tell us
 * which address the query was sent to (that picks the endpoint), and the
 * same cmsg on sendmsg makes the reply leave from that address, as the
 * client expects.  Datagrams are read and answered in batches of RSP_BATCH
 * with recvmmsg/sendmmsg to amortise the syscall cost.
 *
 * Safety: only datagrams whose source AND destination are loopback are ever
 * answered, so nothing is sent off the host even with a wildcard bind.
 */
#include "responder.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define CBUF_SIZE (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

union cbuf {
	struct cmsghdr align;
	/* cppcheck-suppress unusedStructMember ; the storage, reached through CMSG_* */
	uint8_t buf[CBUF_SIZE];
};

struct udp_batch {
	struct mmsghdr in[RSP_BATCH];
	struct iovec iov_in[RSP_BATCH];
	struct sockaddr_storage peer[RSP_BATCH];
	union cbuf cin[RSP_BATCH];
	uint8_t qbuf[RSP_BATCH][RSP_MAX_UDP];
	struct mmsghdr out[RSP_BATCH];
	struct iovec iov_out[RSP_BATCH];
	union cbuf cout[RSP_BATCH];
	uint8_t rbuf[RSP_BATCH][RSP_MAX_UDP];
};

struct udp_batch *udp_batch_new(void)
{
	return xcalloc(1, sizeof(struct udp_batch));
}

int udp_open(struct server *s, struct bindsock *b)
{
	int v6 = b->key.family == 6, on = 1;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* No SO_REUSEADDR: two responders on one port must fail loudly rather
	 * than silently split the traffic. */
	if (v6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
	} else {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	}
	sock_set_buffers(fd);
	struct sockaddr_storage ss;
	socklen_t sl = key_to_sockaddr(&b->key, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || fd_add(s, fd, FDK_UDP, b, EPOLLIN) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	b->udp_fd = fd;
	return 0;
}

/* Source address for a reply, as a cmsg; returns the control length. */
static size_t put_pktinfo(union cbuf *cb, const struct ep_key *src)
{
	struct cmsghdr *c = &cb->align;
	memset(cb, 0, sizeof *cb);
	if (src->family == 4) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi_spec_dst, src->addr, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
	if (src->family == 6) {
		struct in6_pktinfo pi;
		memset(&pi, 0, sizeof pi);
		memcpy(&pi.ipi6_addr, src->addr, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
	return 0;
}

int udp_send_one(struct server *s, int fd, const struct sockaddr_storage *peer, socklen_t peerlen,
                 const struct ep_key *src, const uint8_t *buf, size_t len)
{
	union cbuf cb;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = {
		.msg_name = (void *)peer, .msg_namelen = peerlen, .msg_iov = &iov, .msg_iovlen = 1
	};
	if (!sockaddr_is_loopback(peer))
		return -1;
	m.msg_controllen = put_pktinfo(&cb, src);
	m.msg_control = m.msg_controllen ? &cb : NULL;
	if (sendmsg(fd, &m, MSG_DONTWAIT) < 0) {
		s->st.send_errors++;
		return -1;
	}
	s->st.sent++;
	return 0;
}

/* Lazily opened [::1]:ephemeral socket: the IPv6 "wrong source" (there is
 * no second IPv6 loopback address, so the reply comes from another port). */
static int aux6(struct server *s)
{
	if (s->aux6_fd >= 0)
		return s->aux6_fd;
	int on = 1;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	struct sockaddr_in6 sa;
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    fd_add(s, fd, FDK_AUX, NULL, 0) < 0) {
		close(fd);
		return -1;
	}
	s->aux6_fd = fd;
	return fd;
}

/* Destination of a received datagram, from its pktinfo cmsg. */
static bool dest_of(const struct bindsock *b, struct msghdr *m, struct ep_key *dst)
{
	memset(dst, 0, sizeof *dst);
	dst->family = b->key.family;
	dst->port = b->key.port;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			memcpy(dst->addr, &pi.ipi_addr, 4);
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			memcpy(dst->addr, &pi.ipi6_addr, 16);
			return true;
		}
	}
	if (b->wildcard)
		return false;
	memcpy(dst->addr, b->key.addr, 16);
	return true;
}

static void flush(struct server *s, int fd, struct udp_batch *u, int nout)
{
	int sent = 0;
	while (sent < nout) {
		int r = sendmmsg(fd, u->out + sent, (unsigned)(nout - sent), MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			s->st.send_errors++;
			sent++; /* skip the datagram that failed, keep the rest */
			continue;
		}
		sent += r;
		s->st.sent += (uint64_t)r;
	}
}

void udp_readable(struct server *s, struct bindsock *b)
{
	struct udp_batch *u = s->ub;
	int fd = b->udp_fd;
	/* Bounded rounds so one busy socket cannot starve the others; epoll
	 * is level-triggered and brings us back. */
	for (int round = 0; round < 16; round++) {
		for (int i = 0; i < RSP_BATCH; i++) {
			u->iov_in[i].iov_base = u->qbuf[i];
			u->iov_in[i].iov_len = RSP_MAX_UDP;
			struct msghdr *m = &u->in[i].msg_hdr;
			memset(m, 0, sizeof *m);
			m->msg_name = &u->peer[i];
			m->msg_namelen = sizeof u->peer[i];
			m->msg_iov = &u->iov_in[i];
			m->msg_iovlen = 1;
			m->msg_control = &u->cin[i];
			m->msg_controllen = sizeof u->cin[i];
		}
		int n = recvmmsg(fd, u->in, RSP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		int nout = 0;
		for (int i = 0; i < n; i++) {
			struct msghdr *m = &u->in[i].msg_hdr;
			struct ep_key dst;
			s->st.udp_in++;
			if ((m->msg_flags & MSG_TRUNC) || !sockaddr_is_loopback(&u->peer[i]) ||
			    !dest_of(b, m, &dst))
				continue;
			struct endpoint *ep = config_find(s->cfg, &dst);
			if (!ep) {
				s->st.unmatched++;
				continue;
			}
			struct rsp_out o = { .buf = u->rbuf[nout], .cap = RSP_MAX_UDP };
			if (rsp_respond(s, ep, u->qbuf[i], u->in[i].msg_len, false, &o) != ACT_SEND)
				continue;
			int sfd = fd;
			struct ep_key src = dst;
			if (o.other_source) {
				if (dst.family == 4) {
					/* address + 1 (or - 1 at .255), same port */
					if (src.addr[3] == 255)
						src.addr[3]--;
					else
						src.addr[3]++;
				} else {
					sfd = aux6(s);
					src.family = 0; /* no pktinfo: the socket's own address */
					if (sfd < 0)
						continue;
				}
			}
			if (o.delay_ms) {
				timer_add(s, o.delay_ms, sfd, false, &u->peer[i], m->msg_namelen,
				          &src, o.buf, o.len);
				continue;
			}
			if (sfd != fd) {
				udp_send_one(s, sfd, &u->peer[i], m->msg_namelen, &src, o.buf,
				             o.len);
				continue;
			}
			struct msghdr *om = &u->out[nout].msg_hdr;
			memset(om, 0, sizeof *om);
			u->iov_out[nout].iov_base = o.buf;
			u->iov_out[nout].iov_len = o.len;
			om->msg_name = &u->peer[i];
			om->msg_namelen = m->msg_namelen;
			om->msg_iov = &u->iov_out[nout];
			om->msg_iovlen = 1;
			om->msg_controllen = put_pktinfo(&u->cout[nout], &src);
			om->msg_control = om->msg_controllen ? &u->cout[nout] : NULL;
			nout++;
		}
		flush(s, fd, u, nout);
		if (n < RSP_BATCH)
			break;
	}
}
