#!/usr/bin/env python3
"""DS records (SHA-256) for the secure entry points among DNSKEY records.

Usage: ds.py [--bogus ZONE[,ZONE...]] < dnskeys
  dnskeys: zone-file lines as `kdig +noall +answer ... DNSKEY` prints them.
Prints one `OWNER 3600 IN DS ...` line per DNSKEY with the SEP flag (257).
For a zone named in --bogus the digest is deliberately wrong (its first
byte inverted): the parent then vouches for a key the child does not have,
and validators must call every name in the child bogus.

The lab computes DS itself (rather than with keymgr, once per zone) so that
one process handles all the signed zones at `up`.
"""
import base64
import hashlib
import struct
import sys


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.lower().encode("ascii")
    return out + b"\0"


def key_tag(rdata):
    # RFC 4034 appendix B
    acc = 0
    for i, b in enumerate(rdata):
        acc += b << 8 if i % 2 == 0 else b
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def main(argv):
    bogus = set()
    if len(argv) == 2 and argv[0] == "--bogus":
        bogus = {z.rstrip(".").lower() + "." for z in argv[1].split(",") if z}
    elif argv:
        sys.exit(__doc__)
    for line in sys.stdin:
        f = line.split()
        if "DNSKEY" not in f or line.startswith(";"):
            continue
        i = f.index("DNSKEY")
        owner = f[0].lower()
        flags, proto, alg = int(f[i + 1]), int(f[i + 2]), int(f[i + 3])
        if flags != 257:
            continue
        key = base64.b64decode("".join(f[i + 4:]))
        rdata = struct.pack("!HBB", flags, proto, alg) + key
        digest = bytearray(hashlib.sha256(wire_name(owner) + rdata).digest())
        if owner in bogus:
            digest[0] ^= 0xFF
        print(f"{owner} 3600 IN DS {key_tag(rdata)} {alg} 2 {digest.hex().upper()}")


if __name__ == "__main__":
    main(sys.argv[1:])
