"""One connection between two kaa.rpc peers, in asyncio terms: the handshake, then calls both ways."""

import asyncio
import collections
import concurrent.futures
import logging
import os
import pickle
import reprlib
import threading
import time
import traceback

from . import _protocol as p
from ._unpickle import Inert, UnpicklingRefused, loads

__all__ = ['Channel', 'Limits', 'ReceiveBudget', 'AuthenticationError', 'RemoteError', 'ChannelClosed', 'expose']

log = logging.getLogger('kaarpc')

#: what a peer may send in one packet before its handshake is done (a handshake packet is 60 bytes)
HANDSHAKE_LIMIT = 1024
#: payloads of at least this size are decoded on a worker thread, so that other connections are served meanwhile
#: (at 16 units of work a byte, what is decoded on the event loop takes a few milliseconds at most)
DECODE_ELSEWHERE = 8 << 10
#: a large payload is read, and reserved in the receive budget, in pieces of at most this size
_PIECE = 256 << 10


class AuthenticationError(ConnectionError):
    """The peer does not know the secret (or what answered is not a kaa.rpc peer)."""


class ChannelClosed(ConnectionError):
    """The channel closed, or was never open: the call gets no answer."""


class RemoteError(Exception):
    """The peer raised ``exception`` running ``command``.

    ``exception`` is an instance of a builtin exception type (``ValueError``, ``KeyError``...; a class this side
    does not build arrives :class:`Inert` inside an ``Exception``). ``remote_stack`` is the peer's traceback,
    outermost first, ``(file, line, function, text)`` entries. From a Java peer, ``java_class`` names the Java
    exception's class (``java.lang.IllegalStateException``) and ``java_causes`` its causes, ``(class, message)``
    pairs; both are None from a Python peer.
    """

    def __init__(self, command, exception, remote_stack):
        self.command = command
        self.exception = exception
        self.remote_stack = [_frame_tuple(f) for f in remote_stack[:4096]] if isinstance(remote_stack, (list, tuple)) \
            else []
        java_class = getattr(exception, 'java_class', None)
        self.java_class = java_class if isinstance(java_class, str) else None
        causes = getattr(exception, 'java_causes', None)
        self.java_causes = causes if isinstance(causes, (list, tuple)) else None
        super().__init__('%s() raised %s%s: %s' % (_cut(command), type(exception).__name__,
                                                   ' (%s)' % _cut(self.java_class) if self.java_class else '',
                                                   _describe_exception(exception)))

    def __str__(self):
        text = super().__str__()
        lines = _stack_lines(self.remote_stack)
        return text + ('\nremote traceback (most recent call last):\n' + '\n'.join(lines) if lines else '')


def _frames(e):
    """An exception's traceback as the original sends it: (file, line, function, text) tuples, outermost first."""
    return [tuple(f) for f in traceback.extract_tb(e.__traceback__)]


def _frame_tuple(frame):
    """A frame of a remote stack as a tuple; a Python 3 peer's pickled FrameSummary arrives inert, with its state."""
    if isinstance(frame, Inert) and frame.name == 'FrameSummary' and isinstance(frame.state, dict):
        st = frame.state
        return (st.get('filename'), st.get('lineno'), st.get('name'), st.get('_line', st.get('line')))
    return frame


class _BoundedRepr(reprlib.Repr):
    """reprlib's limits, and no int rendered whole past 4,000 bits: CPython's int to text is quadratic."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 4
        self.maxstring = self.maxother = 200

    def repr_int(self, x, level):
        return '<int of %d bits>' % x.bit_length() if x.bit_length() > 4000 else repr(x)


_bounded = _BoundedRepr()


def _cut(text, limit=200):
    text = text if isinstance(text, str) else _bounded.repr(text)
    return text if len(text) <= limit else text[:limit] + '...'


def _describe_exception(e):
    """What str(e) says, within bounds whatever its arguments are (a peer chose them)."""
    args = getattr(e, 'args', ())
    if not isinstance(args, tuple):
        return _cut(args)
    if len(args) == 1:
        return _cut(args[0]) if not isinstance(e, KeyError) else _bounded.repr(args[0])
    return _bounded.repr(args) if args else ''


def _stack_lines(stack):
    lines = []
    if not isinstance(stack, (list, tuple)):
        return lines
    for frame in stack[:64]:
        if isinstance(frame, (list, tuple)) and len(frame) >= 3:
            text = frame[3] if len(frame) > 3 and frame[3] else ''
            lines.append('  File "%s", line %s, in %s%s' % (_cut(frame[0]), _cut(frame[1]), _cut(frame[2]),
                                                             ('\n    ' + _cut(text)) if text else ''))
        else:
            lines.append('  %s' % _cut(frame))
    if len(stack) > 64:
        lines.append('  ... %d more' % (len(stack) - 64))
    return lines


def expose(command=None, add_client=False):
    """Marks a function, method or coroutine function as callable by peers.

    ``command`` is the name peers call it by (its own name by default). With ``add_client``, the
    :class:`Channel` the call came on is passed first, so the function may call back.
    """
    def mark(f):
        f._kaarpc_expose = (command or f.__name__, add_client)
        return f
    return mark


class Limits(object):
    """What one connection may ask of this side. Every wait is bounded; whatever a peer sends is bounded.

    * ``max_frame``: the largest payload read (64 MiB); a larger header closes the connection.
    * ``handshake_timeout``: seconds for the whole handshake (10).
    * ``frame_timeout``: seconds from a packet's first byte to its last (30); and for the socket to take any of what
      this side wrote, once something waits: a peer that trickles, or reads nothing, is closed.
    * ``max_calls``: the peer's calls running at once (1024); past it, reading pauses until one returns.
    * ``max_unsent``: bytes of answers written and not yet taken by the socket (64 MiB); past it, reading pauses
      until the peer reads. This side's own calls are not counted, so a client that pipelines never stops
      reading its answers.
    """

    def __init__(self, max_frame=64 << 20, handshake_timeout=10.0, frame_timeout=30.0, max_calls=1024,
                 max_unsent=64 << 20):
        if max_frame < 1 or handshake_timeout <= 0 or frame_timeout <= 0 or max_calls < 1 or max_unsent < 1:
            raise ValueError('limits must be positive')
        self.max_frame = max_frame
        self.handshake_timeout = handshake_timeout
        self.frame_timeout = frame_timeout
        self.max_calls = max_calls
        self.max_unsent = max_unsent


class _Unsent(object):
    """What this side wrote that the socket has not taken yet, and how much of it is answers.

    The transport sends in order: of the answers written, those that end past what was sent are still waiting.
    """

    def __init__(self, transport):
        self._transport = transport
        self._written = 0
        self._answers = collections.deque()  # (end offset, size) of each answer written, oldest first
        self._answer_bytes = 0

    def wrote(self, n, answer):
        self._written += n
        if answer:
            self._answers.append((self._written, n))
            self._answer_bytes += n

    def waiting(self):
        return self._transport.get_write_buffer_size()

    def sent(self):
        """Bytes the socket has taken so far: what grows while the peer reads, however much more is written."""
        return self._written - self._transport.get_write_buffer_size()

    def answers(self):
        sent = self._written - self._transport.get_write_buffer_size()
        while self._answers and self._answers[0][0] <= sent:
            self._answer_bytes -= self._answers.popleft()[1]
        return self._answer_bytes


class _Held(object):
    """What one call of the peer's holds, each given back once: its bytes of the receive budget (held in its own
    name, see ``ReceiveBudget.move``), and its slot."""

    __slots__ = ('_channel', '_bytes', '_slot')

    def __init__(self, channel, n):
        self._channel = channel
        self._bytes = n
        self._slot = True

    def budget(self):
        if self._bytes:
            self._channel._budget.release(self._bytes, self)
            self._bytes = 0

    def slot(self):
        if self._slot:
            self._slot = False
            self._channel._slots.release()

    def all(self, _task=None):
        self.budget()
        self.slot()


class ReceiveBudget(object):
    """The bytes of payloads read but not yet decoded, shared by a server's connections.

    Bytes are reserved as they arrive, never on a header's word: a peer that announces a large frame and sends
    nothing holds nothing. A piece that does not fit waits, with its connection's reading paused, first come
    first served; when every connection holding bytes waits for more (none could give any back), the first
    is let through, so frames larger than what is left, even than the whole budget, are always read.
    """

    def __init__(self, total=256 << 20):
        self.total = total
        self._used = 0
        self._held = {}  # holder -> bytes it holds
        self._queue = collections.deque()  # [bytes, future, holder] of each waiting reservation, oldest first

    def _fits(self, n):
        if self._used == 0 or self._used + n <= self.total:
            return True
        waiting = {entry[2] for entry in self._queue if not entry[1].done()}
        return all(h in waiting for h in self._held)  # everyone who holds waits: nobody would give back

    def try_reserve(self, n, holder):
        """Reserves ``n`` bytes for ``holder`` if there is room now and nobody waits before."""
        if self._queue or not self._fits(n):
            return False
        self._take(n, holder)
        return True

    async def reserve(self, n, holder):
        """Reserves ``n`` bytes for ``holder``, waiting for room."""
        if self.try_reserve(n, holder):
            return
        entry = [n, asyncio.get_event_loop().create_future(), holder]
        self._queue.append(entry)
        self._grant()  # its own wait may be what makes everyone stuck
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry[1].done() and not entry[1].cancelled():
                self.release(n, holder)  # granted as the wait was cancelled: given back
            else:
                if entry in self._queue:  # a grant may have passed over it already
                    self._queue.remove(entry)
                self._grant()  # who waited behind it may fit now
            raise

    def move(self, n, holder, to):
        """Hands ``n`` bytes ``holder`` holds to ``to``: a frame read whole belongs to its call, which will give it
        back once decoded, and no longer to its connection, which may then wait for more without being stuck."""
        self._hold(holder, -n)
        self._hold(to, n)
        self._grant()

    def release(self, n, holder):
        self._used -= n
        self._hold(holder, -n)
        self._grant()

    def _take(self, n, holder):
        self._used += n
        self._hold(holder, n)

    def _hold(self, holder, n):
        left = self._held.get(holder, 0) + n
        if left > 0:
            self._held[holder] = left
        else:
            self._held.pop(holder, None)

    def _grant(self):
        while self._queue:
            n, future, holder = self._queue[0]
            if future.done():
                self._queue.popleft()
                continue
            if not self._fits(n):
                return
            self._queue.popleft()
            self._take(n, holder)
            future.set_result(None)


class _Quiet(object):
    """At most one log line a second for what peers cause; the rest are counted and said with the next line."""

    def __init__(self):
        self._next = 0.0
        self._dropped = 0

    def warn(self, message, *args):
        now = time.monotonic()
        if now < self._next:
            self._dropped += 1
            return
        self._next = now + 1.0
        if self._dropped:
            message += ' (%d more such lines dropped)' % self._dropped
            self._dropped = 0
        log.warning(message, *args)


_quiet = _Quiet()


class Channel(object):
    """One authenticated connection; either side calls what the other exposed.

    ``rpc(command, *args, **kwargs)`` calls the peer; ``close()`` ends it; ``closed`` is a future done at the end,
    and ``close_reason`` says why.
    """

    def __init__(self, reader, writer, secret, server, functions, limits=None, budget=None):
        self._reader = reader
        self._writer = writer
        self._secret = _secret_bytes(secret)
        self._server = server
        self._functions = functions  # command -> (callable, add_client)
        self._limits = limits or Limits()
        self._budget = budget or ReceiveBudget()
        self._unsent = _Unsent(writer.transport)
        # our calls made while the socket is busy, in order, seq -> frame; written as it drains
        self._outbox = collections.OrderedDict()
        limits_of = getattr(writer.transport, 'get_write_buffer_limits', None)
        self._write_high = limits_of()[1] if limits_of is not None else 64 << 10
        self._pending = {}  # seq -> (command, future): our calls awaiting an answer
        self._running = {}  # seq -> task: the peer's calls, until they end
        self._cancelled = set()  # seqs of the peer's calls that it cancelled, or that the close cancelled
        self._slots = asyncio.Semaphore(self._limits.max_calls)
        self._decoding = asyncio.Lock()  # guards this connection's one worker thread of _decoders()
        self._seq = 0
        self._flushing = None  # the one drain in progress
        self.closed = asyncio.get_event_loop().create_future()
        self.close_reason = None
        self.peer_marked = False
        peer = writer.get_extra_info('peername')
        self.peer = '%s:%s' % peer[:2] if isinstance(peer, tuple) else (peer or 'a unix socket peer')

    # ---- the handshake -----------------------------------------------------------------------------

    async def handshake(self):
        """Authenticates both ways within the handshake time-out; AuthenticationError if the secret is wrong."""
        try:
            await asyncio.wait_for(self._handshake(), self._limits.handshake_timeout)
        except asyncio.TimeoutError:
            self._end('no handshake within %s s' % self._limits.handshake_timeout, abort=True)
            raise AuthenticationError('no handshake with %s within %s s' % (self.peer,
                                                                              self._limits.handshake_timeout))
        except BaseException as e:
            self._end('handshake failed: %s' % e, abort=True)  # whatever failed it, the connection goes with it
            raise
        if self.closed.done():  # closed by this side meanwhile
            raise ChannelClosed('the channel to %s was closed during its handshake' % self.peer)

    async def _read_handshake_packet(self):
        try:
            seq, kind, length = p.parse_header(await self._reader.readexactly(p.HEADER.size))
            if length > HANDSHAKE_LIMIT:
                raise AuthenticationError('%s sent a handshake packet of %d bytes: not a kaa.rpc peer'
                                          % (self.peer, length))
            payload = await self._reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            if isinstance(e, AuthenticationError):
                raise
            # the original says nothing of a wrong secret: it hangs up
            raise AuthenticationError('%s hung up during the handshake (a wrong secret?)' % self.peer) from e
        if kind == p.DENY:
            raise AuthenticationError('the server at %s refused our answer: wrong secret' % self.peer)
        if kind not in (p.AUTH, p.RESP):
            raise AuthenticationError('%s sent a %r packet during the handshake' % (self.peer, kind))
        try:
            return kind, p.split_handshake(payload)
        except ValueError as e:
            raise AuthenticationError('%s: %s' % (self.peer, e))

    def _send_raw(self, seq, kind, payload, answer=False):
        self._write(p.header(seq, kind, len(payload)) + payload, answer)

    def _write(self, frame, answer=False):
        """Every write: the transport's, and the count of what waits (answers apart) that reading pauses on."""
        self._writer.write(frame)
        self._unsent.wrote(len(frame), answer)

    async def _handshake(self):
        if self._server:
            mine = p.challenge(True)
            self._send_raw(0, p.AUTH, mine + p.ZERO + p.ZERO)
            kind, (theirs, response, salt) = await self._read_handshake_packet()
            if kind != p.RESP or not p.verify(self._secret, mine, salt, response):
                if p.is_marked(theirs):  # a peer of this project hears why, rather than guess from a hang-up
                    self._send_raw(0, p.DENY, b'')
                raise AuthenticationError('the client %s does not know the secret' % self.peer)
            self.peer_marked = p.is_marked(theirs)
            if theirs != p.ZERO:
                s2 = os.urandom(p.FIELD)
                self._send_raw(0, p.RESP, p.ZERO + p.answer(self._secret, theirs, s2) + s2)
        else:
            kind, (theirs, _, _) = await self._read_handshake_packet()
            if kind != p.AUTH:
                raise AuthenticationError('the server at %s spoke first with %r' % (self.peer, kind))
            if theirs == p.ZERO:
                raise AuthenticationError('the server at %s sent an empty challenge' % self.peer)
            self.peer_marked = p.is_marked(theirs)
            mine = p.challenge(False)
            salt = os.urandom(p.FIELD)
            self._send_raw(0, p.RESP, mine + p.answer(self._secret, theirs, salt) + salt)
            kind, (_, response, salt2) = await self._read_handshake_packet()
            if kind != p.RESP or not p.verify(self._secret, mine, salt2, response):
                raise AuthenticationError('the server at %s does not know the secret' % self.peer)
        await self._writer.drain()

    # ---- calls ---------------------------------------------------------------------------------------

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` on the peer: a future of its answer, failed with :class:`RemoteError` if it raised.

        Cancelling the future (or ``asyncio.wait_for`` timing out) lets the call go; a peer of this project is
        told, and cancels it too. An argument that cannot be pickled raises here.
        """
        if self.closed.done():
            raise ChannelClosed('the channel to %s is closed: %s' % (self.peer, self.close_reason))
        payload = pickle.dumps((command, tuple(args), kwargs), 2)
        seq = self._next_seq()
        future = asyncio.get_event_loop().create_future()
        self._pending[seq] = (command, future)
        if not self._outbox and self._unsent.waiting() <= self._write_high:
            self._send_raw(seq, p.CALL, payload)
        else:  # behind what waits: answers go first, so the peer's reading never waits on our calls
            self._outbox[seq] = p.header(seq, p.CALL, len(payload)) + payload
        self._flush()
        future.add_done_callback(lambda f, seq=seq: self._forget(seq, f))
        return future

    def _next_seq(self):
        # 1 to 2^31 - 1, skipping any still waiting for an answer (after a wrap)
        while True:
            self._seq = (self._seq % 0x7FFFFFFF) + 1
            if self._seq not in self._pending:
                return self._seq

    def _forget(self, seq, future):
        entry = self._pending.get(seq)
        if entry is None or entry[1] is not future:
            return
        del self._pending[seq]
        if future.cancelled() and self._outbox.pop(seq, None) is not None:
            return  # never sent: nothing to tell
        if future.cancelled() and self.peer_marked and not self.closed.done():
            self._send_raw(seq, p.CNCL, b'')  # a peer of this project lets the call go
            self._flush()

    async def serve(self):
        """Reads packets until the connection ends; then every pending call fails with ChannelClosed."""
        reason = 'the peer closed the connection'
        abort = True  # what we wrote is dropped, but for a peer that only stopped sending
        try:
            while not self.closed.done():
                if self._unsent.answers() > self._limits.max_unsent:
                    await self._until_taken()  # the peer reads none of our answers: stop reading its calls
                    continue
                first = await self._reader.read(1)  # idle connections may wait for ever: nothing is held
                if not first:
                    abort = False  # it may still read the answers it is owed
                    break
                if self.closed.done():
                    break
                deadline = time.monotonic() + self._limits.frame_timeout
                seq, kind, length = p.parse_header(first + await self._within(deadline, p.HEADER.size - 1))
                if length > self._limits.max_frame:
                    reason = 'a %r frame of %d bytes, over the limit of %d' % (kind, length, self._limits.max_frame)
                    _quiet.warn('closing the connection to %s: %s', self.peer, reason)
                    break
                is_call = kind in (p.CALL, p.CALH)
                if is_call and self._slots.locked():  # past max_calls running, reading pauses here
                    paused = time.monotonic()
                    await self._or_closed(self._slots.acquire())
                    deadline += time.monotonic() - paused  # the pause was ours, not the peer's
                elif is_call:
                    await self._slots.acquire()
                try:
                    payload = await self._read_payload(length, deadline)
                except BaseException:
                    if is_call:
                        self._slots.release()
                    raise
                held = _Held(self, length) if is_call else None
                if held is None:
                    self._budget.release(length, self)
                else:
                    self._budget.move(length, self, held)
                if self.closed.done():
                    if held is not None:
                        held.all()
                    break
                if is_call:
                    self._start_call(seq, payload, kind == p.CALH, held)
                elif kind in (p.RETN, p.EXCP):
                    await self._answer(seq, kind == p.EXCP, payload)
                elif kind == p.CNCL:
                    task = self._running.get(seq)
                    if task is not None:
                        self._cancelled.add(seq)
                        task.cancel()
                # any other type is ignored, as the original does
        except asyncio.TimeoutError:
            reason = 'a packet took longer than %s s to arrive' % self._limits.frame_timeout
            _quiet.warn('closing the connection to %s: %s', self.peer, reason)
        except ChannelClosed:
            pass
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as e:
            reason = 'the connection was lost: %s' % (e.__class__.__name__,)
        except Exception as e:  # a defect of ours: the connection goes, and says why
            reason = 'an internal error: %r' % (e,)
            log.exception('closing the connection to %s after an internal error', self.peer)
        finally:
            self._end(reason, abort=abort)

    def _start_call(self, seq, payload, with_headers, held):
        if seq in self._running:
            # the peer reused the seq of a call still running: an answer would be taken for the other's
            held.all()
            _quiet.warn('%s sent a call with seq %d while its call %d runs: ignored', self.peer, seq, seq)
            return
        task = asyncio.ensure_future(self._dispatch(seq, payload, with_headers, held))
        self._running[seq] = task
        # gives back what the call held however it ends, even cancelled before it started
        task.add_done_callback(held.all)
        task.add_done_callback(lambda t, seq=seq: self._call_ended(seq, t))

    def _call_ended(self, seq, task):
        if self._running.get(seq) is task:
            del self._running[seq]
        self._cancelled.discard(seq)

    async def _or_closed(self, awaitable):
        """Awaits ``awaitable``, or raises ChannelClosed as soon as the channel closes, whichever comes first."""
        task = asyncio.ensure_future(awaitable)
        if not task.done():
            await asyncio.wait({task, self.closed}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        raise ChannelClosed(self.close_reason)

    async def _until_taken(self):
        """Waits until the socket takes some of what waits; closes the channel if it takes none in the frame time-out."""
        before = self._unsent.sent()
        await self._or_closed(asyncio.shield(self._flush()))
        if not self.closed.done() and self._unsent.sent() == before and self._unsent.waiting():
            self._end('the peer read nothing for %s s' % self._limits.frame_timeout, abort=True)

    async def _read_payload(self, length, deadline):
        """A payload, read as it arrives and reserved in the receive budget piece by piece; all of it is reserved
        once read, and given back by the caller. A wait for room moves the deadline: that pause is ours."""
        if length <= _PIECE:
            payload = await self._within(deadline, length)
            if not self._budget.try_reserve(length, self):
                await self._or_closed(self._budget.reserve(length, self))
            return payload
        pieces = bytearray()
        try:
            while len(pieces) < length:
                piece = await asyncio.wait_for(self._reader.read(min(length - len(pieces), _PIECE)),
                                               max(0.0, deadline - time.monotonic()))
                if not piece:
                    raise asyncio.IncompleteReadError(bytes(pieces), length)
                if not self._budget.try_reserve(len(piece), self):
                    paused = time.monotonic()
                    await self._or_closed(self._budget.reserve(len(piece), self))
                    deadline += time.monotonic() - paused
                pieces += piece
            return bytes(pieces)
        except BaseException:
            if pieces:
                self._budget.release(len(pieces), self)
            raise

    async def _within(self, deadline, n):
        return await asyncio.wait_for(self._reader.readexactly(n), max(0.0, deadline - time.monotonic()))

    async def _decode(self, payload):
        if len(payload) < DECODE_ELSEWHERE:
            return loads(payload)
        # one worker thread at a time per connection, so that one peer's payloads cannot take every worker
        async with self._decoding:
            decoding = asyncio.get_event_loop().run_in_executor(_decoders(), loads, payload)
            cancelled = False
            while True:
                try:
                    value = await asyncio.shield(decoding)
                    break
                except asyncio.CancelledError:
                    if decoding.done():
                        value = None
                        break
                    # the worker decodes on regardless: the thread, the payload and its budget stay this call's
                    # until it ends, or a peer's CALL and CNCL pairs would take every worker and any memory
                    cancelled = True
            if cancelled:
                raise asyncio.CancelledError()
            return value

    async def _answer(self, seq, error, payload):
        entry = self._pending.pop(seq, None)
        if entry is None or entry[1].done():
            return
        command, future = entry
        try:
            value = await self._decode(payload)
        except Exception as e:
            if not future.done():
                future.set_exception(UnpicklingRefused('the answer to %s() from %s is refused: %s'
                                                       % (command, self.peer, e)))
            return
        if future.done():
            return
        if not error:
            future.set_result(value)
        elif isinstance(value, tuple) and len(value) == 2:
            exc, stack = value
            if not isinstance(exc, BaseException):
                exc = Exception(exc)
            future.set_exception(RemoteError(command, exc, stack))
        else:
            future.set_exception(RemoteError(command, ValueError('a malformed EXCP'), []))

    async def _dispatch(self, seq, payload, with_headers, held):
        try:
            try:
                call = await self._decode(payload)
            except Exception as e:
                raise ValueError('the CALL is refused: %s' % e) from None
            finally:
                held.budget()
                del payload
            if not isinstance(call, tuple) or len(call) != (4 if with_headers else 3):
                raise TypeError('a malformed CALL: not (command, args, kwargs)')
            command, args, kwargs = call[0], call[1], call[2]
            if not isinstance(command, str) or not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict) \
                    or not all(isinstance(k, str) for k in kwargs):
                raise TypeError('a malformed CALL: not (command, args, kwargs)')
            entry = self._functions.get(command)
            if entry is None:
                raise KeyError(command)
            function, add_client = entry
            if add_client:
                args = (self,) + tuple(args)
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            held.slot()  # its work is done: writing the answer never holds a slot the peer's reading waits on
            self._send_answer(seq, p.RETN, result)
        except asyncio.CancelledError:
            if seq in self._cancelled or self.closed.done():
                return  # the caller let it go, or the channel closed: no answer
            # the function's own await was cancelled, not the call: the caller still hears
            self._send_answer(seq, p.EXCP, (RuntimeError('the call was cancelled on the callee\'s side'), []))
        except Exception as e:
            self._send_answer(seq, p.EXCP, (e, _frames(e)))

    def _send_answer(self, seq, kind, value):
        if self.closed.done():
            return
        self._send_raw(seq, *self._encode_answer(kind, value), answer=True)
        self._flush()

    def _encode_answer(self, kind, value):
        try:
            payload = pickle.dumps(value, 2)
        except Exception as e:
            try:
                kind, payload = p.EXCP, pickle.dumps((e, _frames(e)), 2)
            except Exception:
                kind, payload = p.EXCP, pickle.dumps((TypeError('the answer cannot be sent: %s' % e), []), 2)
        return kind, payload

    def _flush(self):
        """The one drain of what was written: the socket must take some of it within the frame time-out, or we close.

        A peer that reads slowly is given its time: the clock starts again whenever the socket takes anything.
        """
        if (self._flushing is None or self._flushing.done()) and not self.closed.done():
            self._flushing = asyncio.ensure_future(self._drain())
        return self._flushing

    async def _drain(self):
        try:
            while not self.closed.done():
                self._pump()
                before = self._unsent.sent()
                try:
                    await asyncio.wait_for(self._writer.drain(), self._limits.frame_timeout)
                except asyncio.TimeoutError:
                    if self._unsent.sent() > before:
                        continue  # slow, but reading
                    _quiet.warn('closing the connection to %s: it read nothing for %s s', self.peer,
                                self._limits.frame_timeout)
                    self._end('the peer read nothing for %s s' % self._limits.frame_timeout, abort=True)
                    return
                if not self._outbox:
                    return
        except (ConnectionError, OSError):
            self._end('the connection was lost', abort=True)

    def _pump(self):
        """Writes waiting calls while the socket keeps up (to just past the transport's high-water mark)."""
        while self._outbox and self._unsent.waiting() <= self._write_high:
            seq, frame = self._outbox.popitem(last=False)
            self._write(frame)

    # ---- the end -------------------------------------------------------------------------------------

    def close(self):
        """Closes the connection; pending calls fail with ChannelClosed and running ones are cancelled.

        What was written is still sent, for a moment: a socket that takes none of it is dropped.
        """
        self._end('closed by this side')

    def _end(self, reason, abort=False):
        if self.closed.done():
            return
        self.close_reason = reason
        self.closed.set_result(reason)
        transport = self._writer.transport
        if abort or not self._unsent.waiting():
            transport.abort()  # at once: nothing is waiting, or the peer forfeited what was
        else:
            self._writer.close()
            asyncio.get_event_loop().call_later(min(5.0, self._limits.frame_timeout), transport.abort)
        for command, future in list(self._pending.values()):
            if not future.done():
                future.set_exception(ChannelClosed('%s() on %s: %s' % (command, self.peer, reason)))
        self._pending.clear()
        self._outbox.clear()
        for seq, task in list(self._running.items()):
            self._cancelled.add(seq)
            task.cancel()

    async def wait_closed(self):
        """Waits for the end of the connection."""
        await asyncio.shield(self.closed)


_decoder_pool = None
_decoder_pool_lock = threading.Lock()  # guards the making of _decoder_pool: each thread's loop may ask first


def _decoders():
    """The worker threads that decode large payloads, shared by every channel of the process."""
    global _decoder_pool
    with _decoder_pool_lock:
        if _decoder_pool is None:
            _decoder_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4,
                                                                  thread_name_prefix='kaarpc-decode')
        return _decoder_pool


def _secret_bytes(secret):
    if isinstance(secret, str):
        return secret.encode('utf-8')
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    raise TypeError('a secret is str or bytes, not %s' % type(secret).__name__)
