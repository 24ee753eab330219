#!/usr/bin/env python3
"""capture-proxy.py: a logging Handle-protocol proxy on loopback, for capturing byte fixtures between real clients and a
real server.

    capture-proxy.py --listen 2651 --upstream 2641 --out DIR [--seconds 120] [--no-udp] [--no-tcp]

Listens on 127.0.0.1:LISTEN (UDP and TCP), forwards everything to 127.0.0.1:UPSTREAM and back, unchanged, and writes each
Handle message it sees into DIR as one file of lower-case hex on one line:

    NNNN-udp-c2s.hex    one UDP datagram from the client (envelope + its part of the message)
    NNNN-udp-s2c.hex    one UDP datagram from the server (a response of several datagrams gives several files)
    NNNN-tcp-c2s.hex    one TCP message from the client: the 20-byte envelope and the messageLength bytes after it
    NNNN-tcp-s2c.hex    one TCP message from the server, split the same way

NNNN counts up across the whole session, so the files sort in the order the proxy saw them. DIR/log.txt gets one line per
file with the envelope and header fields decoded (version, flags, session, request id, message id, length; opcode,
response code, opflags), and one line per TCP connection opened and closed (and by whom). Bytes that do not parse as
Handle messages (a TCP stream that is not one) are still forwarded, and written whole as NNNN-tcp-c2s.raw.hex.

Only loopback: it binds 127.0.0.1 and forwards to 127.0.0.1. It stops by itself after --seconds (default 120), or on
SIGINT/SIGTERM. The first line of log.txt ("# proxy ...") is written once both sockets are bound: wait for it.
"""
import argparse
import os
import selectors
import signal
import socket
import struct
import threading
import time

OPFLAGS = [(0x80000000, "AT"), (0x40000000, "CT"), (0x20000000, "ENC"), (0x10000000, "REC"), (0x08000000, "CA"),
           (0x04000000, "CN"), (0x02000000, "KC"), (0x01000000, "PO"), (0x00800000, "RD"), (0x00400000, "OVRW"),
           (0x00200000, "MINT"), (0x00100000, "DNRF")]


class Log:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()
        os.makedirs(out, exist_ok=True)
        self.file = open(os.path.join(out, "log.txt"), "a", buffering=1)

    def message(self, kind, direction, data, note="", raw=False):
        with self.lock:
            self.n += 1
            name = "%04d-%s-%s%s.hex" % (self.n, kind, direction, ".raw" if raw else "")
            with open(os.path.join(self.out, name), "w") as f:
                f.write(data.hex() + "\n")
            line = "%s %s %s" % (name, note, describe(data) if not raw else "(%d bytes, not a Handle message)" % len(data))
            self.file.write(line + "\n")
            print(line, flush=True)

    def note(self, text):
        with self.lock:
            self.file.write("# " + text + "\n")
            print("# " + text, flush=True)


def describe(data):
    """Envelope fields, and the message header when this datagram/message starts one (UDP messageId 0, or TCP)."""
    if len(data) < 20:
        return "(%d bytes: shorter than an envelope)" % len(data)
    major, minor, flags, sminor = data[0], data[1], data[2], data[3]
    session, request, msgid, length = struct.unpack(">iiii", data[4:20])
    env = "len=%d env: v%d.%d flags=%s suggest=%d.%d session=%d request=%d msg=%d msglen=%d" % (
        len(data), major, minor, "|".join(n for b, n in [(0x80, "CP"), (0x40, "EC"), (0x20, "TC")] if flags & b) or "-",
        flags & 0x03, sminor, session, request, msgid, length)
    if msgid != 0 or len(data) < 44 or flags & 0x40:
        return env
    op, rc, opflags = struct.unpack(">IiI", data[20:32])
    serial, recursion = struct.unpack(">HB", data[32:35])
    expiration, body = struct.unpack(">Ii", data[36:44])
    names = " ".join(n for b, n in OPFLAGS if opflags & b) or "-"
    return env + " | op=%d rc=%d opflags=%08x(%s) serial=%d recursion=%d expiration=%d bodylen=%d" % (
        op, rc, opflags, names, serial if serial != 0xFFFF else -1, recursion, expiration, body)


def split_messages(buffer):
    """Complete Handle messages (20-byte envelope + messageLength) at the front of buffer, and the rest."""
    messages = []
    while len(buffer) >= 20:
        length = struct.unpack(">i", buffer[16:20])[0]
        if length < 0 or length > 262144:
            return messages, buffer, True
        if len(buffer) < 20 + length:
            break
        messages.append(bytes(buffer[:20 + length]))
        buffer = buffer[20 + length:]
    return messages, buffer, False


def tcp_listen(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    server.settimeout(0.2)
    return server


def tcp_proxy(server, upstream_port, log, deadline, stop):
    count = 0
    while not stop.is_set() and time.time() < deadline:
        try:
            client, address = server.accept()
        except socket.timeout:
            continue
        count += 1
        threading.Thread(target=tcp_connection, args=(client, address, count, upstream_port, log, deadline, stop), daemon=True).start()
    server.close()


def tcp_connection(client, address, number, upstream_port, log, deadline, stop):
    tag = "conn=%d" % number
    try:
        upstream = socket.create_connection(("127.0.0.1", upstream_port), timeout=5)
    except OSError as e:
        log.note("%s from %s:%d: upstream refused (%s)" % (tag, address[0], address[1], e))
        client.close()
        return
    log.note("%s opened from %s:%d" % (tag, address[0], address[1]))
    buffers = {client: bytearray(), upstream: bytearray()}
    peer = {client: upstream, upstream: client}
    direction = {client: "c2s", upstream: "s2c"}
    broken = {client: False, upstream: False}
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ)
    selector.register(upstream, selectors.EVENT_READ)
    open_sides = 2
    try:
        while open_sides and not stop.is_set() and time.time() < deadline:
            for key, _ in selector.select(timeout=0.2):
                sock = key.fileobj
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    who = "client" if sock is client else "server"
                    rest = buffers[sock]
                    if rest:
                        log.message("tcp", direction[sock], bytes(rest), tag + " (incomplete at close)", raw=True)
                    log.note("%s closed by %s" % (tag, who))
                    selector.unregister(sock)
                    open_sides -= 1
                    try:
                        peer[sock].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                peer[sock].sendall(data)
                if broken[sock]:
                    log.message("tcp", direction[sock], data, tag, raw=True)
                    continue
                buffers[sock] += data
                messages, rest, bad = split_messages(buffers[sock])
                for m in messages:
                    log.message("tcp", direction[sock], m, tag)
                buffers[sock] = bytearray(rest)
                if bad:
                    broken[sock] = True
                    log.message("tcp", direction[sock], bytes(rest), tag, raw=True)
                    buffers[sock] = bytearray()
    finally:
        selector.close()
        client.close()
        upstream.close()


def udp_listen(port):
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", port))
    return front


def udp_proxy(front, upstream_port, log, deadline, stop):
    selector = selectors.DefaultSelector()
    selector.register(front, selectors.EVENT_READ)
    backs = {}  # client address -> socket towards the server
    owners = {}  # that socket -> client address
    while not stop.is_set() and time.time() < deadline:
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            data, address = sock.recvfrom(65536)
            if sock is front:
                back = backs.get(address)
                if back is None:
                    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    back.bind(("127.0.0.1", 0))
                    backs[address] = back
                    owners[back] = address
                    selector.register(back, selectors.EVENT_READ)
                log.message("udp", "c2s", data, "from=%s:%d" % address)
                back.sendto(data, ("127.0.0.1", upstream_port))
            else:
                client = owners[sock]
                log.message("udp", "s2c", data, "to=%s:%d" % client)
                front.sendto(data, client)
    for back in backs.values():
        back.close()
    front.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1 the clients talk to")
    parser.add_argument("--upstream", type=int, required=True, help="port on 127.0.0.1 of the real server")
    parser.add_argument("--out", required=True, help="directory for the NNNN-*.hex files and log.txt")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this many seconds (default 120)")
    parser.add_argument("--no-udp", action="store_true")
    parser.add_argument("--no-tcp", action="store_true")
    args = parser.parse_args()
    log = Log(args.out)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    deadline = time.time() + args.seconds
    threads = []
    # Both sockets are bound before the note below is written: a caller may wait for that line in log.txt.
    if not args.no_tcp:
        threads.append(threading.Thread(target=tcp_proxy, args=(tcp_listen(args.listen), args.upstream, log, deadline, stop), daemon=True))
    if not args.no_udp:
        threads.append(threading.Thread(target=udp_proxy, args=(udp_listen(args.listen), args.upstream, log, deadline, stop), daemon=True))
    for t in threads:
        t.start()
    log.note("proxy 127.0.0.1:%d -> 127.0.0.1:%d for %.0f s" % (args.listen, args.upstream, args.seconds))
    while not stop.is_set() and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=2)
    log.note("proxy stopped")


if __name__ == "__main__":
    main()
