"""What a hostile or broken peer can make a server do: each limit, and that a bystander is served meanwhile."""

import asyncio
import os
import pickle
import struct
import unittest

import kaarpc
from kaarpc import _protocol as p

HEADER = struct.Struct('<I4sI')


class Service(object):
    def __init__(self):
        self.release = None

    @kaarpc.expose()
    def echo(self, x):
        return x

    @kaarpc.expose()
    async def hold(self):
        await self.release.wait()
        return 'released'


class Raw(object):
    """A client that speaks the handshake and then sends whatever a test wants."""

    async def open(self, test, server, secret='s'):
        self.reader, self.writer = await test.connect(server)
        seq, kind, length = HEADER.unpack(await self.reader.readexactly(12))
        challenge = (await self.reader.readexactly(length))[:20]
        salt = os.urandom(20)
        self.writer.write(p.header(0, p.RESP, 60) + bytes(20) + p.answer(secret.encode(), challenge, salt) + salt)
        return self

    def call(self, seq, command, *args):
        payload = pickle.dumps((command, args, {}), 2)
        self.writer.write(p.header(seq, p.CALL, len(payload)) + payload)

    async def answer(self, timeout=10):
        seq, kind, length = HEADER.unpack(await asyncio.wait_for(self.reader.readexactly(12), timeout))
        return seq, kind, await asyncio.wait_for(self.reader.readexactly(length), timeout)

    async def closed_by_server(self, timeout=10):
        try:
            return await asyncio.wait_for(self.reader.read(), timeout) == b''
        except ConnectionError:
            return True


class LimitsTest(unittest.IsolatedAsyncioTestCase):

    async def start(self, **kwargs):
        self.service = Service()
        self.service.release = asyncio.Event()
        server = await kaarpc.Server('127.0.0.1:0', 's', **kwargs).register(self.service).start()
        self.addAsyncCleanup(server.close)
        return server

    async def connect(self, server):
        host, port = server.bound.rsplit(':', 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        self.addCleanup(writer.close)
        return reader, writer

    async def bystander(self, server):
        client = await kaarpc.Client(server.bound, 's').connect()
        self.addCleanup(client.close)
        return client

    async def test_a_frame_over_the_limit_closes_only_its_connection(self):
        server = await self.start(limits=kaarpc.Limits(max_frame=1000))
        other = await self.bystander(server)
        raw = await Raw().open(self, server)
        raw.writer.write(p.header(1, p.CALL, 1001))
        self.assertTrue(await raw.closed_by_server())
        self.assertEqual(await asyncio.wait_for(other.rpc('echo', 'x' * 900), 10), 'x' * 900)

    async def test_a_trickled_frame_is_closed_at_the_frame_time_out(self):
        server = await self.start(limits=kaarpc.Limits(frame_timeout=0.3))
        other = await self.bystander(server)
        raw = await Raw().open(self, server)
        raw.writer.write(p.header(1, p.CALL, 100) + b'\x80')  # and the other 99 bytes never come
        self.assertTrue(await raw.closed_by_server())
        self.assertEqual(await asyncio.wait_for(other.rpc('echo', 1), 10), 1)

    async def test_a_handshake_that_never_comes_is_closed_at_its_time_out(self):
        server = await self.start(limits=kaarpc.Limits(handshake_timeout=0.3))
        reader, writer = await self.connect(server)
        await reader.readexactly(72)  # the challenge; then silence
        self.assertEqual(await asyncio.wait_for(reader.read(), 10), b'')

    async def test_a_large_handshake_packet_is_refused_before_it_is_read(self):
        server = await self.start()
        reader, writer = await self.connect(server)
        await reader.readexactly(72)
        writer.write(p.header(0, p.RESP, 1 << 30))
        self.assertEqual(await asyncio.wait_for(reader.read(), 10), b'')

    async def test_past_max_calls_reading_pauses_and_resumes_when_one_ends(self):
        server = await self.start(limits=kaarpc.Limits(max_calls=2))
        raw = await Raw().open(self, server)
        raw.call(1, 'hold')
        raw.call(2, 'hold')
        raw.call(3, 'echo', 'third')  # not read while two calls run
        with self.assertRaises(asyncio.TimeoutError):
            await raw.answer(timeout=0.3)
        self.service.release.set()
        answers = sorted([(await raw.answer())[0] for _ in range(3)])
        self.assertEqual(answers, [1, 2, 3])

    async def test_connections_past_the_limit_are_closed_at_once(self):
        server = await self.start(max_connections=1)
        first = await self.bystander(server)
        reader, writer = await self.connect(server)
        self.assertEqual(await asyncio.wait_for(reader.read(), 10), b'')
        self.assertEqual(await asyncio.wait_for(first.rpc('echo', 'first'), 10), 'first')

    async def test_a_peer_that_reads_nothing_is_closed_at_the_frame_time_out(self):
        server = await self.start(limits=kaarpc.Limits(frame_timeout=0.5))
        raw = await Raw().open(self, server)
        raw.writer.transport.pause_reading()  # reads nothing: the answers pile up on the server's side
        for seq in range(1, 200):
            raw.call(seq, 'echo', b'x' * 100000)
        await asyncio.wait_for(asyncio.gather(*[c.closed for c in server.channels]), 10)
        self.assertEqual(len(server.channels), 0)

    async def test_the_receive_budget_is_shared_and_given_back(self):
        server = await self.start(receive_budget=100000)
        raw = await Raw().open(self, server)
        other = await self.bystander(server)
        raw.call(1, 'echo', b'y' * 300000)  # larger than the whole budget: read when nothing else is held
        seq, kind, payload = await raw.answer()
        self.assertEqual((seq, kind), (1, p.RETN))
        self.assertEqual(await asyncio.wait_for(other.rpc('echo', b'z' * 50000), 10), b'z' * 50000)
        self.assertEqual(server._budget._used, 0)

    async def test_a_call_and_a_hang_up_give_back_its_budget_and_slot(self):
        server = await self.start(receive_budget=1 << 20, limits=kaarpc.Limits(max_calls=4))
        for _ in range(4):
            raw = await Raw().open(self, server)
            payload = pickle.dumps(('hold', (), {}), 2) + b'x' * 1000
            raw.writer.write(p.header(1, p.CALL, len(payload) - 1000) + payload[:-1000])
            raw.writer.close()
        other = await self.bystander(server)
        self.assertEqual(await asyncio.wait_for(other.rpc('echo', b'z' * 900000), 10), b'z' * 900000)
        self.assertEqual(server._budget._used, 0)

    async def test_a_header_alone_holds_none_of_the_budget(self):
        server = await self.start(receive_budget=1 << 20)
        raws = [await Raw().open(self, server) for _ in range(4)]
        for raw in raws:
            raw.writer.write(p.header(1, p.CALL, 60 << 20))  # and nothing more
        other = await self.bystander(server)
        self.assertEqual(await asyncio.wait_for(other.rpc('echo', b'z' * 900000), 10), b'z' * 900000)

    async def test_a_call_reusing_the_seq_of_a_running_one_is_ignored(self):
        server = await self.start()
        raw = await Raw().open(self, server)
        raw.call(7, 'hold')
        raw.call(7, 'echo', 'twin')
        raw.call(8, 'echo', 'next')
        self.assertEqual((await raw.answer())[:2], (8, p.RETN))
        self.service.release.set()
        self.assertEqual((await raw.answer())[:2], (7, p.RETN))

    async def test_calls_read_after_a_close_do_not_run(self):
        server = await self.start()
        ran = []
        self.service.record = kaarpc.expose()(lambda x: ran.append(x))
        server.register(self.service)
        raw = await Raw().open(self, server)
        raw.call(1, 'echo', 1)
        await raw.answer()
        channel = next(iter(server.channels))
        raw.call(2, 'record', 'late')
        channel.close()
        await channel.wait_closed()
        await asyncio.sleep(0)  # one turn of the loop: serve() would run what it read now
        self.assertEqual(ran, [])

    async def test_an_own_cancellation_inside_a_function_is_answered(self):
        server = await self.start()

        async def inner():
            f = asyncio.get_event_loop().create_future()
            f.cancel()
            await f
        self.service.inner = kaarpc.expose()(inner)
        server.register(self.service)
        client = await self.bystander(server)
        with self.assertRaises(kaarpc.RemoteError) as raised:
            await asyncio.wait_for(client.rpc('inner'), 10)
        self.assertIsInstance(raised.exception.exception, RuntimeError)

    async def test_a_full_handshake_queue_gives_its_oldest_place_to_a_newcomer(self):
        server = await self.start(max_handshaking=4)
        silent = [await self.connect(server) for _ in range(4)]
        for reader, _ in silent:
            await reader.readexactly(72)  # each got its challenge, and says nothing
        with self.assertRaises(ConnectionError):  # within their fair time, they keep their places
            await kaarpc.Client(server.bound, 's').connect()
        self.addCleanup(setattr, kaarpc._peers, 'EVICT_AFTER', kaarpc._peers.EVICT_AFTER)
        kaarpc._peers.EVICT_AFTER = 0  # past it
        client = await self.bystander(server)
        self.assertEqual(await asyncio.wait_for(client.rpc('echo', 'in'), 10), 'in')
        self.assertEqual(await asyncio.wait_for(silent[0][0].read(), 10), b'')

    async def test_two_peers_calling_each_other_with_large_values_both_go_on(self):
        server = await self.start(limits=kaarpc.Limits(max_calls=2, frame_timeout=5))
        client = await kaarpc.Client(server.bound, 's', limits=kaarpc.Limits(max_calls=2, frame_timeout=5)) \
            .register(Service()).connect()
        self.addCleanup(client.close)
        served = next(iter(server.channels))
        size = 8 << 20
        calls = [client.rpc('echo', b'c' * size) for _ in range(4)] + [served.rpc('echo', b's' * size)
                                                                        for _ in range(4)]
        answers = await asyncio.wait_for(asyncio.gather(*calls), 60)
        self.assertEqual([len(a) for a in answers], [size] * 8)

    async def test_a_deep_value_is_refused_with_a_clear_error(self):
        server = await self.start()
        raw = await Raw().open(self, server)
        deep = b'\x80\x02(X\x04\x00\x00\x00echo' + b']' * 300 + b'a' * 299 + b'\x85}t.'
        raw.writer.write(p.header(1, p.CALL, len(deep)) + deep)
        seq, kind, payload = await raw.answer()
        self.assertEqual(kind, p.EXCP)
        self.assertIn(b'nested deeper than 256', payload)


if __name__ == '__main__':
    unittest.main()
