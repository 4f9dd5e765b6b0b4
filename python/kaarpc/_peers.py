"""Server and Client: kaa's addresses, the signals, and what a side exposes."""

import asyncio
import inspect
import os
import stat
import tempfile

from ._channel import AuthenticationError, Channel, DEFAULT_MAX_FRAME

__all__ = ['Server', 'Client', 'parse_address', 'Signal']


def _socket_dir():
    # kaa's per-user directory for bare socket names, owner-only
    d = os.path.join(tempfile.gettempdir(), 'kaa-%d' % os.getuid())
    os.makedirs(d, mode=0o700, exist_ok=True)
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError('%s is not a directory only this user can use' % d)
    return d


def parse_address(address):
    """``('tcp', host, port)`` or ``('unix', path)`` of a kaa address: a port, host:port, [v6]:port, a path, a name."""
    if isinstance(address, int) or (isinstance(address, str) and address.isdigit()):
        return ('tcp', '127.0.0.1', int(address))
    if address.startswith('['):
        host, _, port = address[1:].partition(']:')
        return ('tcp', host, int(port))
    if '/' in address:
        return ('unix', address)
    if ':' in address:
        host, port = address.rsplit(':', 1)
        return ('tcp', host, int(port))
    return ('unix', os.path.join(_socket_dir(), address))


class Signal(object):
    """Callbacks to run when something happens: ``connect(callback)``, ``disconnect(callback)``."""

    def __init__(self):
        self._callbacks = []

    def connect(self, callback):
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback):
        self._callbacks.remove(callback)

    def emit(self, *args):
        for callback in list(self._callbacks):
            callback(*args)


def _exposed(obj):
    """The commands of ``obj``'s functions marked with :func:`expose` (an object, a module or a function)."""
    found = {}
    members = [obj] if callable(obj) and hasattr(obj, '_kaarpc_expose') else \
        [getattr(obj, n) for n in dir(obj) if not n.startswith('__')]
    for m in members:
        mark = getattr(m, '_kaarpc_expose', None)
        if mark is not None and callable(m):
            found[mark[0]] = (m, mark[1])
    return found


class _Side(object):

    def __init__(self, secret, max_frame, handshake_timeout):
        self.secret = secret
        self.max_frame = max_frame
        self.handshake_timeout = handshake_timeout
        self.functions = {}

    def register(self, obj):
        """Exposes what ``obj`` (an object, a module or a function) marked with :func:`expose`."""
        self.functions.update(_exposed(obj))
        return self


class Server(_Side):
    """Listens on a kaa address; each client is a :class:`Channel` (signal ``client_connected``)."""

    def __init__(self, address, secret='', max_frame=DEFAULT_MAX_FRAME, handshake_timeout=10.0):
        super().__init__(secret, max_frame, handshake_timeout)
        self.address = parse_address(address)
        self.client_connected = Signal()
        self.channels = set()
        self._server = None

    async def start(self):
        if self.address[0] == 'tcp':
            self._server = await asyncio.start_server(self._accept, self.address[1], self.address[2])
        else:
            path = self.address[1]
            if os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)  # a stale socket of an earlier run
            self._server = await asyncio.start_unix_server(self._accept, path)
            os.chmod(path, 0o600)
        return self

    @property
    def bound(self):
        """Where clients reach it: ``host:port`` or the socket path."""
        if self.address[0] == 'unix':
            return self.address[1]
        host, port = self._server.sockets[0].getsockname()[:2]
        return '%s:%d' % (host, port)

    async def _accept(self, reader, writer):
        channel = Channel(reader, writer, self.secret, True, self.functions, self.max_frame,
                          self.handshake_timeout)
        try:
            await channel.handshake()
        except (AuthenticationError, ConnectionError, OSError):
            writer.close()
            return
        self.channels.add(channel)
        self.client_connected.emit(channel)
        try:
            await channel.serve()
        finally:
            self.channels.discard(channel)

    async def close(self):
        self._server.close()
        for channel in list(self.channels):
            channel.close()
        await self._server.wait_closed()


class Client(_Side):
    """Connects to a kaa address; signals ``open`` and ``closed``; ``rpc`` once open."""

    def __init__(self, address, secret='', max_frame=DEFAULT_MAX_FRAME, handshake_timeout=10.0):
        super().__init__(secret, max_frame, handshake_timeout)
        self.address = parse_address(address)
        self.open = Signal()
        self.closed = Signal()
        self.channel = None

    async def connect(self):
        """Connects and authenticates; raises AuthenticationError for a wrong secret, OSError if nobody listens."""
        if self.address[0] == 'tcp':
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.address[1], self.address[2]),
                                                    self.handshake_timeout)
        else:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(self.address[1]),
                                                    self.handshake_timeout)
        channel = Channel(reader, writer, self.secret, False, self.functions, self.max_frame, self.handshake_timeout)
        await channel.handshake()
        self.channel = channel
        task = asyncio.ensure_future(channel.serve())
        task.add_done_callback(lambda t: self.closed.emit(channel))
        self.open.emit(channel)
        return self

    def rpc(self, command, *args, **kwargs):
        """Calls ``command`` on the server: an awaitable of its answer."""
        if self.channel is None:
            raise ConnectionError('not connected: await connect() first')
        return self.channel.rpc(command, *args, **kwargs)

    def close(self):
        if self.channel is not None:
            self.channel.close()
