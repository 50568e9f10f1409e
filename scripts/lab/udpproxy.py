#!/usr/bin/env python3
"""Tiny UDP DNS proxy for the propwatch lab: adds latency, loses packets, or
swallows everything.  `tc netem` is not available in this kernel, so the lab
emulates bad network paths in user space.

Usage: udpproxy.py SPEC [SPEC ...]
  SPEC = LISTEN=UPSTREAM[,delay=SECONDS][,loss=FRACTION]   forward (impaired)
       | LISTEN=drop                                       black hole
  LISTEN, UPSTREAM = IPv4:PORT (the lab only ever uses loopback addresses).

loss=P is the round-trip loss: each direction drops a datagram with
probability 1-sqrt(1-P), so a query/answer pair is lost with probability P.
delay=S holds every answer S seconds before it goes back to the client.
A black hole reads and discards every query, so a client sees a timeout,
not an ICMP port unreachable.
"""
import asyncio
import ipaddress
import math
import random
import signal
import sys

UPSTREAM_TIMEOUT = 5.0


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    addr = ipaddress.ip_address(host)
    # The lab must never send anything off the machine: refuse non-loopback.
    if not addr.is_loopback:
        raise SystemExit(f"udpproxy: {text}: only loopback addresses are allowed")
    return host, int(port)


def parse_spec(spec):
    listen, _, rest = spec.partition("=")
    parts = rest.split(",")
    opts = {"listen": parse_hostport(listen), "upstream": None,
            "delay": 0.0, "loss": 0.0}
    if parts[0] != "drop":
        opts["upstream"] = parse_hostport(parts[0])
    for p in parts[1:]:
        key, _, val = p.partition("=")
        if key not in ("delay", "loss"):
            raise SystemExit(f"udpproxy: unknown option {key!r} in {spec!r}")
        opts[key] = float(val)
    return opts


class Upstream(asyncio.DatagramProtocol):
    """One short-lived socket per client query: simple and keeps query IDs apart."""

    def __init__(self, front, client):
        self.front, self.client, self.transport = front, client, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.front.answer(data, self.client)
        self.transport.close()

    def error_received(self, exc):
        self.transport.close()


class Front(asyncio.DatagramProtocol):
    def __init__(self, opts):
        self.opts, self.transport = opts, None
        # per-direction drop probability giving the requested round-trip loss
        self.p_dir = 1.0 - math.sqrt(1.0 - opts["loss"]) if opts["loss"] < 1 else 1.0
        self.seen = self.dropped = 0

    def connection_made(self, transport):
        self.transport = transport

    def lost(self):
        return self.p_dir > 0 and random.random() < self.p_dir

    def datagram_received(self, data, addr):
        self.seen += 1
        if self.opts["upstream"] is None or self.lost():
            self.dropped += 1
            return
        asyncio.ensure_future(self.forward(data, addr))

    async def forward(self, data, client):
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Upstream(self, client), remote_addr=self.opts["upstream"])
        transport.sendto(data)
        loop.call_later(UPSTREAM_TIMEOUT, transport.close)

    def answer(self, data, client):
        if self.lost():
            self.dropped += 1
            return
        delay = self.opts["delay"]
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self.transport.sendto, data, client)
        else:
            self.transport.sendto(data, client)


async def main(specs):
    loop = asyncio.get_running_loop()
    for spec in specs:
        opts = parse_spec(spec)
        await loop.create_datagram_endpoint(lambda o=opts: Front(o), local_addr=opts["listen"])
        print(f"udpproxy: {spec} listening", flush=True)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1:]))
