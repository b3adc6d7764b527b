"""Userspace ``netem``: delay (and drop) a namespace's outgoing packets through NFQUEUE.

This kernel has no ``sch_netem`` (``tc qdisc add ... netem`` answers "Specified qdisc kind
is unknown"), but it has netfilter queues. An iptables rule in the namespace sends every
packet leaving its veth to queue ``N``; this program, run inside the same namespace, takes
each packet's id from the kernel, drops it with probability ``loss`` and otherwise gives
the kernel its ACCEPT verdict after a delay drawn uniformly from ``delay ± jitter`` (what
``netem delay 50ms 10ms loss 1%`` does). The rule is added with ``--queue-bypass``, so if
this program dies the packets flow undelayed instead of being lost.

Speaks the nfnetlink_queue protocol directly (no libnetfilter_queue):
``python -m tests.distributed.delayq --queue 0 --delay-ms 50 --jitter-ms 10 --loss 0.01
--stats stats.json`` (statistics written on SIGTERM).
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import select
import signal
import socket
import struct
import time
from pathlib import Path

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NF_DROP, NF_ACCEPT = 0, 1
NLM_F_REQUEST = 1
NLMSG_ERROR = 2


def _attr(kind: int, payload: bytes) -> bytes:
    raw = struct.pack("=HH", 4 + len(payload), kind) + payload
    return raw + b"\0" * (-len(raw) % 4)


def _message(msg: int, queue: int, attrs: bytes, seq: int = 0) -> bytes:
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
    kind = (NFNL_SUBSYS_QUEUE << 8) | msg
    return struct.pack("=IHHII", 16 + len(body), kind, NLM_F_REQUEST, seq, 0) + body


def bind_queue(sock: socket.socket, queue: int) -> None:
    cmd = struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)
    sock.send(_message(NFQNL_MSG_CONFIG, queue, _attr(NFQA_CFG_CMD, cmd), seq=1))
    params = struct.pack("!IB", 0, NFQNL_COPY_META)  # ids only, no packet contents
    sock.send(_message(NFQNL_MSG_CONFIG, queue, _attr(NFQA_CFG_PARAMS, params), seq=2))
    maxlen = struct.pack("!I", 65536)
    sock.send(_message(NFQNL_MSG_CONFIG, queue, _attr(NFQA_CFG_QUEUE_MAXLEN, maxlen), seq=3))


def verdict(sock: socket.socket, queue: int, packet_id: int, decision: int) -> None:
    hdr = struct.pack("!II", decision, packet_id)
    sock.send(_message(NFQNL_MSG_VERDICT, queue, _attr(NFQA_VERDICT_HDR, hdr)))


def packet_ids(data: bytes) -> list[int]:
    """The packet ids of the queued-packet messages in one netlink datagram."""
    ids, off = [], 0
    while off + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if kind == NLMSG_ERROR:
            (code,) = struct.unpack_from("=i", data, off + 16)
            if code != 0:
                raise OSError(-code, "nfnetlink_queue refused a request")
        elif kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = off + 20  # nlmsghdr + nfgenmsg
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype & 0x7FFF == NFQA_PACKET_HDR:
                    ids.append(struct.unpack_from("!I", data, a + 4)[0])
                a += (alen + 3) & ~3
        off += (length + 3) & ~3
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--queue", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--jitter-ms", type=float, default=10.0)
    ap.add_argument("--loss", type=float, default=0.01)
    ap.add_argument("--stats", type=Path)
    args = ap.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((0, 0))
    bind_queue(sock, args.queue)
    stats = {"packets": 0, "dropped": 0, "delayed": 0, "delay_ms_sum": 0.0, "enobufs": 0}
    pending: list[tuple[float, int]] = []
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    lo, hi = args.delay_ms - args.jitter_ms, args.delay_ms + args.jitter_ms
    while not stop:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, pid = heapq.heappop(pending)
            verdict(sock, args.queue, pid, NF_ACCEPT)
        timeout = max(0.0, pending[0][0] - now) if pending else 0.5
        try:
            ready, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not ready:
            continue
        try:
            data = sock.recv(1 << 16)
        except OSError as exc:  # ENOBUFS: the kernel queue outran us; it keeps the packets
            stats["enobufs"] += 1
            if exc.errno != 105:
                raise
            continue
        now = time.monotonic()
        for pid in packet_ids(data):
            stats["packets"] += 1
            if random.random() < args.loss:
                stats["dropped"] += 1
                verdict(sock, args.queue, pid, NF_DROP)
                continue
            delay = max(0.0, random.uniform(lo, hi))
            stats["delayed"] += 1
            stats["delay_ms_sum"] += delay
            heapq.heappush(pending, (now + delay / 1000, pid))
    for _, pid in pending:  # leave nothing stuck in the kernel queue
        verdict(sock, args.queue, pid, NF_ACCEPT)
    if args.stats:
        args.stats.write_text(json.dumps(stats))


if __name__ == "__main__":
    main()
