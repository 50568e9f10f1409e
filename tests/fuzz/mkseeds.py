#!/usr/bin/env python3
"""mkseeds.py - write the seed corpora of the fuzz harnesses (tests/fuzz/corpus/).

The seeds are committed; this script says how each was made, and makes them
again (python3 tests/fuzz/mkseeds.py). Standard library only.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = [1, 2, 5, 6, 12, 13, 15, 16, 28, 29, 33, 35, 39, 43, 44, 46, 47, 48,
         50, 52, 59, 61, 64, 65, 99, 108, 109, 256, 257, 255, 32769, 4242]


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def msg(qtype, answers=(), authority=(), additional=(), rcode=0, ident=0x1234, flags=0x8180):
    h = struct.pack("!HHHHHH", ident, flags | rcode, 1, len(answers), len(authority), len(additional))
    q = name("example.test") + struct.pack("!HH", qtype, 1)
    return h + q + b"".join(answers) + b"".join(authority) + b"".join(additional)


def opt(udp=1232, ext_rcode=0, version=0, options=b""):
    return b"\0" + struct.pack("!HHBBHH", 41, udp, ext_rcode, version, 0x8000, len(options)) + options


PTR = b"\xc0\x0c"  # compression pointer to the question name
SOA = name("ns1.example.test") + name("h.example.test") + struct.pack("!IIIII", 7, 3600, 600, 86400, 300)


def write(kind, fname, data):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def reply_seeds():
    sel = lambda t: bytes([TYPES.index(t)])
    mx = lambda pref, host: struct.pack("!H", pref) + name(host)
    write("reply", "mx", sel(15) + msg(15, [rr(PTR, 15, 300, mx(10, "mx1.example.test")),
                                            rr(PTR, 15, 300, mx(20, "mx2.example.test"))]))
    write("reply", "https-16-mandatory", sel(65) + msg(65, [rr(PTR, 65, 3600, b"\0\1\0\0\0\0\x20" + b"\0" * 32)]))
    write("reply", "nxdomain-soa", sel(15) + msg(15, authority=[rr(name("example.test"), 6, 3600, SOA)], rcode=3))
    nsid = struct.pack("!HH", 3, 6) + b"site-a"
    ecs = struct.pack("!HH", 8, 7) + struct.pack("!HBB", 1, 24, 24) + bytes([198, 51, 100])
    write("reply", "opt-nsid-ecs", sel(15) + msg(15, [rr(PTR, 15, 60, mx(10, "mx.example.test"))],
                                                 additional=[opt(options=nsid + ecs)]))
    write("reply", "badvers", sel(15) + msg(15, additional=[opt(ext_rcode=1)]))
    write("reply", "txt", sel(16) + msg(16, [rr(PTR, 16, 60, b"\x0bv=spf1 -all\x05a\"b\\c")]))
    write("reply", "cname", sel(1) + msg(1, [rr(PTR, 5, 60, name("real.example.test")),
                                             rr(name("real.example.test"), 1, 60, bytes([192, 0, 2, 1]))]))
    write("reply", "truncated", sel(15) + msg(15, flags=0x8380))
    write("reply", "bare-refused", sel(15) + struct.pack("!HHHHHH", 0x1234, 0x8185, 0, 0, 0, 0))


def icmp_seeds():
    # cmsghdr: len (size_t), level, type; then sock_extended_err.
    def cmsg(level, ctype, origin, etype, code):
        ee = struct.pack("=IBBBBII", 111, origin, etype, code, 0, 0, 0) + b"\0" * 16
        hdr = struct.pack("=Qii", 16 + len(ee), level, ctype)
        return hdr + ee
    write("icmp", "v4-port-unreachable", bytes([2, 0x12, 0x34]) + cmsg(0, 11, 2, 3, 3))
    write("icmp", "v6-port-unreachable", bytes([2, 0x12, 0x34]) + cmsg(41, 25, 3, 1, 4))
    write("icmp", "local-error", bytes([2, 0x12, 0x34]) + cmsg(0, 11, 1, 0, 0))
    # The crash make fuzz found: a cmsg that claims a whole error the buffer
    # does not hold (now test_icmp.c's test_length_past_the_buffer).
    write("icmp", "claims-more-than-sent", bytes([2, 0x12, 0x34]) + cmsg(0, 11, 2, 3, 3)[:18])


def tcp_seeds():
    m = msg(15, [rr(PTR, 15, 300, struct.pack("!H", 10) + name("mx.example.test"))])
    framed = struct.pack("!H", len(m)) + m
    write("tcp", "one-chunk", bytes([63]) + framed[:64] + bytes([63]) + framed[64:])
    write("tcp", "byte-by-byte", b"".join(bytes([0, b]) for b in framed))
    write("tcp", "too-short", bytes([3]) + b"\x00\x05abc")


def reslist_seeds():
    write("reslist", "list", b"# comment\n127.0.0.1 ZZ lab a label\n[::1]:5353 ZZ lab +anycast v6\n"
                            b"192.0.2.1:5353 DE op\n\n[2620:fe::fe:10] CH Quad9 +anycast x\n")
    write("reslist", "ambiguous", b"::1:5353 ZZ lab\n")
    write("reslist", "bom-crlf", b"\xef\xbb\xbf127.0.0.1 ZZ lab\r\n127.0.0.2 ZZ lab\r\n")
    write("reslist", "duplicate", b"127.0.0.1 ZZ a\n127.0.0.1 ZZ b\n")


def options_seeds():
    write("options", "durations", b"1m30s")
    write("options", "threshold", b"95.5%")
    write("options", "type", b"TYPE65")
    write("options", "mx-rdata", b"10 mx.example.test.")
    write("options", "argv", b"-r\0/dev/null\0--expect\0" b"10 mx.example.test.\0--wait\0" b"5m\0example.test\0MX")
    write("options", "argv-cluster", b"-46v\0-j4\0--format=json\0--threshold\0" b"95%\0example.test")
    write("options", "caa", b'0 issue "ca.example"')


FIXTURES = os.path.join(HERE, "..", "fixtures")


def fixture(rel, ident):
    """A fixture body as tests/lib/httpfixture.py serves it (its templates filled)."""
    with open(os.path.join(FIXTURES, rel), encoding="utf-8") as f:
        text = f.read()
    values = {"id": ident, "id2": ident, "probes": "4", "now": "1800000000",
              "now_iso": '"2027-01-15T08:00:00.000Z"', "base": '"http://127.0.0.1:1"'}
    for k, v in values.items():
        text = text.replace('"{{%s}}"' % k, v).replace("{{%s}}" % k, v.strip('"'))
    return text.encode()


def vantage_seeds():
    # fuzz_vantage.c: the first byte picks the decoder (its value % 9).
    gp = '"2Fixture"'
    write("vantage", "gp-created", bytes([0]) + fixture("globalping/finished/created.json", gp))
    for sc in ("finished", "mixed", "private-resolver", "timeout-probe"):
        write("vantage", "gp-" + sc, bytes([1]) + fixture("globalping/%s/finished.json" % sc, gp))
    write("vantage", "gp-in-progress", bytes([1]) + fixture("globalping/progress/in-progress-2.json", gp))
    write("vantage", "atlas-created", bytes([2]) + b'{"measurements": [90000001]}')
    write("vantage", "atlas-status", bytes([3]) + fixture("atlas/finished/status.json", "90000001"))
    for sc in ("finished", "timeout-probe", "direct-resolver"):
        write("vantage", "atlas-results-" + sc, bytes([4]) + fixture("atlas/%s/results.json" % sc, "90000001"))
    write("vantage", "atlas-probe", bytes([5]) + fixture("atlas/finished/probe-1001.json", "1"))
    write("vantage", "atlas-credits", bytes([5]) + fixture("atlas/reask/credits.json", "1"))
    write("vantage", "gp-error", bytes([6]) + b'{"error": {"type": "no_probes_found", "message": "No matching IPv4 probes available."}}')
    write("vantage", "atlas-error", bytes([6]) + b'{"error": {"status": 400, "code": 102, "detail": "There were problems", '
          b'"title": "Bad Request", "errors": [{"source": {"pointer": "/"}, "detail": "Not enough credits."}]}}')
    write("vantage", "abuf-mx", bytes([7]) + b"EAOBgAABAAIAAAAAB2V4YW1wbGUEdGVzdAAADwABwAwADwABAAAA+gAIAAoDbXgxwAzADAAPAAEAAAD6AAgAFANteDLADA==")
    write("vantage", "from-gp", bytes([8]) + b"DE,us,Asia,continent:EU,asn:AS3320,magic:Berlin+AS3320,tag:eyeball-network")
    write("vantage", "from-atlas", bytes([8 + 9]) + b"country:DE,area:WW,asn:3320,probes:1001,1002,prefix:192.0.2.0/24")


def log_seeds():
    import json
    def ev(e, s, **kw):
        d = {"v": 1, "ev": e, "t": 1796170000 + s, "s": s}
        d.update(kw)
        return json.dumps(d, separators=(",", ":")) + "\n"
    start = ev("start", 0, mode="check", version="propwatch 0.3.0",
               query={"name": "example.test.", "type": "MX"}, resolvers=2, interval=10.0, threshold="100%")
    res = (ev("resolver", 0, i=0, address="127.0.3.1", port=5300, country="DE", operator="lab",
              label="a", anycast=False) +
           ev("resolver", 0, i=1, address="::1", port=53, country="ZZ", operator="x", label="", anycast=True))
    truth = ev("truth", 0.1, source="auth", zone="example.test.", serial=2, rcode="NOERROR",
               records=["10 mx-new.example.test."], auth_ttl=60, disagree=False, servers=[])
    old = ev("answer", 0.2, i=0, status="stale", rcode="NOERROR", ttl=30, latency_ms=0.4,
             records=["10 mx-old.example.test."], eta_s=30.0, predicted_s=30.2,
             anomalies=["ttl-capped"], share=0.0)
    new = ev("answer", 30.5, i=0, status="new", rcode="NOERROR", ttl=60, latency_ms=0.4,
             records=["10 mx-new.example.test."], eta_s=None, predicted_s=None, anomalies=[], share=100.0)
    verdict = ev("verdict", 31, verdict="propagated", exit=0, new=1, usable=1, total=2, share=100.0,
                 eta_s=None, interrupted=False)
    whole = start + res + truth + old + ev("change", 0.2, i=0, **{"from": "pending", "to": "stale"}) + new + verdict
    write("log", "whole", b"\0" + whole.encode())
    write("log", "cut-short", b"\1" + (start + res + truth + old)[:-20].encode())
    write("log", "two-sessions", b"\2" + (whole + start + res + old).encode())


if __name__ == "__main__":
    vantage_seeds()
    reply_seeds()
    icmp_seeds()
    tcp_seeds()
    reslist_seeds()
    options_seeds()
    log_seeds()
