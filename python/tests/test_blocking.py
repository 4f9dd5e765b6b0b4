"""kaarpc.connect: a blocking client for scripts, against a server on an event loop of the test's own thread."""

import asyncio
import threading
import unittest

import kaarpc


class Service(object):
    @kaarpc.expose()
    def add(self, a, b):
        return a + b

    @kaarpc.expose()
    def fail(self, message):
        raise LookupError(message)

    @kaarpc.expose()
    async def slow(self, seconds):
        await asyncio.sleep(seconds)
        return 'late'

    @kaarpc.expose(add_client=True)
    async def ask(self, channel, x):
        return await channel.rpc('twice', x)


class ClientSide(object):
    @kaarpc.expose()
    def twice(self, x):
        return 2 * x


class BlockingTest(unittest.TestCase):

    def setUp(self):
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            kaarpc.Server('127.0.0.1:0', 's').register(Service()).start(), self.loop).result(10)
        started.set()

    def tearDown(self):
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def test_calls_block_and_return_answers_errors_and_call_backs(self):
        with kaarpc.connect(self.server.bound, 's', timeout=10, register=ClientSide()) as c:
            self.assertTrue(c.connected)
            self.assertEqual(c.add(2, 3), 5)
            self.assertEqual(c.rpc('add', 'a', b='b'), 'ab')
            self.assertEqual(c.ask(21), 42)
            with self.assertRaises(kaarpc.RemoteError) as raised:
                c.fail('gone')
            self.assertIsInstance(raised.exception.exception, LookupError)
            self.assertIn("fail() raised LookupError: gone", str(raised.exception))
            self.assertIn('raise LookupError(message)', str(raised.exception))
        self.assertFalse(c.connected)

    def test_a_call_past_the_timeout_raises_and_the_client_goes_on(self):
        with kaarpc.connect(self.server.bound, 's', timeout=0.3) as c:
            with self.assertRaises(TimeoutError):
                c.slow(30)
            self.assertEqual(c.add(1, 1), 2)

    def test_after_close_calls_raise_channel_closed_and_close_is_idempotent(self):
        c = kaarpc.connect(self.server.bound, 's', timeout=10)
        closers = [threading.Thread(target=c.close) for _ in range(3)]
        for t in closers:
            t.start()
        for t in closers:
            t.join(10)
        self.assertFalse(any(t.is_alive() for t in closers))
        with self.assertRaises(kaarpc.ChannelClosed):
            c.add(1, 2)
        c.close()

    def test_a_wrong_secret_and_nobody_listening_raise_at_connect(self):
        with self.assertRaises(kaarpc.AuthenticationError):
            kaarpc.connect(self.server.bound, 'wrong', timeout=10)
        with self.assertRaises(OSError):
            kaarpc.connect('127.0.0.1:1', 's', timeout=10)


if __name__ == '__main__':
    unittest.main()
