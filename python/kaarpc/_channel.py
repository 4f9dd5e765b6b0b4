"""One connection between two kaa.rpc peers, in asyncio terms: the handshake, then calls both ways."""

import asyncio
import os
import pickle
import traceback

from . import _protocol as p
from ._unpickle import UnpicklingRefused, loads

__all__ = ['Channel', 'AuthenticationError', 'RemoteError', 'ChannelClosed', 'expose',
           'DEFAULT_MAX_FRAME', 'HANDSHAKE_LIMIT']

#: the largest payload read once the handshake is done (the Java side's default)
DEFAULT_MAX_FRAME = 64 << 20
#: what a peer may send before its handshake is done, as the original allows
HANDSHAKE_LIMIT = 1024


class AuthenticationError(ConnectionError):
    """The peer does not know the secret (or what answered is not a kaa.rpc peer)."""


class ChannelClosed(ConnectionError):
    """The channel closed: the call will get no answer."""


class RemoteError(Exception):
    """The peer raised ``exception`` running a call; ``remote_stack`` is its traceback, outermost first."""

    def __init__(self, command, exception, remote_stack):
        super().__init__('%s() raised %s: %s' % (command, type(exception).__name__, exception))
        self.command = command
        self.exception = exception
        self.remote_stack = remote_stack


def expose(command=None, add_client=False):
    """Marks a function, method or coroutine function as callable by peers, as ``command`` (default its name)."""
    def mark(f):
        f._kaarpc_expose = (command or f.__name__, add_client)
        return f
    return mark


class Channel(object):
    """One authenticated connection; either side calls what the other exposed."""

    def __init__(self, reader, writer, secret, server, functions, max_frame=DEFAULT_MAX_FRAME,
                 handshake_timeout=10.0):
        self._reader = reader
        self._writer = writer
        self._secret = secret.encode('utf-8') if isinstance(secret, str) else bytes(secret)
        self._server = server
        self._functions = functions  # command -> (callable, add_client)
        self._max_frame = max_frame
        self._handshake_timeout = handshake_timeout
        self._pending = {}  # seq -> (command, future)
        self._running = {}  # seq -> task, the peer's calls
        self._seq = 0
        self._closed = asyncio.get_event_loop().create_future()
        self.peer_marked = False

    # ---- the handshake -----------------------------------------------------------------------------

    async def handshake(self):
        """Authenticates both ways within the handshake time-out; AuthenticationError if the secret is wrong."""
        try:
            await asyncio.wait_for(self._handshake(), self._handshake_timeout)
        except asyncio.TimeoutError:
            self._writer.close()
            raise AuthenticationError('no handshake within %s s' % self._handshake_timeout)
        except BaseException:
            self._writer.close()  # whatever failed it, the connection goes with it
            raise

    async def _read_handshake_packet(self):
        try:
            seq, kind, length = p.parse_header(await self._reader.readexactly(p.HEADER.size))
            if length > HANDSHAKE_LIMIT:
                raise AuthenticationError('a handshake packet of %d bytes' % length)
            payload = await self._reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            # the original says nothing of a wrong secret: it hangs up
            raise AuthenticationError('the peer hung up during the handshake (a wrong secret?)') from e
        if kind == p.DENY:
            raise AuthenticationError('the server refused our answer: wrong secret')
        if kind not in (p.AUTH, p.RESP):
            raise AuthenticationError('a %r packet during the handshake' % kind)
        try:
            return kind, p.split_handshake(payload)
        except ValueError as e:
            raise AuthenticationError(str(e))

    def _send_raw(self, seq, kind, payload):
        self._writer.write(p.header(seq, kind, len(payload)) + payload)

    async def _handshake(self):
        if self._server:
            mine = p.challenge(True)
            self._send_raw(0, p.AUTH, mine + p.ZERO + p.ZERO)
            kind, (theirs, response, salt) = await self._read_handshake_packet()
            if kind != p.RESP or not p.verify(self._secret, mine, salt, response):
                if p.is_marked(theirs):  # a peer of this project hears why, rather than guess from a hang-up
                    self._send_raw(0, p.DENY, b'')
                self._writer.close()
                raise AuthenticationError('the client does not know the secret')
            self.peer_marked = p.is_marked(theirs)
            if theirs != p.ZERO:
                s2 = os.urandom(p.FIELD)
                self._send_raw(0, p.RESP, p.ZERO + p.answer(self._secret, theirs, s2) + s2)
        else:
            kind, (theirs, _, _) = await self._read_handshake_packet()
            if kind != p.AUTH:
                raise AuthenticationError('the server spoke first with %r' % kind)
            self.peer_marked = p.is_marked(theirs)
            mine = p.challenge(False)
            salt = os.urandom(p.FIELD)
            self._send_raw(0, p.RESP, mine + p.answer(self._secret, theirs, salt) + salt)
            kind, (_, response, salt2) = await self._read_handshake_packet()
            if kind != p.RESP or not p.verify(self._secret, mine, salt2, response):
                self._writer.close()
                raise AuthenticationError('the server does not know the secret')
        await self._writer.drain()

    # ---- calls ---------------------------------------------------------------------------------------

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` on the peer; an awaitable of its answer (RemoteError if it raised)."""
        if self._closed.done():
            raise ChannelClosed('the channel is closed')
        self._seq = (self._seq + 1) & 0xFFFFFFFF or 1
        seq = self._seq
        future = asyncio.get_event_loop().create_future()
        self._pending[seq] = (command, future)
        payload = pickle.dumps((command, tuple(args), kwargs), 2)
        self._send_raw(seq, p.CALL, payload)
        future.add_done_callback(lambda f, seq=seq: self._forget(seq, f))
        return future

    def _forget(self, seq, future):
        entry = self._pending.pop(seq, None)
        if entry is not None and future.cancelled() and self.peer_marked and not self._closed.done():
            self._send_raw(seq, p.CNCL, b'')  # a peer of this project lets the call go

    async def serve(self):
        """Reads packets until the connection ends; then every pending call fails with ChannelClosed."""
        try:
            while True:
                seq, kind, length = p.parse_header(await self._reader.readexactly(p.HEADER.size))
                if length > self._max_frame:
                    raise ConnectionError('a frame of %d bytes, over the limit of %d' % (length, self._max_frame))
                payload = await self._reader.readexactly(length)
                if kind in (p.CALL, p.CALH):
                    self._running[seq] = asyncio.ensure_future(self._dispatch(seq, payload, kind == p.CALH))
                elif kind in (p.RETN, p.EXCP):
                    self._answer(seq, kind == p.EXCP, payload)
                elif kind == p.CNCL:
                    task = self._running.pop(seq, None)
                    if task is not None:
                        task.cancel()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self.close()

    def _answer(self, seq, error, payload):
        entry = self._pending.pop(seq, None)
        if entry is None or entry[1].done():
            return
        command, future = entry
        try:
            value = loads(payload)
        except UnpicklingRefused as e:
            future.set_exception(ValueError('the answer to %s() is refused: %s' % (command, e)))
            return
        if not error:
            future.set_result(value)
        elif isinstance(value, tuple) and len(value) == 2:
            exc, stack = value
            future.set_exception(RemoteError(command, exc, stack))
        else:
            future.set_exception(ValueError('a malformed EXCP answering %s()' % command))

    async def _dispatch(self, seq, payload, with_headers):
        command = '?'
        try:
            try:
                call = loads(payload)
            except UnpicklingRefused as e:
                raise ValueError('CALL payload refused: %s' % e)
            if not isinstance(call, tuple) or len(call) != (4 if with_headers else 3):
                raise TypeError('malformed CALL')
            command, args, kwargs = call[0], call[1], call[2]
            if not isinstance(command, str) or not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict):
                raise TypeError('malformed CALL')
            entry = self._functions.get(command)
            if entry is None:
                raise KeyError(command)
            function, add_client = entry
            if add_client:
                args = (self,) + tuple(args)
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            self._send_answer(seq, p.RETN, result)
        except asyncio.CancelledError:
            pass  # the caller let it go: no answer
        except Exception as e:
            self._send_answer(seq, p.EXCP, (e, traceback.extract_tb(e.__traceback__)))
        finally:
            self._running.pop(seq, None)

    def _send_answer(self, seq, kind, value):
        if self._closed.done():
            return
        try:
            payload = pickle.dumps(value, 2)
        except Exception as e:
            kind, payload = p.EXCP, pickle.dumps((TypeError('the answer cannot be sent: %s' % e), []), 2)
        self._send_raw(seq, kind, payload)

    # ---- the end -------------------------------------------------------------------------------------

    def close(self):
        """Closes the connection; pending calls fail with ChannelClosed and running ones are let go."""
        if self._closed.done():
            return
        self._closed.set_result(None)
        self._writer.close()
        for command, future in list(self._pending.values()):
            if not future.done():
                future.set_exception(ChannelClosed('%s(): the channel closed' % command))
        self._pending.clear()
        for task in list(self._running.values()):
            task.cancel()

    async def wait_closed(self):
        await asyncio.shield(self._closed)
