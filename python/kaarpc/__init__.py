"""kaa.rpc for Python 3: remote procedure calls with kaa.rpc peers in Java and Python."""

from ._unpickle import Inert, UnpicklingRefused

__all__ = ['Inert', 'UnpicklingRefused']
