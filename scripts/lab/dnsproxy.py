#!/usr/bin/env python3
"""DNS proxy for the propwatch lab that misbehaves in one chosen way, on
UDP and TCP, in front of a real resolver.  Each endpoint differs from the
resolver behind it in exactly one respect, so `propwatch compare` can be
checked against a known answer.

Usage: dnsproxy.py SPEC [SPEC ...]
  SPEC = LISTEN=UPSTREAM[,MODE]       LISTEN, UPSTREAM = IPv4:PORT, loopback only
  MODE = (none)         pass everything through unchanged (the control case)
       | nx=ADDR        an NXDOMAIN reply to an A query becomes a NOERROR
                        answer with one A record ADDR (TTL 60), as ISPs that
                        "help" with typos do; other types pass unchanged
       | ecs            a query's EDNS Client Subnet option comes back with
                        SCOPE = SOURCE PREFIX-LENGTH (RFC 7871 "honoured";
                        the resolver behind does not know ECS, so the proxy
                        adds the option to its reply)
       | lower          the question section of every reply is lower-cased,
                        so a 0x20-randomised question does not come back as
                        asked (compressed owner names pointing at it follow)
       | ad             every NOERROR reply gets the AD bit: a middlebox
                        claiming a validation nobody did (bogus data too)

Replies are changed on both transports.  The proxy never answers by itself:
what the upstream does not answer, the client does not get.
"""
import asyncio
import ipaddress
import signal
import struct
import sys

UPSTREAM_TIMEOUT = 5.0
OPT, ECS = 41, 8


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    # The lab must never send anything off the machine: refuse non-loopback.
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"dnsproxy: {text}: only loopback addresses are allowed")
    return host, int(port)


def parse_spec(spec):
    listen, _, rest = spec.partition("=")
    upstream, _, mode = rest.partition(",")
    opts = {"listen": parse_hostport(listen), "upstream": parse_hostport(upstream),
            "mode": None, "arg": None}
    if mode:
        key, _, val = mode.partition("=")
        if key == "nx":
            opts["arg"] = ipaddress.IPv4Address(val).packed
        elif key not in ("ecs", "lower", "ad") or val:
            raise SystemExit(f"dnsproxy: unknown mode {mode!r} in {spec!r}")
        opts["mode"] = key
    return opts


# ---------------------------------------------------------------- wire ----

def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def sections(msg):
    """Offsets: end of question, and (start, end) of each RR after it."""
    qd, an, ns, ar = struct.unpack_from("!4H", msg, 4)
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    qend, rrs = off, []
    for _ in range(an + ns + ar):
        start = off
        off = skip_name(msg, off)
        rdlen = struct.unpack_from("!H", msg, off + 8)[0]
        off += 10 + rdlen
        rrs.append((start, off))
    return qend, rrs, (an, ns, ar)


def find_opt(msg):
    """(start, end) of the OPT RR, or None."""
    _, rrs, (an, ns, _) = sections(msg)
    for start, end in rrs[an + ns:]:
        t = struct.unpack_from("!H", msg, skip_name(msg, start))[0]
        if t == OPT:
            return start, end
    return None


def options(msg, opt):
    """(code, data) pairs of an OPT RR's rdata."""
    start, end = opt
    off = skip_name(msg, start) + 10
    out = []
    while off + 4 <= end:
        code, ln = struct.unpack_from("!HH", msg, off)
        out.append((code, msg[off + 4:off + 4 + ln]))
        off += 4 + ln
    return out


def with_options(msg, opt, opts):
    """msg with the OPT RR's options replaced."""
    start, end = opt
    head = skip_name(msg, start)
    rdata = b"".join(struct.pack("!HH", c, len(d)) + d for c, d in opts)
    rr = msg[start:head + 8] + struct.pack("!H", len(rdata)) + rdata
    return msg[:start] + rr + msg[end:]


# ----------------------------------------------------------- transforms ----

def nx_rewrite(reply, addr):
    flags = struct.unpack_from("!H", reply, 2)[0]
    if flags & 0xF != 3:
        return reply
    qend, _, _ = sections(reply)
    qtype, qclass = struct.unpack_from("!HH", reply, qend - 4)
    if qtype != 1 or qclass != 1:
        return reply
    opt = find_opt(reply)
    flags = flags & ~0xF & ~0x0020          # NOERROR, AD off: nothing vouches for it
    header = struct.pack("!HHHHHH", struct.unpack_from("!H", reply)[0], flags,
                         1, 1, 0, 1 if opt else 0)
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + addr
    return header + reply[12:qend] + answer + (reply[opt[0]:opt[1]] if opt else b"")


def ecs_echo(reply, query):
    qopt, ropt = find_opt(query), find_opt(reply)
    if not qopt or not ropt:
        return reply
    ecs = [d for c, d in options(query, qopt) if c == ECS and len(d) >= 4]
    if not ecs:
        return reply
    family, source = struct.unpack_from("!HB", ecs[0])
    echoed = struct.pack("!HBB", family, source, source) + ecs[0][4:]
    kept = [(c, d) for c, d in options(reply, ropt) if c != ECS]
    return with_options(reply, ropt, kept + [(ECS, echoed)])


def lower_question(reply):
    qend, _, _ = sections(reply)
    head, q, tail = reply[:12], bytearray(reply[12:qend]), reply[qend:]
    off = 0
    while off < len(q) - 4:
        n = q[off]
        if n == 0:
            off += 5            # root label, then QTYPE and QCLASS
            continue
        if n & 0xC0:
            break               # a compressed question: leave it alone
        q[off + 1:off + 1 + n] = bytes(q[off + 1:off + 1 + n]).lower()
        off += 1 + n
    return head + bytes(q) + tail


def set_ad(reply):
    flags = struct.unpack_from("!H", reply, 2)[0]
    if flags & 0xF != 0:
        return reply
    return reply[:2] + struct.pack("!H", flags | 0x0020) + reply[4:]


def transform(opts, reply, query):
    try:
        if opts["mode"] == "nx":
            return nx_rewrite(reply, opts["arg"])
        if opts["mode"] == "ecs":
            return ecs_echo(reply, query)
        if opts["mode"] == "lower":
            return lower_question(reply)
        if opts["mode"] == "ad":
            return set_ad(reply)
    except (IndexError, struct.error):
        pass                    # a reply we cannot parse goes back as it came
    return reply


# ------------------------------------------------------------- transport ----

class Upstream(asyncio.DatagramProtocol):
    """One short-lived socket per client query: keeps query IDs apart."""

    def __init__(self, front, client, query):
        self.front, self.client, self.query, self.transport = front, client, query, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.front.transport.sendto(transform(self.front.opts, data, self.query), self.client)
        self.transport.close()

    def error_received(self, exc):
        self.transport.close()


class Front(asyncio.DatagramProtocol):
    def __init__(self, opts):
        self.opts, self.transport = opts, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        asyncio.ensure_future(self.forward(data, addr))

    async def forward(self, data, client):
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Upstream(self, client, data), remote_addr=self.opts["upstream"])
        transport.sendto(data)
        loop.call_later(UPSTREAM_TIMEOUT, transport.close)


async def read_msg(reader):
    ln = struct.unpack("!H", await reader.readexactly(2))[0]
    return await reader.readexactly(ln)


def tcp_handler(opts):
    async def handle(reader, writer):
        try:
            while True:
                query = await asyncio.wait_for(read_msg(reader), 10)
                ur, uw = await asyncio.wait_for(asyncio.open_connection(*opts["upstream"]), UPSTREAM_TIMEOUT)
                try:
                    uw.write(struct.pack("!H", len(query)) + query)
                    reply = await asyncio.wait_for(read_msg(ur), UPSTREAM_TIMEOUT)
                finally:
                    uw.close()
                reply = transform(opts, reply, query)
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, OSError):
            pass
        finally:
            writer.close()
    return handle


async def main(specs):
    loop = asyncio.get_running_loop()
    for spec in specs:
        opts = parse_spec(spec)
        await loop.create_datagram_endpoint(lambda o=opts: Front(o), local_addr=opts["listen"])
        await asyncio.start_server(tcp_handler(opts), *opts["listen"], reuse_address=True)
        print(f"dnsproxy: {spec} listening (UDP and TCP)", flush=True)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1:]))
