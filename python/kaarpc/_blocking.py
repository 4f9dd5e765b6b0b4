"""A blocking facade for scripts that are not asyncio programs: ``kaarpc.connect(...)``."""

import asyncio
import concurrent.futures
import threading

from ._channel import ChannelClosed
from ._peers import Client

__all__ = ['connect', 'BlockingClient']


def connect(address, secret='', timeout=30.0, retry=None, limits=None, register=None):
    """Connects to a kaa.rpc server and returns a :class:`BlockingClient`, whose calls block.

    ``timeout`` bounds the connection and each call (seconds); ``register`` is an object (or a module) whose
    exposed functions the server may call back, run on the client's own thread. Raises what
    :meth:`Client.connect` raises: AuthenticationError for a wrong secret, OSError if nobody listens.
    """
    return BlockingClient(address, secret, timeout, retry, limits, register)


class BlockingClient(object):
    """A :class:`Client` on an event loop of its own thread; ``rpc`` and attribute calls block.

    ``client.rpc('add', 1, 2)`` and ``client.add(1, 2)`` are the same call. A call that takes longer than the
    timeout raises ``TimeoutError`` and is cancelled (a Java or kaarpc peer cancels it too). Use it in a ``with``
    block, or call ``close()``.
    """

    def __init__(self, address, secret='', timeout=30.0, retry=None, limits=None, register=None):
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name='kaarpc-client', daemon=True)
        self._thread.start()
        try:
            self._client = self._run(self._open(address, secret, retry, limits, register), timeout)
        except BaseException:
            self._stop_loop()
            raise

    async def _open(self, address, secret, retry, limits, register):
        client = Client(address, secret, retry=retry, limits=limits)
        if register is not None:
            client.register(register)
        return await client.connect()

    def _run(self, coroutine, timeout):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError('no answer within %s s' % timeout) from None

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` and returns its answer; raises RemoteError if it raised, TimeoutError after the timeout."""
        if threading.current_thread() is self._thread:
            raise RuntimeError('a blocking call from the client\'s own thread would wait for itself')

        async def call():
            return await self._client.rpc(command, *args, **kwargs)
        return self._run(call(), self.timeout)

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.rpc(name, *args, **kwargs)

    @property
    def connected(self):
        return self._client.connected

    def close(self):
        """Closes the connection and stops the client's thread."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._shutdown(), self.timeout)
        finally:
            self._stop_loop()

    async def _shutdown(self):
        self._client.close()
        if self._client.channel is not None:
            await self._client.channel.wait_closed()
        # what still runs (the reader, calls the server made) ends here, not with the loop
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _stop_loop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.timeout)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
