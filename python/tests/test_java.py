"""A Python 3 client against the Java library's server (the kaarpc command line's, with its demo service)."""

import asyncio
import os
import subprocess
import unittest

from kaarpc._channel import AuthenticationError, Channel, RemoteError

HERE = os.path.dirname(os.path.abspath(__file__))
#: the command line's jar, which the Maven build packages (and passes here when it runs this suite)
JAR = os.environ.get('KAARPC_JAR', os.path.join(HERE, '..', '..', 'kaa-rpc-cli', 'target', 'kaarpc.jar'))
JAVA = os.environ.get('KAARPC_JAVA', 'java')
if os.environ.get('KAARPC_REQUIRE_JAVA') and not os.path.exists(JAR):
    raise RuntimeError('KAARPC_REQUIRE_JAVA is set, and there is no jar at %s' % JAR)


@unittest.skipUnless(os.path.exists(JAR), 'the Java side is built by the Maven build: %s' % JAR)
class JavaServerTest(unittest.IsolatedAsyncioTestCase):

    async def asyncSetUp(self):
        self.server = subprocess.Popen([JAVA, '-jar', JAR, 'serve', '127.0.0.1:0', '--secret', 's'],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(self.stop)
        line = await asyncio.wait_for(asyncio.get_event_loop().run_in_executor(None, self.server.stdout.readline), 30)
        self.assertTrue(line.startswith('READY '), line)
        self.host, port = line.split()[1].rsplit(':', 1)
        self.port = int(port)

    def stop(self):
        self.server.terminate()
        try:
            self.server.wait(10)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.server.stdout.close()

    async def connect(self, secret):
        reader, writer = await asyncio.open_connection(self.host, self.port)
        channel = Channel(reader, writer, secret, False, {})
        await channel.handshake()
        asyncio.ensure_future(channel.serve())
        self.addCleanup(channel.close)
        return channel

    async def test_values_errors_and_a_wrong_secret(self):
        c = await self.connect('s')
        self.assertTrue(c.peer_marked)
        value = {'bytes': b'\x00\xff', 'big': 2 ** 70, 'list': [1.5, None, True], 'text': 'ünïcode ☃'}
        self.assertEqual(await asyncio.wait_for(c.rpc('echo', value), 10), value)
        self.assertEqual(await asyncio.wait_for(c.rpc('add', 2, 3), 10), 5)
        with self.assertRaises(RemoteError) as unknown:
            await asyncio.wait_for(c.rpc('nope'), 10)
        self.assertIsInstance(unknown.exception.exception, KeyError)
        with self.assertRaises(RemoteError) as failed:
            await asyncio.wait_for(c.rpc('fail', 'boom'), 10)
        self.assertEqual(str(failed.exception.exception), 'boom')
        with self.assertRaises(AuthenticationError) as wrong:
            await self.connect('wrong')
        self.assertIn('wrong secret', str(wrong.exception))


@unittest.skipUnless(os.path.exists(JAR), 'the Java side is built by the Maven build: %s' % JAR)
class JavaClientTest(unittest.IsolatedAsyncioTestCase):

    async def call(self, address, *args):
        process = await asyncio.create_subprocess_exec(JAVA, '-jar', JAR, 'call', address, '--secret', 's', *args,
                                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode, out.decode().strip(), err.decode()

    async def test_the_java_command_line_calls_a_python_server(self):
        import kaarpc

        class Service(object):
            @kaarpc.expose()
            def echo(self, x):
                return x

            @kaarpc.expose()
            def fail(self, message):
                raise ValueError(message)

        server = await kaarpc.Server('127.0.0.1:0', 's').register(Service()).start()
        self.addAsyncCleanup(server.close)
        status, out, err = await self.call(server.bound, 'echo', '{"k": [1, 2.5, "x"]}')
        self.assertEqual(status, 0, err)
        self.assertEqual(out, '{"k": [1, 2.5, "x"]}')
        status, out, err = await self.call(server.bound, 'fail', '"boom"')
        self.assertNotEqual(status, 0)
        self.assertIn('ValueError', err)
        self.assertIn('boom', err)


if __name__ == '__main__':
    unittest.main()
