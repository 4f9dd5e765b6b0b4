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
