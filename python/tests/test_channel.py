"""Two Python 3 peers over a real socket: the handshake, calls both ways, errors, cancellation."""

import asyncio
import unittest

from kaarpc._channel import AuthenticationError, Channel, ChannelClosed, RemoteError


def functions(*fs):
    return {f.__name__: (f, False) for f in fs}


def echo(x):
    return x


def fail(message):
    raise ValueError(message)


async def slow(seconds, value):
    await asyncio.sleep(seconds)
    return value


class ChannelTest(unittest.IsolatedAsyncioTestCase):

    async def pair(self, server_secret='s', client_secret='s', server_functions=None):
        accepted = asyncio.get_event_loop().create_future()
        accepted.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved, if the test never looks

        async def on_client(reader, writer):
            ch = Channel(reader, writer, server_secret, True, server_functions or functions(echo, fail, slow))
            try:
                await ch.handshake()
            except Exception as e:
                accepted.set_exception(e)
                return
            accepted.set_result(ch)
            try:
                await ch.serve()
            except asyncio.CancelledError:
                pass  # the test's loop is closing

        server = await asyncio.start_server(on_client, '127.0.0.1', 0)
        self.addAsyncCleanup(self.stop, server)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        client = Channel(reader, writer, client_secret, False, functions(echo))
        self.addCleanup(client.close)  # before the server stops: since 3.12 it waits for its connections
        await client.handshake()
        asyncio.ensure_future(client.serve())
        server_channel = await asyncio.wait_for(accepted, 5)
        self.addCleanup(server_channel.close)
        return server_channel, client

    async def stop(self, server):
        server.close()
        await server.wait_closed()

    async def test_calls_answers_and_errors(self):
        server, client = await self.pair()
        self.assertEqual(await asyncio.wait_for(client.rpc('echo', {'k': [1, b'\x00']}), 5), {'k': [1, b'\x00']})
        with self.assertRaises(RemoteError) as raised:
            await asyncio.wait_for(client.rpc('fail', 'boom'), 5)
        self.assertIsInstance(raised.exception.exception, ValueError)
        self.assertTrue(raised.exception.remote_stack)
        with self.assertRaises(RemoteError) as unknown:
            await asyncio.wait_for(client.rpc('nope'), 5)
        self.assertIsInstance(unknown.exception.exception, KeyError)
        # either side calls
        self.assertEqual(await asyncio.wait_for(server.rpc('echo', 'back'), 5), 'back')
        self.assertEqual(await asyncio.wait_for(client.rpc('slow', 0.01, 'late'), 5), 'late')

    async def test_a_wrong_secret_fails_the_handshake_with_a_clear_error_on_both_ends(self):
        with self.assertRaises(AuthenticationError) as raised:
            await self.pair(client_secret='wrong')
        self.assertIn('wrong secret', str(raised.exception))

    async def test_a_closed_channel_fails_its_pending_calls(self):
        server, client = await self.pair()
        pending = client.rpc('slow', 30, 'never')
        server.close()
        with self.assertRaises(ChannelClosed):
            await asyncio.wait_for(pending, 5)

    async def test_a_cancelled_call_is_let_go_by_a_marked_peer(self):
        cancelled = asyncio.get_event_loop().create_future()

        async def wait():
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set_result(True)
                raise
        server, client = await self.pair(server_functions=functions(echo, wait))
        self.assertTrue(client.peer_marked)
        call = client.rpc('wait')
        await asyncio.wait_for(client.rpc('echo', 1), 5)  # read after the CALL of wait: the server runs it
        call.cancel()
        self.assertTrue(await asyncio.wait_for(cancelled, 5))


if __name__ == '__main__':
    unittest.main()
