#!/usr/bin/env python3
"""dnsq-hostile — a test-only authoritative server for "evil." that lies.

Never installed; tests/50-dnsq.bats starts it inside a lab namespace.
Listens on UDP ADDR:53 (the "evil." server), ADDR:5353 (to reply from the
wrong port) and IMPOSTOR:53 (answers 6.6.6.6 to everything, and replies
from the wrong address).  Behaviour by query name:

  www.evil.      referral to ns1.example.lab with out-of-bailiwick glue
                 pointing at the impostor
  poison.evil.   answer plus an unrelated www.example.lab A 6.6.6.6 and
                 out-of-bailiwick additional records
  ids.evil.      wrong ID, wrong port, wrong address, wrong question,
                 compression loop, truncated message, then the true answer
  mute.evil.     only hostile replies: the client must time out
  formerr.evil.  FORMERR to any query with EDNS, an answer without
  *.deep.evil.   an endless chain of referrals, one label deeper each time
  anything else  NXDOMAIN
"""
import select
import socket
import struct
import sys

ADDR, IMPOSTOR = sys.argv[1], sys.argv[2]


def name_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_query(data):
    qid, flags, qd, an, ns, ar = struct.unpack("!6H", data[:12])
    pos, labels = 12, []
    while data[pos]:
        ln = data[pos]
        labels.append(data[pos + 1:pos + 1 + ln].decode("ascii", "replace"))
        pos += 1 + ln
    pos += 1
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    return qid, ".".join(labels).lower() + ".", qtype, data[12:pos + 4], ar > 0


def rr(name, rtype, rdata, ttl=300):
    return name_wire(name) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def a(ip):
    return socket.inet_aton(ip)


def msg(qid, question, flags, an=(), ns=(), ar=()):
    return (struct.pack("!6H", qid, flags, 1, len(an), len(ns), len(ar)) + question +
            b"".join(an) + b"".join(ns) + b"".join(ar))


AA, QR = 0x0400, 0x8000
SOA = name_wire("ns.evil.") + name_wire("h.evil.") + struct.pack("!5I", 1, 3600, 900, 86400, 300)
deep_count = {}


def handle(data, peer, main, alt, imp):
    qid, qname, qtype, question, edns = parse_query(data)
    send = lambda sock, m: sock.sendto(m, peer)
    if qname == "www.evil.":
        send(main, msg(qid, question, QR, ns=[rr("www.evil.", 2, name_wire("ns1.example.lab."))],
                       ar=[rr("ns1.example.lab.", 1, a(IMPOSTOR))]))
    elif qname == "poison.evil.":
        send(main, msg(qid, question, QR | AA,
                       an=[rr(qname, 1, a("192.0.2.66")), rr("www.example.lab.", 1, a("6.6.6.6"))],
                       ar=[rr("ns1.example.lab.", 1, a("6.6.6.6"))]))
    elif qname in ("ids.evil.", "mute.evil."):
        good = msg(qid, question, QR | AA, an=[rr(qname, 1, a("192.0.2.99"))])
        send(main, msg(qid ^ 0x5555, question, QR | AA, an=[rr(qname, 1, a("6.6.6.6"))]))
        send(alt, msg(qid, question, QR | AA, an=[rr(qname, 1, a("6.6.6.6"))]))
        send(imp, msg(qid, question, QR | AA, an=[rr(qname, 1, a("6.6.6.6"))]))
        other = name_wire("other.evil.") + struct.pack("!HH", qtype, 1)
        send(main, msg(qid, other, QR | AA, an=[rr("other.evil.", 1, a("6.6.6.6"))]))
        # an answer whose owner is a pointer to itself
        loop = bytearray(msg(qid, question, QR | AA, an=[rr(qname, 1, a("6.6.6.6"))]))
        off = 12 + len(question)
        loop[off:off + len(name_wire(qname))] = b""
        loop[off:off] = struct.pack("!H", 0xC000 | off)
        send(main, bytes(loop))
        send(main, good[:len(good) - 3])
        if qname == "ids.evil.":
            send(main, good)
    elif qname == "formerr.evil.":
        if edns:
            send(main, msg(qid, question, QR | 1))
        else:
            send(main, msg(qid, question, QR | AA, an=[rr(qname, 1, a("192.0.2.77"))]))
    elif qname.endswith(".deep.evil."):
        labels = qname.rstrip(".").split(".")
        k = deep_count.get(qname, 0) + 1
        deep_count[qname] = k
        cut = ".".join(labels[-(2 + k):]) + "."
        send(main, msg(qid, question, QR, ns=[rr(cut, 2, name_wire("ns.evil."))],
                       ar=[rr("ns.evil.", 1, a(ADDR))]))
    else:
        send(main, msg(qid, question, QR | AA | 3, ns=[rr("evil.", 6, SOA)]))


def impostor(data, peer, imp):
    qid, qname, qtype, question, edns = parse_query(data)
    imp.sendto(msg(qid, question, QR | AA, an=[rr(qname, 1, a("6.6.6.6"))]), peer)


def main():
    main_s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    main_s.bind((ADDR, 53))
    alt = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    alt.bind((ADDR, 5353))
    imp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    imp.bind((IMPOSTOR, 53))
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([main_s, imp], [], [])
        for s in r:
            data, peer = s.recvfrom(4096)
            with open(sys.argv[3], "a") as log:
                log.write("%s %s\n" % ("main" if s is main_s else "impostor", peer[0]))
            try:
                if s is main_s:
                    handle(data, peer, main_s, alt, imp)
                else:
                    impostor(data, peer, imp)
            except (IndexError, struct.error, UnicodeError):
                pass


main()
