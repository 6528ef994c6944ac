#!/usr/bin/env python3
"""Latency probe of bench:sfu, a process of its own (pinned away from the mediasoup worker).

It sends a small RTP stream (one packet every 2 ms) into the probe producer and receives it
back from the probe consumer. Each payload carries its send time (CLOCK_REALTIME, ns, taken just
before sendto). On receipt it reads two times:
  * the kernel's receive timestamp (SO_TIMESTAMPNS): when the worker's sendto put the packet
    into our socket. kernel - sent = the SFU's added latency (our sendto -> worker wakes up,
    relays -> its sendto), without our own scheduling delay;
  * the time recvmsg returned here: user - kernel = this receiver's own delay (the part of the
    old in-process measurement that was the bench's fault, not the SFU's).

Commands on stdin, one per line: "start IP PORT SSRC PT" -> {"op":"ready","port":N};
"record" (forget samples, start keeping them); "report" -> {"op":"report","sfu":[ms...],
"receiver":[ms...]}; "stop". Answers are JSON lines on stdout.
"""
import json
import socket
import struct
import sys
import threading
import time

SO_TIMESTAMPNS = 35  # Linux; SCM_TIMESTAMPNS has the same value
MAX_SAMPLES = 200_000

state = {"recording": False, "sfu": [], "receiver": []}
lock = threading.Lock()
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
receiver.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.bind(("127.0.0.1", 0))


def answer(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def send_loop(ip, port, ssrc, pt, stop):
    seq = 0
    ts = 0
    packet = bytearray(12 + 80)
    packet[0] = 0x80
    packet[1] = pt
    struct.pack_into("!I", packet, 8, ssrc)
    next_at = time.monotonic()
    while not stop.is_set():
        struct.pack_into("!HI", packet, 2, seq, ts)
        struct.pack_into("!Q", packet, 12, time.clock_gettime_ns(time.CLOCK_REALTIME))
        sender.sendto(packet, (ip, port))
        seq = (seq + 1) & 0xFFFF
        ts = (ts + 96) & 0xFFFFFFFF
        next_at += 0.002
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_at = time.monotonic()


def receive_loop():
    while True:
        try:
            data, ancillary, _flags, _addr = receiver.recvmsg(2048, 64)
        except OSError:
            return
        user = time.clock_gettime_ns(time.CLOCK_REALTIME)
        pt = data[1] & 0x7F
        if len(data) < 12 or 72 <= pt <= 79:
            continue  # RTCP
        offset = 12 + (data[0] & 0x0F) * 4
        if data[0] & 0x10:
            offset += 4 + struct.unpack_from("!H", data, offset + 2)[0] * 4
        if len(data) < offset + 8:
            continue
        (sent,) = struct.unpack_from("!Q", data, offset)
        kernel = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                seconds, nanos = struct.unpack_from("qq", payload)
                kernel = seconds * 1_000_000_000 + nanos
        if kernel is None:
            continue
        with lock:
            if state["recording"] and len(state["sfu"]) < MAX_SAMPLES:
                state["sfu"].append((kernel - sent) / 1e6)
                state["receiver"].append((user - kernel) / 1e6)


def main():
    stop = threading.Event()
    threading.Thread(target=receive_loop, daemon=True).start()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "start":
            ip, port, ssrc, pt = words[1], int(words[2]), int(words[3]), int(words[4])
            threading.Thread(target=send_loop, args=(ip, port, ssrc, pt, stop), daemon=True).start()
            answer({"op": "ready", "port": receiver.getsockname()[1]})
        elif words[0] == "record":
            with lock:
                state["sfu"], state["receiver"], state["recording"] = [], [], True
        elif words[0] == "report":
            with lock:
                state["recording"] = False
                answer({"op": "report", "sfu": state["sfu"], "receiver": state["receiver"]})
        elif words[0] == "stop":
            break
    stop.set()
    receiver.close()


if __name__ == "__main__":
    main()
