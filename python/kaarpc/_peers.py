"""Server and Client: kaa's addresses, the signals, what a side exposes, and reconnection."""

import asyncio
import collections
import os
import stat
import tempfile
import time

from ._channel import AuthenticationError, Channel, ChannelClosed, Limits, ReceiveBudget, _quiet, _secret_bytes

__all__ = ['Server', 'Client', 'parse_address', 'Signal']

#: seconds a connection is sure to keep its handshake slot, before a newcomer may take it
EVICT_AFTER = 0.5


def _socket_dir():
    """kaa's per-user directory for bare socket names: made owner-only, and refused if anyone else could use it."""
    d = os.path.join(tempfile.gettempdir(), 'kaa-%d' % os.getuid())
    os.makedirs(d, mode=0o700, exist_ok=True)
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError('%s is not a directory only this user can use: remove it, or name a socket path' % d)
    return d


def parse_address(address):
    """``('tcp', host, port)`` or ``('unix', path)`` of a kaa address.

    A port (``4000``, on the loopback), ``host:port``, ``[v6]:port``, a socket path (with a ``/``), or a bare
    name, which is a socket in the per-user directory ``$TMPDIR/kaa-UID``. ValueError for anything else.
    """
    if isinstance(address, int) and not isinstance(address, bool):
        return ('tcp', '127.0.0.1', _port(address, address))
    if not isinstance(address, str) or not address:
        raise ValueError('not a kaa address: %r' % (address,))
    if address.isdigit():
        return ('tcp', '127.0.0.1', _port(address, address))
    if address.startswith('['):
        host, sep, port = address[1:].partition(']:')
        if not sep or not host:
            raise ValueError('not a kaa address: %r (an IPv6 address is [host]:port)' % address)
        return ('tcp', host, _port(port, address))
    if '/' in address:
        return ('unix', address)
    if ':' in address:
        host, port = address.rsplit(':', 1)
        if ':' in host:
            raise ValueError('not a kaa address: %r (an IPv6 address is [host]:port)' % address)
        return ('tcp', host or '0.0.0.0', _port(port, address))
    return ('unix', os.path.join(_socket_dir(), address))


def _port(text, address):
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535 or (isinstance(text, str) and not text.isdigit()):
        raise ValueError('not a kaa address: %r (the port must be 0 to 65535)' % (address,))
    return port


class Signal(object):
    """Callbacks run when something happens: ``connect(callback)``, ``disconnect(callback)``.

    A callback that raises is logged (a line a second at most) and the others still run.
    """

    def __init__(self):
        self._callbacks = []

    def connect(self, callback):
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback):
        self._callbacks.remove(callback)

    def emit(self, *args):
        for callback in list(self._callbacks):
            try:
                callback(*args)
            except Exception as e:
                _quiet.warn('a signal callback %r raised %r', callback, e)


def _exposed(obj):
    """The commands of ``obj``'s callables marked with :func:`expose`: an object, a class, a module or a function."""
    found = {}
    members = [obj] if callable(obj) and hasattr(obj, '_kaarpc_expose') else \
        [getattr(obj, n, None) for n in dir(obj) if not n.startswith('__')]
    for m in members:
        mark = getattr(m, '_kaarpc_expose', None)
        if mark is not None and callable(m):
            found[mark[0]] = (m, mark[1])
    if not found:
        raise ValueError('%r exposes nothing: mark its functions with @kaarpc.expose()' % (obj,))
    return found


class _Side(object):

    def __init__(self, address, secret, limits):
        self.address = parse_address(address)
        _secret_bytes(secret)  # a TypeError now rather than at every connection
        self.secret = secret
        self.limits = limits or Limits()
        self.functions = {}  # command -> (callable, add_client), shared by this side's channels

    def register(self, obj):
        """Exposes to the peer what ``obj`` (an object, a class, a module or a function) marked with :func:`expose`.

        Returns this side, so that calls chain.
        """
        self.functions.update(_exposed(obj))
        return self

    def disconnect(self, obj):
        """No longer exposes what ``obj`` exposed."""
        for command in _exposed(obj):
            self.functions.pop(command, None)


class Server(_Side):
    """Listens on a kaa address; each client is a :class:`Channel`, signalled by ``client_connected``.

    ``await Server(address, secret).register(service).start()``. Besides ``limits`` (each connection's), at most
    ``max_connections`` are served at once and at most ``max_handshaking`` of them before their handshake; past
    either, a new connection is closed at once, but that when the handshakes are full, the one waiting longest,
    if for half a second or more, gives its place to the newcomer. ``receive_budget`` bounds the bytes read and
    not yet decoded, across all connections.
    """

    def __init__(self, address, secret='', limits=None, max_connections=1024, max_handshaking=128,
                 receive_budget=256 << 20):
        super().__init__(address, secret, limits)
        self.max_connections = max_connections
        self.max_handshaking = max_handshaking
        self.client_connected = Signal()
        self.channels = set()
        self._in_handshake = collections.OrderedDict()  # channel -> when it was accepted, oldest first
        self._accepted = set()  # every connection's channel, in its handshake or after: what close() closes
        self._budget = ReceiveBudget(receive_budget)
        self._connections = 0
        self._closing = False
        self._server = None

    async def start(self):
        """Binds and listens; returns this server. OSError if the address is taken."""
        if self.address[0] == 'tcp':
            self._server = await asyncio.start_server(self._accept, self.address[1], self.address[2])
        else:
            path = self.address[1]
            if os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)  # a stale socket of an earlier run
            self._server = await asyncio.start_unix_server(self._accept, path)
            os.chmod(path, 0o600)  # the owner only, as the Java side's sockets
        return self

    @property
    def bound(self):
        """Where clients reach it: ``host:port`` (``[host]:port`` for IPv6) or the socket path."""
        if self.address[0] == 'unix':
            return self.address[1]
        host, port = self._server.sockets[0].getsockname()[:2]
        return ('[%s]:%d' if ':' in host else '%s:%d') % (host, port)

    async def _accept(self, reader, writer):
        if len(self._in_handshake) >= self.max_handshaking and not self._closing \
                and self._connections < self.max_connections:  # else the newcomer would be refused all the same
            self._evict_oldest_handshake()
        if self._closing or self._connections >= self.max_connections \
                or len(self._in_handshake) >= self.max_handshaking:
            if not self._closing:
                _quiet.warn('refusing a connection from %s: %d connections, %d of them in their handshake',
                            writer.get_extra_info('peername'), self._connections, len(self._in_handshake))
            writer.transport.abort()
            return
        self._connections += 1
        channel = None
        try:
            channel = Channel(reader, writer, self.secret, True, self.functions, self.limits, self._budget)
            self._accepted.add(channel)
            self._in_handshake[channel] = time.monotonic()
            try:
                await channel.handshake()
            except (AuthenticationError, ChannelClosed, ConnectionError, OSError) as e:
                _quiet.warn('%s', e)
                return
            finally:
                self._in_handshake.pop(channel, None)
            self.channels.add(channel)
            self.client_connected.emit(channel)
            await channel.serve()
        except asyncio.CancelledError:
            pass  # the loop is shutting down: the connection goes quietly
        finally:
            if channel is not None:
                self._in_handshake.pop(channel, None)
                channel.close()
                self.channels.discard(channel)
                self._accepted.discard(channel)
            else:
                writer.transport.abort()
            self._connections -= 1

    def _evict_oldest_handshake(self):
        """Makes room for a newcomer: the connection longest in its handshake goes, if it had its fair time.

        Silent connections (no secret needed to open one) would otherwise keep every client out; anyone admitted
        still has EVICT_AFTER seconds for its handshake's round trip.
        """
        if not self._in_handshake:
            return
        oldest, since = next(iter(self._in_handshake.items()))
        if time.monotonic() - since >= EVICT_AFTER:
            del self._in_handshake[oldest]
            oldest._end('evicted in its handshake to admit a newer connection', abort=True)

    async def close(self):
        """Stops listening and closes every client's channel, those still in their handshake too."""
        if self._server is None or self._closing:
            return
        self._closing = True
        self._server.close()
        for channel in list(self._accepted):
            channel.close()
        await self._server.wait_closed()
        if self.address[0] == 'unix':
            try:
                os.unlink(self.address[1])
            except OSError:
                pass


class Client(_Side):
    """Connects to a kaa address; signals ``open`` and ``closed`` (with the channel); ``rpc`` once open.

    With ``retry`` (seconds), ``connect()`` tries again every ``retry`` seconds until a server answers, and a
    lost connection is connected again the same way, ``open`` signalled each time; ``close()`` stops it. A wrong
    secret is never retried: it raises :class:`AuthenticationError`.
    """

    def __init__(self, address, secret='', retry=None, limits=None):
        super().__init__(address, secret, limits)
        if retry is not None and retry <= 0:
            raise ValueError('retry is a positive number of seconds')
        self.retry = retry
        self.open = Signal()
        self.closed = Signal()
        self.channel = None
        self._stopped = False
        self._connecting = None  # the task that connects, while one does: connect() and a reconnect share it
        self._generation = 0  # how many times close() ran

    @property
    def connected(self):
        """Whether the channel is open now."""
        return self.channel is not None and not self.channel.closed.done()

    async def connect(self):
        """Connects and authenticates; returns this client (at once if it is connected).

        Raises :class:`AuthenticationError` for a wrong secret, OSError if nobody listens (without ``retry``),
        :class:`ChannelClosed` if ``close()`` is called meanwhile.
        """
        self._stopped = False
        if self.connected:
            return self
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._connect_until_open(self._generation))
        connecting = self._connecting
        try:
            await asyncio.shield(connecting)
        except asyncio.CancelledError:
            if connecting.cancelled():  # by close(), not by our caller
                raise ChannelClosed('the client was closed while it connected') from None
            raise
        return self

    async def _connect_until_open(self, generation):
        # generation: the close() count when the attempt began; a close since makes it moot
        while True:
            if self._stopped or generation != self._generation:
                raise ChannelClosed('the client was closed')
            try:
                await self._connect_once(generation)
                return
            except AuthenticationError:
                raise
            except (OSError, asyncio.TimeoutError):
                if self._stopped or generation != self._generation:  # closed as the attempt failed
                    raise ChannelClosed('the client was closed while it connected') from None
                if self.retry is None:
                    raise
            await asyncio.sleep(self.retry)  # the retry interval, not a synchronisation

    async def _connect_once(self, generation):
        timeout = self.limits.handshake_timeout
        if self.address[0] == 'tcp':
            opening = asyncio.open_connection(self.address[1], self.address[2])
        else:
            opening = asyncio.open_unix_connection(self.address[1])
        reader, writer = await asyncio.wait_for(opening, timeout)
        channel = Channel(reader, writer, self.secret, False, self.functions, self.limits)
        await channel.handshake()
        if self._stopped or generation != self._generation:  # closed while the handshake ran
            channel.close()
            raise ChannelClosed('the client was closed')
        self.channel = channel
        task = asyncio.ensure_future(channel.serve())
        task.add_done_callback(lambda t: self._lost(channel, t))
        self.open.emit(channel)

    def _lost(self, channel, task):
        if not task.cancelled():
            task.exception()  # retrieved: serve() says why in close_reason
        self.closed.emit(channel)
        if self.retry is not None and not self._stopped and not task.cancelled() and channel is self.channel \
                and (self._connecting is None or self._connecting.done()):
            self._connecting = asyncio.ensure_future(self._reconnect())

    async def _reconnect(self):
        try:
            await asyncio.sleep(self.retry)
            await self._connect_until_open(self._generation)
        except AuthenticationError as e:
            _quiet.warn('not reconnecting: %s', e)
        except ChannelClosed:
            pass  # closed meanwhile

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` on the server: a future of its answer. ChannelClosed when not connected."""
        if not self.connected:
            raise ChannelClosed('not connected to %s' % (self.address[1:],))
        return self.channel.rpc(command, *args, **kwargs)

    def close(self):
        """Closes the channel, and stops connecting and reconnecting."""
        self._stopped = True
        self._generation += 1
        if self._connecting is not None:
            self._connecting.cancel()
            self._connecting = None  # a connect() from now on starts afresh
        if self.channel is not None:
            self.channel.close()
