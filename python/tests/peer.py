"""The kaarpc package as a peer for the Java suite's interoperability tests.

The same command line as the suite's protocol-level peer (kaa_peer.py), so that one test drives either:

    peer.py serve ADDRESS SECRET             serve the demo service; prints READY and the bound address
    peer.py client ADDRESS SECRET            run the demo scenario, print one line per step
    peer.py client-hang ADDRESS SECRET       expose hang(), call start() on the server, and wait
    peer.py call ADDRESS SECRET CMD ARGS...  call CMD with Python expressions as arguments, print the answer
    peer.py retry ADDRESS SECRET             connect with retry; print each open and each answer of ping()
    peer.py cancel ADDRESS SECRET            call slow() with a short time-out, then wait
"""

import asyncio
import datetime
import decimal
import os
import sys
import traceback
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import kaarpc  # noqa: E402


class Demo(object):
    """The demo service, as kaa_peer.py serves it, plus what a Python 3 peer adds (cancellation)."""

    def __init__(self):
        self.cancelled = []

    @kaarpc.expose()
    def echo(self, x):
        return x

    @kaarpc.expose()
    def add(self, a, b):
        return a + b

    @kaarpc.expose()
    def greet(self, name, greeting='hello'):
        return greeting + ' ' + name

    @kaarpc.expose()
    def fail(self, msg):
        raise ValueError(msg)

    @kaarpc.expose()
    async def slow(self, seconds, value):
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.cancelled.append(value)
            raise
        return value

    @kaarpc.expose()
    def was_cancelled(self):
        return list(self.cancelled)

    @kaarpc.expose(add_client=True)
    def whoami(self, channel):
        return 'server'

    @kaarpc.expose(add_client=True)
    async def callback(self, channel, cmd, arg):
        return ['callback', await channel.rpc(cmd, arg)]

    @kaarpc.expose()
    def types(self):
        return [None, True, 1, 2 ** 40, 2 ** 70, 1.5, 'unicode \xe9', b'bytes\x00\xff', (1, 2), [3], {'k': 'v'}, {1}]

    @kaarpc.expose()
    def kinds(self, value):
        """The Python type of what arrived, and the value back: how the Java side's values map."""
        return [type(value).__name__, value]


async def serve(address, secret):
    server = await kaarpc.Server(address, secret).register(Demo()).start()
    print('READY', server.bound, flush=True)
    await asyncio.Event().wait()  # until the test stops the process


def show(label, thunk):
    async def run():
        try:
            print(label, ascii(await asyncio.wait_for(thunk(), 10)), flush=True)
        except kaarpc.RemoteError as e:
            print(label, 'raised', type(e.exception).__name__, ascii(str(e.exception)), flush=True)
            if e.java_class:
                print(label, 'java_class', ascii(e.java_class), flush=True)
            print(label, 'traceback', ascii(''.join(traceback.format_list(
                [tuple(f) for f in e.remote_stack if isinstance(f, (list, tuple)) and len(f) == 4]))), flush=True)
        except Exception as e:
            print(label, 'raised', type(e).__name__, ascii(str(e)), flush=True)
    return run()


class ClientSide(object):
    @kaarpc.expose()
    def client_echo(self, x):
        return ['client', x]

    @kaarpc.expose()
    async def hang(self, x):
        await asyncio.sleep(60)
        return x


async def connected(address, secret, retry=None):
    try:
        return await kaarpc.Client(address, secret, retry=retry).register(ClientSide()).connect()
    except kaarpc.AuthenticationError as e:
        print('handshake failed', type(e).__name__, flush=True)
        return None


async def client(address, secret):
    c = await connected(address, secret)
    if c is None:
        return
    await show('echo', lambda: c.rpc('echo', 'hi'))
    await show('add', lambda: c.rpc('add', 2, 3))
    await show('greet', lambda: c.rpc('greet', 'bob'))
    await show('greet_kw', lambda: c.rpc('greet', 'bob', greeting='hi'))
    await show('fail', lambda: c.rpc('fail', 'boom'))
    await show('slow', lambda: c.rpc('slow', 0.2, 'late'))
    await show('whoami', lambda: c.rpc('whoami'))
    await show('callback', lambda: c.rpc('callback', 'client_echo', 7))
    await show('types', lambda: c.rpc('types'))
    await show('bytes', lambda: c.rpc('echo', b'\x00\xffraw'))
    await show('nope', lambda: c.rpc('nope'))
    await show('wrong_args', lambda: c.rpc('add', 1))
    print('done', flush=True)
    c.close()


async def client_hang(address, secret):
    c = await connected(address, secret)
    print('started', await c.rpc('start'), flush=True)
    await asyncio.sleep(60)


async def call_one(address, secret):
    scope = {'datetime': datetime, 'decimal': decimal, 'uuid': uuid, 'bytearray': bytearray,
             'frozenset': frozenset, '__builtins__': {}}
    command, args = sys.argv[4], [eval(a, scope) for a in sys.argv[5:]]
    c = await connected(address, secret)
    if c is not None:
        await show(command, lambda: c.rpc(command, *args))
        c.close()


async def retry(address, secret):
    """Connects with retry (the server may not be up yet); on each open, calls ping() and prints the answer."""
    answers = asyncio.Queue()
    c = kaarpc.Client(address, secret, retry=0.05)

    def opened(channel):
        async def ping():
            try:
                answers.put_nowait(await asyncio.wait_for(channel.rpc('ping'), 10))
            except Exception as e:
                answers.put_nowait('raised %s' % type(e).__name__)
        asyncio.ensure_future(ping())
    c.open.connect(opened)
    c.closed.connect(lambda channel: print('closed', flush=True))
    await c.connect()
    for _ in range(2):
        print('open', ascii(await asyncio.wait_for(answers.get(), 60)), flush=True)
    c.close()


async def cancel(address, secret):
    """Lets a slow call time out (which cancels it on the server), then waits to be stopped."""
    c = await connected(address, secret)
    try:
        await asyncio.wait_for(c.rpc('slow', 30.0, 'never'), 0.3)
        print('slow answered', flush=True)
    except asyncio.TimeoutError:
        print('slow timed out', flush=True)
    await asyncio.sleep(60)


if __name__ == '__main__':
    mode, address, secret = sys.argv[1:4]
    modes = {'serve': serve, 'client': client, 'client-hang': client_hang, 'call': call_one, 'retry': retry,
             'cancel': cancel}
    asyncio.run(modes[mode](address, secret))
