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
