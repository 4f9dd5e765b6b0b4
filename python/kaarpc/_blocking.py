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
    :meth:`Client.connect` raises: AuthenticationError for a wrong secret, OSError if nobody listens, and
    TimeoutError past the timeout.
    """
    return BlockingClient(address, secret, timeout, retry, limits, register)


class BlockingClient(object):
    """A :class:`Client` on an event loop of its own thread; ``rpc`` and attribute calls block.

    ``client.rpc('add', 1, 2)`` and ``client.add(1, 2)`` are the same call. A call that takes longer than the
    timeout raises ``TimeoutError`` and is cancelled (a Java or kaarpc peer cancels it too). Calls may come from
    any thread. Use it in a ``with`` block, or call ``close()``; after it, calls raise :class:`ChannelClosed`.
    """

    def __init__(self, address, secret='', timeout=30.0, retry=None, limits=None, register=None):
        self.timeout = timeout
        self._lock = threading.Lock()  # guards _closed (one close() stops the loop) and _in_flight
        self._closed = False
        self._in_flight = set()  # futures of what callers wait for, failed if the loop stops under them
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name='kaarpc-client', daemon=True)
        self._thread.start()
        self._client = Client(address, secret, retry=retry, limits=limits)
        if register is not None:
            self._client.register(register)
        try:
            self._run(self._client.connect(), timeout)
        except BaseException:
            self._closed = True
            self._stop()
            raise

    def _run(self, coroutine, timeout):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        with self._lock:
            self._in_flight.add(future)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError('no answer within %s s' % timeout) from None
        except concurrent.futures.CancelledError:
            raise ChannelClosed('the client was closed') from None
        finally:
            with self._lock:
                self._in_flight.discard(future)

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` and returns its answer; raises RemoteError if it raised, TimeoutError after the timeout."""
        if threading.current_thread() is self._thread:
            raise RuntimeError('a blocking call from the client\'s own thread would wait for itself')
        if self._closed:
            raise ChannelClosed('the client is closed')

        async def call():
            return await self._client.rpc(command, *args, **kwargs)
        try:
            return self._run(call(), self.timeout)
        except RuntimeError:
            if self._closed:  # the loop closed as the call was handed over
                raise ChannelClosed('the client is closed') from None
            raise

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.rpc(name, *args, **kwargs)

    @property
    def connected(self):
        return not self._closed and self._client.connected

    def close(self):
        """Closes the connection (calls in flight fail with ChannelClosed) and stops the client's thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop()

    def _stop(self):
        if threading.current_thread() is self._thread:
            raise RuntimeError('close() from the client\'s own thread would wait for itself')
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(self.timeout)
        except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
            pass  # the loop stops below all the same
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.timeout)
        if not self._thread.is_alive():
            self._loop.close()
        with self._lock:
            stranded = [f for f in self._in_flight if not f.done()]
        for f in stranded:  # handed over as the loop stopped: never to run
            try:
                f.set_exception(ChannelClosed('the client was closed'))
            except concurrent.futures.InvalidStateError:
                pass

    async def _shutdown(self):
        self._client.close()
        if self._client.channel is not None:
            await self._client.channel.wait_closed()
        await asyncio.sleep(0)  # calls in flight take their ChannelClosed
        # what still runs (the reader, calls the server made) ends here, not with the loop
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
