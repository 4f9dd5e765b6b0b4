"""The wire's pure parts, against the captured sessions."""

import json
import os
import unittest

from kaarpc import _protocol as p


def vectors(name):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, '..', '..', 'kaa-rpc', 'src', 'test', 'resources', 'vectors', name)) as f:
        return [json.loads(line) for line in f]


class HandshakeTest(unittest.TestCase):

    def test_the_captured_answers_are_recomputed_and_a_wrong_secret_is_not(self):
        packets = [v for v in vectors('kaa-session.jsonl') if v['connection'] == 1]
        auth = next(v for v in packets if v['type'] == 'AUTH')
        resp = next(v for v in packets if v['type'] == 'RESP' and v['direction'] == 'c2s')
        c1 = bytes.fromhex(auth['challenge'])
        response, salt = bytes.fromhex(resp['response']), bytes.fromhex(resp['salt'])
        self.assertTrue(p.verify(b'sekrit', c1, salt, response))
        self.assertFalse(p.verify(b'wrong', c1, salt, response))
        self.assertEqual(p.split_handshake(bytes.fromhex(resp['payload_hex']))[1], response)

    def test_a_handshake_payload_of_another_length_is_refused(self):
        with self.assertRaises(ValueError):
            p.split_handshake(bytes(59))

    def test_our_challenges_are_marked_and_random(self):
        a, b = p.challenge(True), p.challenge(True)
        self.assertTrue(p.is_marked(a))
        self.assertEqual(a[4:5], b'S')
        self.assertNotEqual(a, b)
        self.assertFalse(p.is_marked(os.urandom(20).replace(b'k', b'x', 1)[:1] + bytes(19)))


class HeaderTest(unittest.TestCase):

    def test_headers_are_little_endian_seq_type_length(self):
        self.assertEqual(p.header(1, p.CALL, 42), b'\x01\x00\x00\x00CALL\x2a\x00\x00\x00')
        self.assertEqual(p.parse_header(p.header(2 ** 32 - 1, p.RETN, 7)), (2 ** 32 - 1, b'RETN', 7))
        for v in vectors('kaa-session.jsonl'):
            if v['type'] == 'CALL':
                payload = bytes.fromhex(v['payload_hex'])
                self.assertEqual(p.parse_header(p.header(v['seq'], p.CALL, len(payload))),
                                 (v['seq'], b'CALL', len(payload)))


if __name__ == '__main__':
    unittest.main()
