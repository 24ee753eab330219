#!/usr/bin/env python3
"""decode-hex.py FILE.hex...: prints what a captured Handle message (one line of hex: envelope + message, as
capture-proxy.py writes them and tests/Resolver.Server.Tests/Handle/Fixtures/ holds them) says, field by field.

Decodes the envelope, the message header, and the body of resolution requests, resolution responses, error responses,
challenges (402), site-info responses and generic requests, the request digest, and the credential section. A UDP
datagram that is not the first part of its message (messageId > 0) is shown as envelope + payload length only.
"""
import struct
import sys

OPFLAGS = [(0x80000000, "AT"), (0x40000000, "CT"), (0x20000000, "ENC"), (0x10000000, "REC"), (0x08000000, "CA"),
           (0x04000000, "CN"), (0x02000000, "KC"), (0x01000000, "PO"), (0x00800000, "RD"), (0x00400000, "OVRW"),
           (0x00200000, "MINT"), (0x00100000, "DNRF"), (0x00000004, "idpointer-RECU_AUTH")]
DIGEST = {1: 16, 2: 20, 3: 32}


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def int4(self):
        v = struct.unpack(">i", self.data[self.pos:self.pos + 4])[0]
        self.pos += 4
        return v

    def bytes_(self):
        n = self.int4()
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def left(self):
        return len(self.data) - self.pos


def value(r):
    index, ts = r.int4(), r.int4()
    ttl_type = r.data[r.pos]
    r.pos += 1
    ttl = r.int4()
    perms = r.data[r.pos]
    r.pos += 1
    vtype, data = r.bytes_(), r.bytes_()
    refs = [(r.bytes_(), r.int4()) for _ in range(r.int4())]
    shown = data.decode(errors="replace") if all(32 <= b < 127 for b in data) else data.hex()
    if len(shown) > 100:
        shown = shown[:100] + "... (%d bytes)" % len(data)
    return "index=%d type=%s ts=%d ttlType=%d ttl=%d perms=%s refs=%d data=%s" % (
        index, vtype.decode(), ts, ttl_type, ttl, "".join(c if perms & b else "-" for b, c in [(8, "r"), (4, "w"), (2, "r"), (1, "w")]), len(refs), shown)


def decode(data):
    out = []
    major, minor, flags, sminor = data[0], data[1], data[2], data[3]
    session, request, msgid, length = struct.unpack(">iiii", data[4:20])
    out.append("envelope: version %d.%d, byte2=0x%02x (%s, suggested major %d), suggested minor %d, session %d, request id %d, "
               "message id %d, message length %d; this datagram/message carries %d bytes after the envelope" % (
                   major, minor, flags, "|".join(n for b, n in [(0x80, "CP"), (0x40, "EC"), (0x20, "TC")] if flags & b) or "no CP/EC/TC",
                   flags & 3, sminor, session, request, msgid, length, len(data) - 20))
    if msgid != 0 or len(data) < 44:
        return out
    op, rc, opflags, serial, recursion, _, expiration, bodylen = struct.unpack(">IiIhBBII", data[20:44])
    out.append("header: opcode %d, response code %d, opflags 0x%08x (%s), site serial %d, recursion %d, expiration %d, body length %d" % (
        op, rc, opflags, " ".join(n for b, n in OPFLAGS if opflags & b) or "-", serial, recursion, expiration, bodylen))
    end = 44 + bodylen
    if len(data) < end:
        out.append("(the body continues in later datagrams)")
        return out
    r = Reader(data[:end], 44)
    if rc != 0 and opflags & 0x00800000:
        alg = data[r.pos]
        r.pos += 1
        size = DIGEST.get(alg)
        if size:
            out.append("request digest: algorithm %d, %s" % (alg, data[r.pos:r.pos + size].hex()))
            r.pos += size
        else:
            out.append("request digest: algorithm %d (length-prefixed)" % alg)
            r.bytes_()
    if rc == 0 and op == 1:
        handle = r.bytes_()
        indexes = [r.int4() for _ in range(r.int4())]
        types = [r.bytes_().decode() for _ in range(r.int4())]
        out.append("resolution request: handle %r, indexes %s, types %s" % (handle.decode(), indexes, types))
        if r.left():
            out.append("  %d more body bytes after the type list: %s" % (r.left(), data[r.pos:end].hex()))
            r.pos = end
    elif rc == 0:
        out.append("request body (generic: handle): %r%s" % (r.bytes_().decode(errors="replace"), "" if not r.left() else " + %d bytes" % r.left()))
    elif rc == 1 and op == 1:
        handle = r.bytes_()
        count = r.int4()
        out.append("resolution response: handle %r, %d values" % (handle.decode(), count))
        for _ in range(count):
            out.append("  " + value(r))
    elif rc == 1 and op == 2:
        out.append("site info record: %d bytes: %s..." % (r.left(), data[r.pos:r.pos + 24].hex()))
        r.pos = end
    elif rc == 402:
        out.append("challenge: nonce %s" % r.bytes_().hex())
    elif rc in (302, 303):
        out.append("referral: handle %r, %d bytes of values" % (r.bytes_().decode(), r.left()))
        r.pos = end
    else:
        m = r.bytes_()
        out.append("error message: %r" % m.decode(errors="replace"))
    if r.pos != end:
        out.append("  (%d body bytes not accounted for)" % (end - r.pos))
    cred = Reader(data, end)
    if len(data) >= end + 4:
        n = cred.int4()
        if n == 0:
            out.append("credential: none (length 0)")
        else:
            c = Reader(data[end + 4:end + 4 + n])
            version, reserved = c.data[0], c.data[1]
            flags2 = struct.unpack(">H", c.data[2:4])[0]
            c.pos = 4
            signer, signer_index = c.bytes_(), c.int4()
            ctype = c.bytes_()
            section = c.int4()
            alg = c.bytes_()
            sig = c.bytes_()
            out.append("credential: %d bytes: version %d, reserved %d, flags %d, signer %r:%d, type %s, section %d bytes: "
                       "digest algorithm %s, signature %d bytes" % (n, version, reserved, flags2, signer.decode(), signer_index,
                                                                    ctype.decode(), section, alg.decode(errors="replace"), len(sig)))
    if len(data) > end + 4 + (struct.unpack(">i", data[end:end + 4])[0] if len(data) >= end + 4 else 0):
        out.append("(trailing bytes after the credential)")
    return out


def main():
    for name in sys.argv[1:]:
        data = bytes.fromhex(open(name).read().strip())
        print("%s (%d bytes)" % (name, len(data)))
        for line in decode(data):
            print("  " + line)


if __name__ == "__main__":
    main()
