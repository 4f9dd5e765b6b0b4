"""kaa.rpc for Python 3: remote procedure calls with kaa.rpc peers in Java and Python, safe by default."""

from ._channel import AuthenticationError, Channel, ChannelClosed, RemoteError, expose
from ._peers import Client, Server, Signal, parse_address
from ._unpickle import Inert, UnpicklingRefused

__all__ = ['AuthenticationError', 'Channel', 'ChannelClosed', 'Client', 'Inert', 'RemoteError', 'Server',
           'Signal', 'UnpicklingRefused', 'expose', 'parse_address']
