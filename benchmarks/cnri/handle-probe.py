#!/usr/bin/env python3
"""handle-probe.py: sends one hand-made Handle message to a server on loopback and prints what comes back, for the
requests no real client makes (an unknown opcode, a newer protocol version, an admin operation without credentials).

    handle-probe.py --port 2641 [--udp] [--op 1] [--handle 88.300/B-000001] [--type T]... [--index N]...
                    [--version 2.10] [--suggest 2.10] [--opflags 0x19000000] [--trailing-auth] [--body-hex HEX]
                    [--request-id 4660] [--timeout 5]

The message is: envelope (20 bytes: version, flags|suggested major, suggested minor, session 0, request id, message id 0,
length), header (24 bytes: opcode, response code 0, opflags, site serial 0xffff, recursion 0, reserved, expiration
now+3600, body length), body, and a zero credential length (4 bytes). The body is, unless --body-hex gives it: for
opcode 1 the resolution body (handle, index list, type list; --trailing-auth appends the empty 4-byte auth field
id-pointer-sdk adds), for any other opcode the generic body (the handle only). Prints each datagram or TCP message
received as hex with its decoded header, then whether the server closed the TCP connection.
"""
import argparse
import socket
import struct
import time


def body(args):
    if args.body_hex is not None:
        return bytes.fromhex(args.body_hex)
    handle = args.handle.encode()
    out = struct.pack(">I", len(handle)) + handle
    if args.op != 1:
        return out
    out += struct.pack(">I", len(args.index)) + b"".join(struct.pack(">I", i) for i in args.index)
    out += struct.pack(">I", len(args.type)) + b"".join(struct.pack(">I", len(t.encode())) + t.encode() for t in args.type)
    if args.trailing_auth:
        out += struct.pack(">I", 0)
    return out


def message(args):
    b = body(args)
    header = struct.pack(">IiIHBBII", args.op, 0, args.opflags, 0xFFFF, 0, 0, int(time.time()) + 3600, len(b))
    msg = header + b + struct.pack(">I", 0)
    major, minor = (int(x) for x in args.version.split("."))
    smajor, sminor = (int(x) for x in args.suggest.split("."))
    envelope = struct.pack(">BBBBiiii", major, minor, smajor & 0x03, sminor, 0, args.request_id, 0, len(msg))
    return envelope + msg


def show(data):
    if len(data) < 20:
        return "%d bytes: %s" % (len(data), data.hex())
    major, minor, flags, sminor, session, request, msgid, length = struct.unpack(">BBBBiiii", data[:20])
    text = "envelope v%d.%d flags=%02x suggest=%d.%d session=%d request=%d msg=%d msglen=%d" % (
        major, minor, flags & 0xFC, flags & 0x03, sminor, session, request, msgid, length)
    if msgid == 0 and len(data) >= 44:
        op, rc, opflags, serial, rec, _, exp, blen = struct.unpack(">IiIHBBII", data[20:44])
        text += " | op=%d rc=%d opflags=%08x serial=%d expiration=%d bodylen=%d" % (op, rc, opflags, serial, exp, blen)
        if rc not in (0, 1) and blen >= 4 and len(data) >= 48:
            n = struct.unpack(">I", data[44:48])[0]
            text += " message=%r" % data[48:48 + n].decode(errors="replace")
    return text + "\n  " + data.hex()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--udp", action="store_true")
    p.add_argument("--op", type=int, default=1)
    p.add_argument("--handle", default="88.300/B-000001")
    p.add_argument("--type", action="append", default=[])
    p.add_argument("--index", action="append", type=int, default=[])
    p.add_argument("--version", default="2.10")
    p.add_argument("--suggest", default="2.10")
    p.add_argument("--opflags", type=lambda s: int(s, 0), default=0x19000000, help="default REC|CA|PO (0x19000000)")
    p.add_argument("--trailing-auth", action="store_true")
    p.add_argument("--body-hex")
    p.add_argument("--request-id", type=int, default=4660)
    p.add_argument("--timeout", type=float, default=5)
    args = p.parse_args()
    data = message(args)
    print("sent:", show(data))
    if args.udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        s.sendto(data, ("127.0.0.1", args.port))
        try:
            while True:
                reply, _ = s.recvfrom(65536)
                print("received:", show(reply))
                s.settimeout(0.5)
        except socket.timeout:
            pass
        return
    s = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
    s.sendall(data)
    buffer = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                print("server closed the connection")
                break
            buffer += chunk
            while len(buffer) >= 20:
                n = struct.unpack(">i", buffer[16:20])[0]
                if len(buffer) < 20 + n:
                    break
                print("received:", show(buffer[:20 + n]))
                buffer = buffer[20 + n:]
    except socket.timeout:
        print("no more data within %.1f s; connection still open" % args.timeout)
    if buffer:
        print("left over:", buffer.hex())


if __name__ == "__main__":
    main()
