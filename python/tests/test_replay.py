"""The captured reference sessions replayed over a socket to a kaarpc server, byte for byte after the handshake.

The session was captured between two peers of the original kaa.rpc; the server here serves the same demo service
(tests/peer.py). Every packet the original client sent after its handshake goes as it was captured; the answers
must be what the original server answered: the same seqs, types and values.
"""

import asyncio
import json
import os
import struct
import unittest

import kaarpc
from kaarpc import _protocol as p
from kaarpc._unpickle import loads

from peer import Demo

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, '..', '..', 'kaa-rpc', 'src', 'test', 'resources', 'vectors')
HEADER = struct.Struct('<I4sI')


def session():
    with open(os.path.join(VECTORS, 'kaa-session.jsonl')) as f:
        return [json.loads(line) for line in f]


def comparable(kind, payload):
    """What must match: a value, or an exception's type and arguments (tracebacks name other files)."""
    value = loads(payload)  # the reader checked against pickle.loads on every captured payload (test_unpickle)
    if kind == 'EXCP':
        exc, stack = value
        return type(exc).__name__, exc.args
    return value


class ReplayTest(unittest.IsolatedAsyncioTestCase):

    async def asyncSetUp(self):
        self.server = await kaarpc.Server('127.0.0.1:0', 'sekrit').register(Demo()).start()
        self.addAsyncCleanup(self.server.close)
        host, port = self.server.bound.rsplit(':', 1)
        self.reader, self.writer = await asyncio.open_connection(host, int(port))
        self.addCleanup(self.writer.close)

    async def read(self):
        seq, kind, length = HEADER.unpack(await asyncio.wait_for(self.reader.readexactly(12), 10))
        return seq, kind.decode(), await asyncio.wait_for(self.reader.readexactly(length), 10)

    async def handshake(self, secret):
        seq, kind, challenge = await self.read()
        self.assertEqual((seq, kind, len(challenge)), (0, 'AUTH', 60))
        salt = os.urandom(20)
        self.writer.write(p.header(0, p.RESP, 60) + bytes(20) + p.answer(secret, challenge[:20], salt) + salt)

    async def test_connection_1_is_answered_as_the_original_answered_it(self):
        packets = [x for x in session() if x['connection'] == 1]
        sent = [x for x in packets if x['direction'] == 'c2s' and x['type'] != 'RESP']
        expected = {(x['seq'], x['type']): comparable(x['type'], bytes.fromhex(x['payload_hex']))
                    for x in packets if x['direction'] == 's2c' and x['type'] in ('RETN', 'EXCP', 'CALL')}
        await self.handshake(b'sekrit')
        received = {}
        for packet in sent:
            if packet['type'] == 'RETN':
                # the answer to the server's own call: sent once that call came, as the original client did
                while ('CALL' not in [k for _, k in received]):
                    seq, kind, payload = await self.read()
                    received[(seq, kind)] = payload
            payload = bytes.fromhex(packet['payload_hex'])
            self.writer.write(p.header(packet['seq'], packet['type'].encode(), len(payload)) + payload)
        while len(received) < len(expected):
            seq, kind, payload = await self.read()
            self.assertNotIn((seq, kind), received)
            received[(seq, kind)] = payload
        self.assertEqual(sorted(received), sorted(expected))
        for key, payload in received.items():
            if key[1] == 'CALL':
                self.assertEqual(loads(payload), expected[key], key)
            else:
                self.assertEqual(comparable(key[1], payload), expected[key], key)

    async def test_connection_2_with_the_wrong_secret_is_closed(self):
        await self.handshake(b'wrong')
        self.assertEqual(await asyncio.wait_for(self.reader.read(), 10), b'')


if __name__ == '__main__':
    unittest.main()
