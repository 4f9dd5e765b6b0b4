"""The bounded unpickler: what it builds, what it refuses, and within what work."""

import collections
import datetime
import decimal
import os
import pickle
import unittest
import uuid

from kaarpc._unpickle import Inert, UnpicklingRefused, loads


class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y


class SafeValuesTest(unittest.TestCase):

    def roundtrip(self, value, protocol=2):
        return loads(pickle.dumps(value, protocol))

    def test_builtins_come_back_as_they_were_sent(self):
        for protocol in (0, 1, 2, 3, 4):
            for value in [None, True, False, 0, -1, 255, 65535, 2 ** 31, -2 ** 63, 2 ** 200, 1.5, float('inf'),
                          'text', 'ünïcode ☃ 𝄞', b'\x00\xffraw', [1, [2, 3]], (1, 2), (1,), (), {'k': [1]},
                          {1, 2}, frozenset({3}), bytearray(b'ab'), {(1, 2): 'tuple key'}]:
                with self.subTest(protocol=protocol, value=value):
                    self.assertEqual(self.roundtrip(value, protocol), value)

    def test_the_standard_types_the_java_side_reads(self):
        values = [datetime.datetime(2026, 12, 1, 20, 42, 7, 123456), datetime.date(2026, 12, 1),
                  datetime.time(20, 42), datetime.timedelta(days=3, seconds=7, microseconds=9),
                  datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc),
                  datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=2), 'X')),
                  decimal.Decimal('-1.10'), decimal.Decimal('NaN'), uuid.UUID(int=12345),
                  collections.OrderedDict([('b', 1), ('a', 2)])]
        for protocol in (2, 4):
            for value in values:
                with self.subTest(protocol=protocol, value=value):
                    got = self.roundtrip(value, protocol)
                    self.assertEqual(type(got), type(value))
                    self.assertEqual(str(got), str(value))  # NaN is not equal to itself

    def test_exceptions_are_builtin_instances_with_their_arguments(self):
        e = self.roundtrip(KeyError('missing'))
        self.assertIsInstance(e, KeyError)
        self.assertEqual(e.args, ('missing',))
        self.assertIsInstance(self.roundtrip(ValueError('v', 2)), ValueError)

    def test_sharing_is_kept(self):
        shared = [1, 2]
        a, b = self.roundtrip((shared, shared))
        self.assertIs(a, b)

    def test_python2_names_are_read(self):
        # what a Python 2 kaa.rpc peer writes for an exception and a set
        self.assertIsInstance(loads(b'cexceptions\nKeyError\n(S\'k\'\ntR.'), KeyError)
        self.assertEqual(loads(b'c__builtin__\nset\n((lp0\nI1\natR.'), {1})


class RefusalsTest(unittest.TestCase):

    def test_no_class_outside_the_safe_set_is_imported_or_called(self):
        payload = pickle.dumps(Point(1, [2]), 2)
        p = loads(payload)
        self.assertIsInstance(p, Inert)
        self.assertEqual((p.module, p.name), (__name__, 'Point'))
        self.assertEqual(p.state, {'x': 1, 'y': [2]})
        # the classic: os.system by REDUCE; it arrives inert, never called
        evil = b'cposix\nsystem\n(S\'touch /tmp/kaarpc-owned\'\ntR.'
        self.assertIsInstance(loads(evil), Inert)
        self.assertFalse(os.path.exists('/tmp/kaarpc-owned'))

    def test_a_class_allowed_by_name_is_built(self):
        payload = pickle.dumps(Point(1, 2), 2)

        def make(*args):  # the caller's own way to build its class; the state follows
            return Point.__new__(Point)
        p = loads(payload, allowed={(__name__, 'Point'): make})
        self.assertIsInstance(p, Point)
        self.assertEqual((p.x, p.y), (1, 2))

    def test_malformed_pickles_are_refused_with_a_reason(self):
        for junk in [b'', b'\x80\x02', b'garbage', b'(', b'0.', b'h\x05.', b'X\xff\xff\xff\xff', b']a.']:
            with self.subTest(junk=junk):
                with self.assertRaises(UnpicklingRefused):
                    loads(junk)

    def test_codecs_encode_is_only_bytes(self):
        self.assertEqual(loads(pickle.dumps(b'\x01\x02', 2)), b'\x01\x02')
        with self.assertRaises(UnpicklingRefused):
            loads(b'c_codecs\nencode\n(X\x01\x00\x00\x00xX\x05\x00\x00\x00rot13tR.')

    def test_a_huge_text_integer_is_refused(self):
        with self.assertRaises(UnpicklingRefused):
            loads(b'L' + b'9' * 5000 + b'L\n.')


class RecursionTest(unittest.TestCase):
    """What CPython walks by a recursion it does not bound is never built deeper than MAX_DEPTH."""

    def test_a_deep_tuple_is_never_hashed_as_a_key(self):
        payload = b'\x80\x02}K\x00' + b'\x85' * 100000 + b'Ns.'
        with self.assertRaises(UnpicklingRefused) as refused:
            loads(payload)
        self.assertIn('a key nested deeper than 256', str(refused.exception))

    def test_an_exception_state_goes_into_its_dict_never_a_c_slot(self):
        # OSError.filename is a C slot: a chain of OSErrors through it would be freed by an unbounded recursion
        e = loads(b'\x80\x02cbuiltins\nOSError\n)R}X\x08\x00\x00\x00filenameX\x01\x00\x00\x00xsb.')
        self.assertIsInstance(e, OSError)
        self.assertIsNone(e.filename)
        self.assertEqual(e.__dict__['filename'], 'x')
        chain = (b'cbuiltins\nOSError\nq\x000X\x08\x00\x00\x00filenameq\x020Nq\x010'
                 + b'h\x00)R}h\x02h\x01sbq\x010' * 5000 + b'h\x01')
        with self.assertRaises(UnpicklingRefused):
            loads(b'\x80\x02' + chain + b'.')

    def test_a_class_never_reaches_the_caller_as_a_value(self):
        for payload in (b'\x80\x02cbuiltins\nValueError\n.', b'\x80\x02]cbuiltins\nset\na.',
                        b'\x80\x02cbuiltins\nValueError\n)R}X\x01\x00\x00\x00tcbuiltins\nset\nsb.'):
            with self.subTest(payload=payload):
                with self.assertRaises(UnpicklingRefused) as refused:
                    loads(payload)
                self.assertIn('a class or function as a value', str(refused.exception))

    def test_a_decimal_exponent_is_bounded_as_on_the_java_side(self):
        self.assertEqual(loads(pickle.dumps(decimal.Decimal('1e5000'), 2)), decimal.Decimal('1e5000'))
        with self.assertRaises(UnpicklingRefused):
            loads(pickle.dumps(decimal.Decimal('1e999999999'), 2))

    def test_an_exception_keeps_container_arguments_in_its_args_alone(self):
        e = loads(b'\x80\x02cbuiltins\nOSError\nNN]\x87R.')  # OSError(None, None, []): [] would be its filename
        self.assertIsInstance(e, OSError)
        self.assertEqual(e.args, (None, None, []))
        self.assertIsNone(e.filename)

    def test_a_factory_pays_for_the_memoized_text_it_copies(self):
        text = b'X' + (100000).to_bytes(4, 'little') + b'x' * 100000 + b'q\x00'
        each = b'c_codecs\nencode\nh\x00X\x06\x00\x00\x00latin1\x86R0'
        with self.assertRaises(UnpicklingRefused):
            loads(b'\x80\x02' + text + each * 2000 + b'N.')

    def test_errors_of_the_types_built_are_refusals(self):
        for payload in (b'\x80\x02cuuid\nUUID\n)\x81}X\x03\x00\x00\x00intJ\xff\xff\xff\xffsb.',  # UUID(int=-1)
                        b'\x80\x02cbuiltins\nbytearray\nJ\xff\xff\xff\x7f\x85R.',  # bytearray(2**31 - 1)
                        b'\x80\x02}](K\x01e\x85Ns.',  # a tuple holding a list, as a key
                        b'Vabc\\u12\n.'):  # a cut escape
            with self.subTest(payload=payload):
                with self.assertRaises(UnpicklingRefused):
                    loads(payload)


class VectorsTest(unittest.TestCase):

    def test_every_payload_of_the_captured_sessions_reads_as_python_read_it(self):
        import json
        here = os.path.dirname(os.path.abspath(__file__))
        vectors = os.path.join(here, '..', '..', 'kaa-rpc', 'src', 'test', 'resources', 'vectors')
        seen = 0
        for name in ('kaa-session.jsonl', 'python2-style.jsonl'):
            with open(os.path.join(vectors, name)) as f:
                for line in f:
                    packet = json.loads(line)
                    if packet.get('type') not in ('CALL', 'RETN', 'EXCP') or not packet.get('payload_hex'):
                        continue
                    value = loads(bytes.fromhex(packet['payload_hex']))
                    seen += 1
                    if packet['type'] == 'EXCP':
                        exc, stack = value
                        self.assertIsInstance(exc, BaseException)
                        self.assertIsInstance(stack, list)
                    elif 'python_repr' in packet:
                        self.assertEqual(repr(value), packet['python_repr'])
        self.assertGreater(seen, 20)


class WorkBoundsTest(unittest.TestCase):

    def assertRefusedQuickly(self, payload):
        """Refused by the work budget, which a payload's size sets: the refusal comes in time linear in its bytes."""
        with self.assertRaises(UnpicklingRefused) as refused:
            loads(payload)
        self.assertIn('more work than its size allows', str(refused.exception))

    def test_a_hash_bomb_of_nested_shared_tuples_is_refused_in_linear_time(self):
        # t0 = (); t(n+1) = (tn, tn); then {t60: 1}: hashing t60 walks 2^60 tuples in CPython
        ops = bytearray(b'\x80\x02)q\x00')
        for i in range(1, 61):
            ops += b'h' + bytes([(i - 1) % 256]) + b'h' + bytes([(i - 1) % 256]) + b'\x86q' + bytes([i % 256])
        ops += b'}h' + bytes([60]) + b'K\x01s.'
        self.assertRefusedQuickly(bytes(ops))

    def test_a_sharing_bomb_of_a_list_in_a_set_is_refused(self):
        # a frozenset of 10^5 references to one big tuple: each member is hashed
        big = b'(' + b'K\x01' * 2000 + b'tq\x00'
        payload = b'\x80\x02' + big + b'(' + b'h\x00' * 50000 + b'\x91.'
        self.assertRefusedQuickly(payload)

    def test_colliding_int_keys_pay_for_their_probes(self):
        # k * (2**61 - 1) all hash to 0 in CPython: a set of n of them costs n**2 / 2 probes
        p61 = 2 ** 61 - 1
        payload = pickle.dumps({k * p61 for k in range(1, 6000)}, 2)
        self.assertRefusedQuickly(payload)
        self.assertRefusedQuickly(pickle.dumps(collections.OrderedDict((k * p61, None) for k in range(1, 6000)), 2))
        # the same number of ordinary keys is read
        self.assertEqual(len(loads(pickle.dumps(set(range(6000)), 2))), 6000)

    def test_a_big_int_key_pays_for_its_digits_each_time_it_is_hashed(self):
        # a memoized big int added to a set again and again: each add hashes all its digits
        n = (2 ** 200000).to_bytes(25001, 'little')
        payload = b'\x80\x02(\x8b' + len(n).to_bytes(4, 'little') + n + b'q\x00' + b'h\x00' * 20000 + b'\x91.'
        self.assertRefusedQuickly(payload)

    def test_the_memo_of_hash_costs_is_not_fooled_by_a_reused_id(self):
        # a cheap key is charged, freed, and a costly tuple made at its address: it is charged in full
        body = (b'K\x00q\x010' + b'h\x01h\x01\x86q\x010' * 59 + b'}K\x01K\x02\x86Ns0' + b'}h\x01h\x01\x86Ns')
        self.assertRefusedQuickly(b'\x80\x02' + body + b'.')

    def test_inert_objects_are_equal_only_to_themselves(self):
        a, b = Inert('m', 'C', (), {'x': [1]}), Inert('m', 'C', (), {'x': [1]})
        self.assertNotEqual(a, b)
        self.assertEqual(len({a, b, a}), 2)

    def test_honest_payloads_fit_the_budget(self):
        value = {'rows': [{'id': i, 'name': 'row %d' % i, 'tags': ['a', 'b']} for i in range(2000)]}
        self.assertEqual(loads(pickle.dumps(value, 2)), value)


if __name__ == '__main__':
    unittest.main()
