"""A bounded unpickler that builds only what the Java side builds.

The standard library's ``pickle.loads`` runs whatever a pickle names: a
peer's CALL could call ``os.system``. This module reads pickles of
protocols 0 to 4 opcode by opcode, in Python, and

* builds only builtins, the builtin exception types, ``datetime``,
  ``decimal.Decimal``, ``uuid.UUID``, ``collections.OrderedDict`` and the
  byte-string form of ``_codecs.encode``; every other class arrives as an
  :class:`Inert` object naming its module and class, never imported or
  called, unless the caller allows more classes by name;
* charges every opcode, every byte it copies and every element it touches
  to a work budget proportional to the payload's size, so that a sharing
  bomb (a memoized list appended to itself) or a hash bomb (nested shared
  tuples used as a dict key, which CPython hashes in time exponential in
  their depth) is refused in time linear in its bytes.
"""

import collections
import datetime
import decimal
import struct
import uuid

__all__ = ['Inert', 'UnpicklingRefused', 'loads', 'WORK_PER_BYTE', 'MAX_DEPTH']

#: Work allowed per byte of payload: generous for honest pickles, which cost a few units a byte.
WORK_PER_BYTE = 16
#: The deepest nesting of containers a payload may build. Half the Java side's limit: CPython's pickler and repr
#: spend two levels of its default recursion limit (1000) per level of a list, and a value received is often sent
#: back, from inside a call's own frames.
MAX_DEPTH = 256
#: The most values a pickle may have on its stack at once.
MAX_STACK = 65536
#: The most decimal digits of a text integer (CPython's own limit for int('...') since 3.11).
MAX_INT_DIGITS = 4300


class UnpicklingRefused(ValueError):
    """The payload is malformed, or asks for more work or nesting than its size allows."""


class Inert(object):
    """An instance of a class this side does not build: its module, name, arguments and state, inert.

    Nothing of the class is imported or called; the object only says what was sent.
    """

    __slots__ = ('module', 'name', 'args', 'state')

    def __init__(self, module, name, args=(), state=None):
        self.module = module
        self.name = name
        self.args = args
        self.state = state

    def __repr__(self):
        return '<inert %s.%s%r>' % (self.module, self.name, tuple(self.args))

    # equal only to itself, as any object: comparing the states a peer chose could cost what it likes
    __eq__ = object.__eq__
    __hash__ = object.__hash__


class _Global(object):
    """A class or function a pickle named, resolved to what this side will do with it."""

    __slots__ = ('module', 'name', 'factory')

    def __init__(self, module, name, factory):
        self.module = module
        self.name = name
        self.factory = factory  # called with the arguments, or None: the instance is Inert


def _exception_types():
    import builtins
    return {name: obj for name, obj in vars(builtins).items()
            if isinstance(obj, type) and issubclass(obj, BaseException)}


_EXCEPTIONS = _exception_types()


def _codecs_encode(text, encoding='latin1', errors='strict'):
    # protocol 2's form of a Python 3 bytes: _codecs.encode(latin-1 text, 'latin1'); no other use is allowed
    if not isinstance(text, str) or encoding not in ('latin1', 'latin-1', 'iso8859-1'):
        raise UnpicklingRefused('_codecs.encode is read only as bytes: (str, "latin1")')
    return text.encode('latin1')


def _bytes_type(data=b'', *rest):
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str) and rest:  # bytes('...', 'latin1')
        return _codecs_encode(data, *rest)
    if isinstance(data, list) and all(isinstance(b, int) for b in data):
        return bytes(data)
    raise UnpicklingRefused('bytes(...) of %s' % type(data).__name__)


def _decimal(text):
    # the Java side's limits: at most 5,000 digits and an exponent within +-5,000 (int() of Decimal('1e999999999')
    # would make a billion-digit int)
    if not isinstance(text, str) or len(text) > 5100:
        raise UnpicklingRefused('a Decimal is read from text of at most 5100 characters')
    d = decimal.Decimal(text)
    if d.is_finite() and d and not -5000 <= d.adjusted() <= 5000:
        raise UnpicklingRefused('a Decimal with an exponent beyond +-5000')
    return d


def _uuid_state(state):
    if not isinstance(state, dict) or not isinstance(state.get('int'), int):
        raise UnpicklingRefused('a UUID is rebuilt from its int')
    return uuid.UUID(int=state['int'])


def _datetime_factory(cls):
    def make(*args):
        # the pickled forms: (bytes state[, tzinfo]) or, from protocol 0, the fields
        if args and isinstance(args[0], (bytes, str)) and len(args) <= 2:
            state = args[0].encode('latin1') if isinstance(args[0], str) else args[0]
            if len(state) > 10:
                raise UnpicklingRefused('a %s state of %d bytes' % (cls.__name__, len(state)))
            tz = args[1] if len(args) == 2 else None
            if tz is not None and not isinstance(tz, datetime.tzinfo):
                raise UnpicklingRefused('a time zone that is not one')
            return cls(state, tz) if tz is not None else cls(state)
        if all(isinstance(a, int) for a in args) and len(args) <= 8:
            return cls(*args)
        raise UnpicklingRefused('a %s of these fields' % cls.__name__)
    return make


def _timezone(*args):
    if not 1 <= len(args) <= 2 or not isinstance(args[0], datetime.timedelta) \
            or (len(args) == 2 and not isinstance(args[1], str)):
        raise UnpicklingRefused('a timezone of (timedelta[, name])')
    return datetime.timezone(*args)


def _timedelta(*args):
    if len(args) > 3 or not all(isinstance(a, int) for a in args):
        raise UnpicklingRefused('a timedelta of (days, seconds, microseconds)')
    return datetime.timedelta(*args)


_SAFE = {
    ('builtins', 'set'): set, ('builtins', 'frozenset'): frozenset, ('builtins', 'bytearray'): lambda *args: bytearray(_bytes_type(*args)),
    ('builtins', 'bytes'): _bytes_type, ('builtins', 'complex'): complex,
    ('builtins', 'object'): object,
    ('_codecs', 'encode'): _codecs_encode,
    ('datetime', 'datetime'): _datetime_factory(datetime.datetime),
    ('datetime', 'date'): _datetime_factory(datetime.date),
    ('datetime', 'time'): _datetime_factory(datetime.time),
    ('datetime', 'timedelta'): _timedelta,
    ('datetime', 'timezone'): _timezone,
    ('decimal', 'Decimal'): _decimal,
    ('collections', 'OrderedDict'): collections.OrderedDict,
    ('uuid', 'UUID'): uuid.UUID,
    # a Python 3 peer's remote traceback: a StackSummary (a list) of FrameSummary objects, kept as plain data
    ('traceback', 'StackSummary'): lambda *args: [],
}

# protocol 2's names from Python 2, as Python 3's pickle maps them (a subset: what a peer sends)
_RENAMED = {'__builtin__': 'builtins', 'exceptions': 'builtins', 'copy_reg': 'copyreg'}


def _resolve(module, name, allowed):
    module = _RENAMED.get(module, module)
    if module == 'builtins' and name in _EXCEPTIONS:
        return _Global(module, name, _EXCEPTIONS[name])
    factory = _SAFE.get((module, name))
    if factory is None and allowed is not None and (module, name) in allowed:
        factory = allowed[(module, name)]
    return _Global(module, name, factory)


class _Budget(object):
    __slots__ = ('left',)

    def __init__(self, units):
        self.left = units

    def spend(self, units):
        self.left -= units
        if self.left < 0:
            raise UnpicklingRefused('the payload asks for more work than its size allows')


def _leaf_cost(value):
    """Hashing an int walks its 30-bit digits; anything else a key holds hashes in constant time or caches it."""
    return 1 + (value.bit_length() >> 5) if type(value) is int else 1


def _hash_cost(value, budget, seen, depths, alive):
    """Charges what hashing ``value`` costs: a tuple's hash walks all of it, shared parts once per use."""
    if not isinstance(value, (tuple, frozenset, Inert)):
        cost = _leaf_cost(value)
        budget.spend(cost)
        return cost
    key = id(value)
    cost = seen.get(key)
    if cost is None:
        # the cost of a tuple of shared parts is the sum of its parts' costs: computed once per part
        stack = [(value, False)]
        while stack:
            v, done = stack.pop()
            if id(v) in seen:
                continue
            children = v.args if isinstance(v, Inert) else v
            if done:
                total = 1
                depth = 0
                for c in children:
                    total += seen[id(c)] if id(c) in seen else _leaf_cost(c)
                    depth = max(depth, depths.get(id(c), 0))
                    if total > budget.left:
                        break
                seen[id(v)] = total
                alive.append(v)  # its id must not be reused by another tuple while the memo holds it
                # CPython hashes a tuple by a recursion it does not bound: a deep key must never be hashed
                depths[id(v)] = depth + 1
                if depth + 1 > MAX_DEPTH:
                    raise UnpicklingRefused('a key nested deeper than %d' % MAX_DEPTH)
            else:
                stack.append((v, True))
                for c in children:
                    if isinstance(c, (tuple, frozenset, Inert)) and id(c) not in seen:
                        stack.append((c, False))
        cost = seen[key]
    budget.spend(cost)
    return cost


def loads(data, allowed=None, work_per_byte=WORK_PER_BYTE):
    """The value of the pickle ``data``, built safely; raises :class:`UnpicklingRefused` otherwise.

    ``allowed`` maps ``(module, name)`` pairs to callables that build those
    classes' instances from their arguments: more than the safe set, by name.
    """
    data = bytes(data)
    try:
        return _Reader(data, allowed, _Budget(max(len(data), 64) * work_per_byte)).run()
    except UnpicklingRefused:
        raise
    except Exception as e:  # a value a factory or a container refused (an unhashable key, a UUID out of range)
        raise UnpicklingRefused('the pickle is malformed: %s: %s' % (type(e).__name__, _short(e))) from None


def _short(e):
    text = str(e)
    return text if len(text) <= 200 else text[:200] + '...'



class _Reader(object):

    def __init__(self, data, allowed, budget):
        self.data = data
        self.pos = 0
        self.allowed = allowed
        self.budget = budget
        self.stack = []
        self.marks = []
        self.memo = {}
        self.hashed = {}  # id of a key's tuple -> what hashing it costs
        self.key_depths = {}  # id of a key's tuple -> its nesting
        self.hashed_alive = []  # the tuples of both memos, kept so that their ids stay theirs
        self.collisions = {}  # id of a table being built -> {hash: keys of that hash in it}
        self.tables_alive = []

    # ---- reading bytes -----------------------------------------------------------------------------

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise UnpicklingRefused('the pickle ends inside an opcode')
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        self.budget.spend(n)
        return b

    def line(self):
        end = self.data.find(b'\n', self.pos)
        if end < 0:
            raise UnpicklingRefused('the pickle ends inside a line')
        b = self.data[self.pos:end]
        self.budget.spend(end - self.pos + 1)
        self.pos = end + 1
        return b

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack('<I', self.take(4))[0]

    # ---- the stack ---------------------------------------------------------------------------------

    def pop(self):
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise UnpicklingRefused('the pickle pops more than it pushed')
        return self.stack.pop()

    def top(self):
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise UnpicklingRefused('the pickle uses a value it did not push')
        return self.stack[-1]

    def pop_mark(self):
        if not self.marks:
            raise UnpicklingRefused('no MARK to pop to')
        at = self.marks.pop()
        items = self.stack[at:]
        del self.stack[at:]
        return items

    def push(self, value):
        if len(self.stack) > MAX_STACK:
            raise UnpicklingRefused('the pickle pushes too many values')
        self.stack.append(value)

    def key(self, k, table):
        """Charges what using ``k`` as a key of ``table`` (a dict or a set being built) costs, then returns it.

        Hashing walks a tuple whole and a big int digit by digit; and keys of one hash in one table are compared
        with each other, so the n-th of a hash pays its cost n times (ints' hashes are not randomised:
        k * (2**61 - 1) all hash to 0, and tuples of ints can be solved for any hash).
        """
        if isinstance(k, (list, dict, set, bytearray)):
            raise UnpicklingRefused('an unhashable %s as a key' % type(k).__name__)
        cost = _hash_cost(k, self.budget, self.hashed, self.key_depths, self.hashed_alive)
        h = hash(k)
        counts = self.collisions.get(id(table))
        if counts is None:
            counts = self.collisions[id(table)] = {}
            self.tables_alive.append(table)  # its id stays its own while its counts are kept
        n = counts.get(h, 0) + 1
        counts[h] = n
        self.budget.spend((n - 1) * cost)  # each earlier key of its hash is compared with it, as costly as hashing
        return k

    # ---- the opcodes -------------------------------------------------------------------------------

    def run(self):
        data = self.data
        while True:
            if self.pos >= len(data):
                raise UnpicklingRefused('the pickle has no STOP')
            op = data[self.pos]
            self.pos += 1
            self.budget.spend(1)
            handler = _OPS.get(op)
            if handler is None:
                raise UnpicklingRefused('opcode %r is not read' % bytes([op]))
            if handler(self):
                if len(self.stack) != 1 or self.marks:
                    raise UnpicklingRefused('the pickle leaves %d values at STOP' % len(self.stack))
                _check_depth(self.stack[0], self.budget)
                return self.stack[0]


_CONTAINERS = (list, tuple, dict, set, frozenset, Inert, BaseException)
#: values that hold no other value
_LEAVES = (str, bytes, bool, int, float, complex, decimal.Decimal)


def _children(v):
    if isinstance(v, dict):
        return list(v.keys()) + list(v.values())
    if isinstance(v, Inert):
        return (v.args, v.state)
    if isinstance(v, BaseException):
        return tuple(v.args) + tuple(v.__dict__.values())
    return v


def _check_depth(value, budget):
    """Refuses a value nested deeper than MAX_DEPTH; each container is looked at once, however shared.

    The nesting is built with memo references, not the stack, so it is measured on the value: the longest
    chain of containers, where a container inside itself (a cycle, which pickles allow) adds nothing.
    """
    if type(value) is _Global:
        raise UnpicklingRefused('a class or function as a value: %s.%s' % (value.module, value.name))
    if not isinstance(value, _CONTAINERS):
        return
    depth = {}  # id of a container -> its depth, itself included
    on_path = set()
    stack = [(value, False)]
    while stack:
        v, done = stack.pop()
        key = id(v)
        if done:
            below = 0
            for c in _children(v):
                budget.spend(1)
                below = max(below, depth.get(id(c), 0))
            depth[key] = below + 1
            on_path.discard(key)
            if below + 1 > MAX_DEPTH:
                raise UnpicklingRefused('the value is nested deeper than %d' % MAX_DEPTH)
        elif key not in depth and key not in on_path:
            on_path.add(key)
            stack.append((v, True))
            for c in _children(v):
                budget.spend(1)
                if type(c) is _Global:  # only ever the callable of a REDUCE: never handed to the caller
                    raise UnpicklingRefused('a class or function as a value: %s.%s' % (c.module, c.name))
                if isinstance(c, _CONTAINERS) and id(c) not in depth and id(c) not in on_path:
                    stack.append((c, False))


def _int_text(text):
    text = text.strip()
    if text.endswith(b'L'):
        text = text[:-1]
    if len(text.lstrip(b'-+')) > MAX_INT_DIGITS:
        raise UnpicklingRefused('an integer of more than %d digits' % MAX_INT_DIGITS)
    try:
        return int(text)
    except ValueError:
        raise UnpicklingRefused('not an integer: %r' % text[:40])


def _string_literal(text):
    # protocol 0's STRING: a quoted Python 2 str literal; read as bytes with the escapes Python 2 writes
    if len(text) < 2 or text[0] != text[-1] or text[:1] not in (b"'", b'"'):
        raise UnpicklingRefused('a STRING that is not quoted')
    import codecs
    try:
        return codecs.escape_decode(text[1:-1])[0]
    except ValueError as e:
        raise UnpicklingRefused('a STRING with a bad escape: %s' % e)


def _str_of(b):
    # a Python 2 str: bytes; as kaa.rpc does, read as text when it is ASCII (command names, keys), else latin-1
    try:
        return b.decode('ascii')
    except UnicodeDecodeError:
        return b.decode('latin1')


def _utf8(b):
    try:
        return b.decode('utf-8', 'surrogatepass')
    except UnicodeDecodeError as e:
        raise UnpicklingRefused('a text that is not UTF-8: %s' % e)


def _get(r, index):
    if index not in r.memo:
        raise UnpicklingRefused('memo %d was never put' % index)
    r.push(r.memo[index])


def _put(r, index):
    if len(r.memo) > len(r.data):
        raise UnpicklingRefused('more memo entries than bytes')
    r.memo[index] = r.top()


def _setitems(r, d, items):
    if not isinstance(d, dict):
        raise UnpicklingRefused('SETITEMS on a %s' % type(d).__name__)
    if len(items) % 2:
        raise UnpicklingRefused('SETITEMS of an odd number of items')
    for i in range(0, len(items), 2):
        r.budget.spend(1)
        d[r.key(items[i], d)] = items[i + 1]


def _appends(r, lst, items):
    r.budget.spend(len(items))
    if isinstance(lst, list):
        lst.extend(items)
    elif isinstance(lst, set):
        for i in items:
            lst.add(r.key(i, lst))
    else:
        raise UnpicklingRefused('APPENDS to a %s' % type(lst).__name__)


def _call(r, g, args):
    """REDUCE or NEWOBJ: a safe factory's value, an exception, or an Inert instance."""
    if not isinstance(g, _Global):
        raise UnpicklingRefused('calling a %s' % type(g).__name__)
    if not isinstance(args, tuple):
        raise UnpicklingRefused('arguments that are not a tuple')
    if g.module == 'copyreg' and g.name == '_reconstructor' and len(args) == 3 and isinstance(args[0], _Global):
        cls = args[0]  # copy_reg._reconstructor(cls, base, state): an instance of cls, state to follow (BUILD)
        if cls.factory is None or cls.module == 'builtins' and cls.name == 'object':
            return Inert(cls.module, cls.name)
        return _call(r, cls, () if args[2] is None else (args[2],))
    if g.factory is None:
        return Inert(g.module, g.name, args)
    # a factory copies, parses or walks its arguments, which the memo may hand it again and again for a few bytes
    r.budget.spend(len(args) + sum(len(a) for a in args if isinstance(a, (str, bytes, bytearray))))
    for a in args:
        if isinstance(a, _Global):
            raise UnpicklingRefused('a class as an argument of %s.%s' % (g.module, g.name))
    if g.factory is set or g.factory is frozenset:
        items = args[0] if args else ()
        if not isinstance(items, (list, tuple, set, frozenset)):
            raise UnpicklingRefused('a set of a %s' % type(items).__name__)
        built = _set_of(r, items)
        return built if g.factory is set else frozenset(built)
    if g.factory is collections.OrderedDict:
        pairs = args[0] if args else ()
        if not isinstance(pairs, (list, tuple)) or len(args) > 1:
            raise UnpicklingRefused('an OrderedDict of a %s' % type(pairs).__name__)
        r.budget.spend(len(pairs))
        od = collections.OrderedDict()
        for pair in pairs:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise UnpicklingRefused('an OrderedDict item that is not a pair')
            od[r.key(pair[0], od)] = pair[1]
        return od
    if g.factory is uuid.UUID:
        return Inert(g.module, g.name, args)  # UUIDs come as NEWOBJ/BUILD(state): rebuilt at BUILD
    try:
        if isinstance(g.factory, type) and issubclass(g.factory, BaseException) \
                and not all(a is None or isinstance(a, _LEAVES) for a in args):
            # a container argument may land in a C slot (OSError's filename), out of sight of the depth check
            # and freed by a recursion CPython does not bound: the arguments are kept in args alone
            e = g.factory()
            e.args = args
            return e
        return g.factory(*args)
    except UnpicklingRefused:
        raise
    except Exception as e:  # a factory's refusal of these arguments: the payload's fault
        raise UnpicklingRefused('%s.%s%s refused: %s' % (g.module, g.name, '(...)', e))


def _build(r):
    state = r.pop()
    obj = r.top()
    if isinstance(obj, Inert):
        if obj.module == 'uuid' and obj.name == 'UUID':
            r.stack[-1] = _uuid_state(state)
            return
        obj.state = state
    elif isinstance(obj, BaseException):
        if isinstance(state, dict):
            r.budget.spend(len(state))
            # into the instance's dict, never through setattr: a C slot (OSError.filename, StopIteration.value)
            # holding a chain of exceptions would be freed by a recursion CPython does not bound
            for k, v in state.items():
                if isinstance(k, str) and not k.startswith('__'):
                    obj.__dict__[k] = v
    elif isinstance(obj, collections.OrderedDict) and isinstance(state, dict):
        r.budget.spend(len(state))
        for k, v in state.items():
            obj[r.key(k, obj)] = v
    elif r.allowed is not None and type(obj).__module__ not in ('builtins', 'datetime', 'decimal', 'uuid',
                                                                'collections'):
        # made by a factory the caller allowed by name: its class takes its own state
        r.budget.spend(len(state) if isinstance(state, dict) else 1)
        if hasattr(obj, '__setstate__'):
            obj.__setstate__(state)
        elif isinstance(state, dict) and hasattr(obj, '__dict__'):
            obj.__dict__.update(state)
        else:
            raise UnpicklingRefused('state for a %s' % type(obj).__name__)
    else:
        raise UnpicklingRefused('state for a %s' % type(obj).__name__)


def _op(code):
    def register(f):
        _OPS[ord(code)] = f
        return f
    return register


_OPS = {}

_op('\x80')(lambda r: r.u8() > 5 and (_ for _ in ()).throw(UnpicklingRefused('protocol above 5')))
_op('\x95')(lambda r: r.take(8) and None)  # FRAME: its length only
_op('.')(lambda r: True)  # STOP
_op('(')(lambda r: r.marks.append(len(r.stack)))
_op('0')(lambda r: r.pop() and None)
_op('1')(lambda r: r.pop_mark() and None)
_op('2')(lambda r: r.push(r.top()))
_op('N')(lambda r: r.push(None))
_op('\x88')(lambda r: r.push(True))
_op('\x89')(lambda r: r.push(False))
_op('I')(lambda r: r.push(_bool_or_int(r.line())))
_op('J')(lambda r: r.push(struct.unpack('<i', r.take(4))[0]))
_op('K')(lambda r: r.push(r.u8()))
_op('M')(lambda r: r.push(struct.unpack('<H', r.take(2))[0]))
_op('L')(lambda r: r.push(_int_text(r.line())))
_op('\x8a')(lambda r: r.push(_long(r, r.u8())))
_op('\x8b')(lambda r: r.push(_long(r, r.u32())))
_op('F')(lambda r: r.push(_float_text(r.line())))
_op('G')(lambda r: r.push(struct.unpack('>d', r.take(8))[0]))
_op('S')(lambda r: r.push(_str_of(_string_literal(r.line()))))
_op('T')(lambda r: r.push(_str_of(r.take(r.u32()))))
_op('U')(lambda r: r.push(_str_of(r.take(r.u8()))))
_op('V')(lambda r: r.push(r.line().decode('raw_unicode_escape')))
_op('X')(lambda r: r.push(_utf8(r.take(r.u32()))))
_op('\x8c')(lambda r: r.push(_utf8(r.take(r.u8()))))
_op('B')(lambda r: r.push(r.take(r.u32())))
_op('C')(lambda r: r.push(r.take(r.u8())))
_op(']')(lambda r: r.push([]))
_op(')')(lambda r: r.push(()))
_op('}')(lambda r: r.push({}))
_op('\x8f')(lambda r: r.push(set()))
_op('l')(lambda r: r.push(_counted(r, r.pop_mark(), list)))
_op('t')(lambda r: r.push(_counted(r, r.pop_mark(), tuple)))
_op('\x85')(lambda r: r.push((r.pop(),)))
_op('\x86')(lambda r: r.push(tuple(reversed([r.pop(), r.pop()]))))
_op('\x87')(lambda r: r.push(tuple(reversed([r.pop(), r.pop(), r.pop()]))))
_op('a')(lambda r: _appends(r, r.stack[-2] if len(r.stack) >= 2 else None, [r.pop()]))
_op('e')(lambda r: _appends_mark(r))
_op('\x90')(lambda r: _appends_mark(r))  # ADDITEMS
_op('\x91')(lambda r: r.push(_frozenset(r, r.pop_mark())))
_op('d')(lambda r: _dict_mark(r))
_op('s')(lambda r: _setitem(r))
_op('u')(lambda r: _setitems_mark(r))
_op('g')(lambda r: _get(r, _int_text(r.line())))
_op('h')(lambda r: _get(r, r.u8()))
_op('j')(lambda r: _get(r, r.u32()))
_op('p')(lambda r: _put(r, _int_text(r.line())))
_op('q')(lambda r: _put(r, r.u8()))
_op('r')(lambda r: _put(r, r.u32()))
_op('\x94')(lambda r: _put(r, len(r.memo)))  # MEMOIZE
_op('c')(lambda r: r.push(_resolve(_str_of(r.line()), _str_of(r.line()), r.allowed)))
_op('\x93')(lambda r: _stack_global(r))
_op('R')(lambda r: _reduce(r))
_op('\x81')(lambda r: _reduce(r))  # NEWOBJ: cls(*args), as this side builds it
_op('b')(_build)


def _bool_or_int(text):
    # protocol 0 writes True and False as I01 and I00
    if text == b'01':
        return True
    if text == b'00':
        return False
    return _int_text(text)


def _float_text(text):
    try:
        return float(text)
    except ValueError:
        raise UnpicklingRefused('not a float: %r' % text[:40])


def _long(r, n):
    if n > MAX_INT_DIGITS:  # bytes; arithmetic on it stays linear, and its text is bounded where it is shown
        r.budget.spend(n)
    return int.from_bytes(r.take(n), 'little', signed=True)


def _counted(r, items, kind):
    r.budget.spend(len(items))
    return kind(items)


def _set_of(r, items):
    """A set of ``items``, each paid for as a key of it (FROZENSET, and the set and frozenset factories)."""
    r.budget.spend(len(items))
    built = set()
    for i in items:
        built.add(r.key(i, built))
    return built


def _frozenset(r, items):
    return frozenset(_set_of(r, items))


def _appends_mark(r):
    items = r.pop_mark()
    _appends(r, r.top(), items)


def _dict_mark(r):
    items = r.pop_mark()
    d = {}
    _setitems(r, d, items)
    r.push(d)


def _setitem(r):
    v = r.pop()
    k = r.pop()
    _setitems(r, r.top(), [k, v])


def _setitems_mark(r):
    items = r.pop_mark()
    _setitems(r, r.top(), items)


def _stack_global(r):
    name = r.pop()
    module = r.pop()
    if not isinstance(module, str) or not isinstance(name, str):
        raise UnpicklingRefused('STACK_GLOBAL of non-strings')
    r.push(_resolve(module, name, r.allowed))


def _reduce(r):
    args = r.pop()
    g = r.pop()
    r.push(_call(r, g, args))
