"""Server and Client over TCP and a Unix socket, with exposed functions, methods and coroutines."""

import asyncio
import os
import tempfile
import unittest

import kaarpc


class Media(object):
    @kaarpc.expose('do_something')
    def my_function(self, foo):
        return foo * 7

    @kaarpc.expose(add_client=True)
    def whoami(self, channel):
        return channel.peer_marked

    @kaarpc.expose()
    async def later(self, value):
        await asyncio.sleep(0)
        return value


class PeersTest(unittest.IsolatedAsyncioTestCase):

    async def run_pair(self, address):
        server = await kaarpc.Server(address, 's').register(Media()).start()
        self.addAsyncCleanup(server.close)
        connected = []
        server.client_connected.connect(connected.append)
        client = await kaarpc.Client(server.bound, 's').connect()
        self.addCleanup(client.close)
        self.assertEqual(await asyncio.wait_for(client.rpc('do_something', 6), 5), 42)
        self.assertTrue(await asyncio.wait_for(client.rpc('whoami'), 5))
        self.assertEqual(await asyncio.wait_for(client.rpc('later', 'x'), 5), 'x')
        self.assertEqual(len(connected), 1)

    async def test_over_tcp(self):
        await self.run_pair('127.0.0.1:0')

    async def test_over_a_unix_socket(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'media.sock')
            await self.run_pair(path)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)

    async def test_a_client_with_retry_waits_for_the_server_and_comes_back_after_a_restart(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'restart.sock')
            client = kaarpc.Client(path, 's', retry=0.05)
            self.addCleanup(client.close)
            opened = asyncio.Queue()
            client.open.connect(opened.put_nowait)
            connecting = asyncio.ensure_future(client.connect())  # nobody listens yet
            server = await kaarpc.Server(path, 's').register(Media()).start()
            await asyncio.wait_for(connecting, 10)
            await asyncio.wait_for(opened.get(), 10)
            self.assertEqual(await asyncio.wait_for(client.rpc('do_something', 1), 5), 7)
            await server.close()
            with self.assertRaises(kaarpc.ChannelClosed):
                await asyncio.wait_for(client.channel.wait_closed(), 10)
                client.rpc('do_something', 2)
            server = await kaarpc.Server(path, 's').register(Media()).start()
            self.addAsyncCleanup(server.close)
            await asyncio.wait_for(opened.get(), 10)
            self.assertEqual(await asyncio.wait_for(client.rpc('do_something', 3), 5), 21)

    async def test_a_wrong_secret_is_not_retried(self):
        server = await kaarpc.Server('127.0.0.1:0', 's').register(Media()).start()
        self.addAsyncCleanup(server.close)
        with self.assertRaises(kaarpc.AuthenticationError):
            await kaarpc.Client(server.bound, 'wrong', retry=0.05).connect()

    async def test_close_during_connect_stops_it_and_connect_twice_makes_one_channel(self):
        server = await kaarpc.Server('127.0.0.1:0', 's').register(Media()).start()
        self.addAsyncCleanup(server.close)
        client = kaarpc.Client(server.bound, 's')
        connecting = asyncio.ensure_future(client.connect())
        await asyncio.sleep(0)  # the attempt has begun
        client.close()
        with self.assertRaises(kaarpc.ChannelClosed):
            await asyncio.wait_for(connecting, 10)
        self.assertFalse(client.connected)
        twice = kaarpc.Client(server.bound, 's')
        self.addCleanup(twice.close)
        await asyncio.wait_for(asyncio.gather(twice.connect(), twice.connect()), 10)
        self.assertEqual(len(server.channels), 1)

    async def test_close_then_connect_at_once_connects_afresh(self):
        server = await kaarpc.Server('127.0.0.1:0', 's').register(Media()).start()
        self.addAsyncCleanup(server.close)
        client = kaarpc.Client(server.bound, 's')
        self.addCleanup(client.close)
        first = asyncio.ensure_future(client.connect())
        await asyncio.sleep(0)  # the first attempt has begun
        client.close()
        await asyncio.wait_for(client.connect(), 10)  # a restart: not the closed attempt's fate
        self.assertTrue(client.connected)
        with self.assertRaises(kaarpc.ChannelClosed):
            await first
        self.assertEqual(await asyncio.wait_for(client.rpc('do_something', 2), 5), 14)

    async def test_a_retrying_client_closed_while_nobody_listens_never_connects(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'later.sock')
            client = kaarpc.Client(path, 's', retry=0.01)
            connecting = asyncio.ensure_future(client.connect())
            await asyncio.sleep(0.05)  # a few attempts fail
            client.close()
            with self.assertRaises(kaarpc.ChannelClosed):
                await asyncio.wait_for(connecting, 10)
            server = await kaarpc.Server(path, 's').register(Media()).start()
            self.addAsyncCleanup(server.close)
            self.assertFalse(client.connected)
            self.assertEqual(len(server.channels), 0)

    def test_a_secret_is_text_or_bytes(self):
        with self.assertRaises(TypeError):
            kaarpc.Server('127.0.0.1:0', None)

    def test_a_remote_error_is_rendered_within_bounds(self):
        shared = []
        for _ in range(40):
            shared = [shared] * 10  # 10**40 elements, if printed whole
        for exc in (KeyError(shared), ValueError(2 ** 200000), RuntimeError('x' * 100000)):
            text = str(kaarpc.RemoteError('f', exc, [('file.py', 1, 'f', 'y' * 100000)] * 10000))
            self.assertLess(len(text), 30000, type(exc))

    def test_bad_addresses_are_refused_clearly(self):
        for bad in ('', 'host:port', '[::1]', '1:2:3', 'x:70000', None):
            with self.assertRaises(ValueError, msg=repr(bad)):
                kaarpc.parse_address(bad)

    def test_kaa_addresses(self):
        self.assertEqual(kaarpc.parse_address(4000), ('tcp', '127.0.0.1', 4000))
        self.assertEqual(kaarpc.parse_address('example.com:4000'), ('tcp', 'example.com', 4000))
        self.assertEqual(kaarpc.parse_address('[::1]:4000'), ('tcp', '::1', 4000))
        self.assertEqual(kaarpc.parse_address('/run/x.sock'), ('unix', '/run/x.sock'))
        kind, path = kaarpc.parse_address('media.sock')
        self.assertEqual(kind, 'unix')
        self.assertTrue(path.endswith(os.path.join('kaa-%d' % os.getuid(), 'media.sock')))


if __name__ == '__main__':
    unittest.main()
