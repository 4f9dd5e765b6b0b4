"""The wire of kaa.rpc (PROTOCOL.md): 12-byte headers, and the shared-secret handshake.

Pure functions over bytes; no I/O here.
"""

import hashlib
import hmac
import os
import struct

__all__ = ['HEADER', 'AUTH', 'RESP', 'CALL', 'RETN', 'EXCP', 'CNCL', 'DENY', 'CALH', 'FIELD',
           'header', 'parse_header', 'answer', 'verify', 'challenge', 'split_handshake', 'is_marked']

HEADER = struct.Struct('<I4sI')
AUTH, RESP, CALL, RETN, EXCP = b'AUTH', b'RESP', b'CALL', b'RETN', b'EXCP'
#: this project's extensions, between peers that mark their challenges
CNCL, DENY, CALH = b'CNCL', b'DENY', b'CALH'
#: the size of a challenge, a response and a salt; a handshake payload is three of them
FIELD = 20
ZERO = bytes(FIELD)
#: the marker of this project's challenges: kaJ, a version, the role (S or C), then random bytes
MARKER = b'kaJ'


def header(seq, kind, length):
    """The 12 bytes before a payload of ``length`` bytes."""
    return HEADER.pack(seq & 0xFFFFFFFF, kind, length)


def parse_header(b):
    """``(seq, type, length)`` of a 12-byte header."""
    return HEADER.unpack(b)


def answer(secret, challenge, salt):
    """HMAC-SHA1 with key ``secret || salt`` over ``challenge``: what proves the secret."""
    return hmac.new(secret + salt, challenge, hashlib.sha1).digest()


def verify(secret, challenge, salt, response):
    """Whether ``response`` answers ``challenge``, in time independent of where it differs."""
    return hmac.compare_digest(answer(secret, challenge, salt), response)


def challenge(server, version=1):
    """A fresh challenge, marked as this project's (so a peer of it knows us), for a server or a client.

    Version 1 of the marker: the peer may send CNCL, DENY and pickle shortcuts, and the answers cover one
    challenge each, as the original's do (from version 3 the Java side's cover both).
    """
    c = bytearray(os.urandom(FIELD))
    c[0:3] = MARKER
    c[3] = version
    c[4] = ord('S' if server else 'C')
    return bytes(c)


def is_marked(c):
    """Whether a challenge carries this project's marker."""
    return len(c) == FIELD and c[:3] == MARKER and c[3] >= 1


def split_handshake(payload):
    """``(challenge, response, salt)`` of a handshake payload; ValueError unless it is 60 bytes."""
    if len(payload) != 3 * FIELD:
        raise ValueError('a handshake payload of %d bytes, not %d' % (len(payload), 3 * FIELD))
    return payload[:FIELD], payload[FIELD:2 * FIELD], payload[2 * FIELD:]
