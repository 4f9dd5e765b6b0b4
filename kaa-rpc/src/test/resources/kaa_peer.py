"""A small Python peer speaking the kaa.rpc wire protocol, for interoperability tests.

It behaves as Python kaa.rpc does on the wire: protocol-2 pickles, (exception,
StackSummary) for errors, KeyError for unknown commands, the shared-secret
handshake. Usage:

    kaa_peer.py serve ADDRESS SECRET        serve the demo service; prints READY
    kaa_peer.py client ADDRESS SECRET       run the demo scenario, print one line per step
"""
import hashlib
import hmac
import os
import pickle
import socket
import struct
import sys
import threading
import time
import traceback

HEADER = struct.Struct('<I4sI')


def answer(secret, challenge, salt):
    return hmac.new(secret + salt, challenge, hashlib.sha1).digest()


def connect_socket(address):
    if ':' in address:
        host, port = address.rsplit(':', 1)
        return socket.create_connection((host.strip('[]'), int(port)), timeout=10)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(address)
    return s


class Peer:
    def __init__(self, sock, secret, functions, role):
        self.sock = sock
        self.secret = secret.encode('utf-8')
        self.functions = functions
        self.role = role
        self.lock = threading.Lock()
        self.next_seq = 1
        self.pending = {}
        self.closed = threading.Event()

    def send(self, seq, kind, payload):
        with self.lock:
            self.sock.sendall(HEADER.pack(seq, kind, len(payload)) + payload)

    def read_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError('connection closed')
            data += chunk
        return data

    def read_packet(self):
        seq, kind, length = HEADER.unpack(self.read_exact(HEADER.size))
        return seq, kind, self.read_exact(length)

    def handshake_server(self):
        challenge = os.urandom(20)
        self.send(0, b'AUTH', challenge + bytes(40))
        seq, kind, payload = self.read_packet()
        theirs, response, salt = payload[:20], payload[20:40], payload[40:]
        if kind != b'RESP' or not hmac.compare_digest(response, answer(self.secret, challenge, salt)):
            raise PermissionError('authentication failed')
        if theirs != bytes(20):
            salt2 = os.urandom(20)
            self.send(seq, b'RESP', bytes(20) + answer(self.secret, theirs, salt2) + salt2)

    def handshake_client(self):
        seq, kind, payload = self.read_packet()
        challenge = os.urandom(20)
        salt = os.urandom(20)
        self.send(seq, b'RESP', challenge + answer(self.secret, payload[:20], salt) + salt)
        seq, kind, payload = self.read_packet()
        if kind != b'RESP' or not hmac.compare_digest(payload[20:40], answer(self.secret, challenge, payload[40:])):
            raise PermissionError('server failed authentication')

    def call(self, cmd, *args, **kwargs):
        done = threading.Event()
        box = {}
        with self.lock:
            seq = self.next_seq
            self.next_seq += 1
            self.pending[seq] = (done, box)
        self.send(seq, b'CALL', pickle.dumps((cmd, args, kwargs), 2))
        if not done.wait(10):
            raise TimeoutError(cmd)
        if 'error' in box:
            raise box['error']
        return box['value']

    def serve_forever(self):
        try:
            while True:
                seq, kind, payload = self.read_packet()
                if kind == b'CALL':
                    threading.Thread(target=self.dispatch, args=(seq, payload), daemon=True).start()
                elif kind in (b'RETN', b'EXCP'):
                    done, box = self.pending.pop(seq)
                    value = pickle.loads(payload)
                    if kind == b'RETN':
                        box['value'] = value
                    else:
                        exc, stack = value
                        exc.remote_stack = stack
                        box['error'] = exc
                    done.set()
        except (EOFError, OSError):
            self.closed.set()

    def dispatch(self, seq, payload):
        cmd, args, kwargs = pickle.loads(payload)
        try:
            function, add_client = self.functions[cmd]
            if add_client:
                args = (self,) + tuple(args)
            result = function(*args, **kwargs)
            if isinstance(result, Later):
                result = result.wait()
            self.send(seq, b'RETN', pickle.dumps(result, 2))
        except Exception as e:
            stack = traceback.extract_tb(sys.exc_info()[2])
            self.send(seq, b'EXCP', pickle.dumps((e, stack), 2))


class Later:
    def __init__(self, seconds, value):
        self.seconds, self.value = seconds, value

    def wait(self):
        time.sleep(self.seconds)
        return self.value


class Point:
    """An ordinary class whose __init__ needs arguments: pickled by __reduce_ex__ as __new__ plus state."""
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __repr__(self):
        return 'Point(%r, %r)' % (self.x, self.y)


class Slotted:
    """A __slots__ class: no __dict__, its state comes as (None, slots)."""
    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return 'Slotted(%r)' % (self.value,)


def fail(msg):
    raise ValueError(msg)


def callback(peer, cmd, arg):
    return ['callback', peer.call(cmd, arg)]


DEMO = {
    'echo': (lambda x: x, False),
    'add': (lambda a, b: a + b, False),
    'greet': (lambda name, greeting='hello': greeting + ' ' + name, False),
    'fail': (fail, False),
    'slow': (lambda seconds, value: Later(seconds, value), False),
    'whoami': (lambda peer: peer.role, True),
    'callback': (callback, True),
    'types': (lambda: [None, True, 1, 2 ** 40, 2 ** 70, 1.5, 'unicode \xe9', b'bytes\x00\xff', (1, 2), [3],
                       {'k': 'v'}, {1}], False),
}


def serve(address, secret):
    if ':' in address:
        host, port = address.rsplit(':', 1)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, int(port)))
        bound = '%s:%d' % listener.getsockname()[:2]
    else:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address)
        bound = address
    listener.listen(16)
    print('READY', bound, flush=True)
    while True:
        sock, _ = listener.accept()
        peer = Peer(sock, secret, DEMO, 'server')

        def run(peer=peer):
            try:
                peer.handshake_server()
            except (PermissionError, EOFError, OSError):
                peer.sock.close()
                return
            peer.serve_forever()
        threading.Thread(target=run, daemon=True).start()


def show(label, thunk):
    try:
        print(label, ascii(thunk()), flush=True)
    except Exception as e:
        stack = getattr(e, 'remote_stack', [])
        print(label, 'raised', type(e).__name__, ascii(str(e)), flush=True)
        print(label, 'traceback', ascii(''.join(traceback.format_list(stack))), flush=True)


def client(address, secret):
    sock = connect_socket(address)
    peer = Peer(sock, secret, {'client_echo': (lambda x: ['client', x], False)}, 'client')
    try:
        peer.handshake_client()
    except (PermissionError, EOFError) as e:
        print('handshake failed', type(e).__name__, flush=True)
        return
    sock.settimeout(None)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    show('echo', lambda: peer.call('echo', 'hi'))
    show('add', lambda: peer.call('add', 2, 3))
    show('greet', lambda: peer.call('greet', 'bob'))
    show('greet_kw', lambda: peer.call('greet', 'bob', greeting='hi'))
    show('fail', lambda: peer.call('fail', 'boom'))
    show('slow', lambda: peer.call('slow', 0.2, 'late'))
    show('whoami', lambda: peer.call('whoami'))
    show('callback', lambda: peer.call('callback', 'client_echo', 7))
    show('types', lambda: peer.call('types'))
    show('bytes', lambda: peer.call('echo', b'\x00\xffraw'))
    show('nope', lambda: peer.call('nope'))
    show('wrong_args', lambda: peer.call('add', 1))
    print('done', flush=True)


def client_hang(address, secret):
    """Connects, exposes hang() (which never answers in time), calls start() on the server, and waits."""
    sock = connect_socket(address)
    peer = Peer(sock, secret, {'hang': (lambda x: Later(60, x), False)}, 'client')
    peer.handshake_client()
    sock.settimeout(None)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    print('started', peer.call('start'), flush=True)
    time.sleep(60)


def call_one(address, secret):
    """Calls the command named by the next argument with the rest (Python expressions over the
    datetime, uuid and decimal modules) and prints what came back."""
    import datetime, decimal, uuid
    scope = {'datetime': datetime, 'decimal': decimal, 'uuid': uuid, 'Point': Point, 'Slotted': Slotted,
             'bytearray': bytearray, 'frozenset': frozenset, '__builtins__': {}}
    command, args = sys.argv[4], [eval(a, scope) for a in sys.argv[5:]]
    sock = connect_socket(address)
    peer = Peer(sock, secret, {}, 'client')
    peer.handshake_client()
    sock.settimeout(None)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    show(command, lambda: peer.call(command, *args))


if __name__ == '__main__':
    mode, address, secret = sys.argv[1:4]
    {'serve': serve, 'client': client, 'client-hang': client_hang, 'call': call_one}[mode](address, secret)
