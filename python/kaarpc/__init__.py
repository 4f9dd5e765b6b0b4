"""kaa.rpc for Python 3: remote procedure calls with kaa.rpc peers in Java and Python, safe by default.

A :class:`Server` listens and a :class:`Client` connects; either side calls what the other exposed with
:func:`expose` and registered. Calls return awaitables; a peer's exception is raised as :class:`RemoteError`.
Values are unpickled safely: only builtins, builtin exceptions, datetimes, decimals, UUIDs and OrderedDicts are
built, any other class arrives as an :class:`Inert` object. :func:`connect` is a blocking client for scripts.
"""

from ._blocking import BlockingClient, connect
from ._channel import AuthenticationError, Channel, ChannelClosed, Limits, RemoteError, expose
from ._peers import Client, Server, Signal, parse_address
from ._unpickle import Inert, UnpicklingRefused

__all__ = ['AuthenticationError', 'BlockingClient', 'Channel', 'ChannelClosed', 'Client', 'Inert', 'Limits',
           'RemoteError', 'Server', 'Signal', 'UnpicklingRefused', 'connect', 'expose', 'parse_address']
__version__ = '0.1.0'

# a library's logger stays silent until the application configures logging (logger 'kaarpc')
import logging as _logging  # noqa: E402

_logging.getLogger('kaarpc').addHandler(_logging.NullHandler())
