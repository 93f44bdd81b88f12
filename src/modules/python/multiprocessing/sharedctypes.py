# multiprocessing.sharedctypes (as CPython's module of that name): Value and Array in storage
# that several interpreters share, with or without a lock. Imported on first use.
import _multiprocessing as _mp


_ctype_names = {"b": "c_byte", "h": "c_short", "i": "c_int", "l": "c_long", "q": "c_longlong",
                "f": "c_float", "d": "c_double", "c": "c_char"}


def _make_lock(lock):
    if lock is True:
        return _mp.SemLock("rlock", 1, 1)
    if lock is False or lock is None:
        return None
    return lock


class _Locked:
    # What Value and Array wrappers share: the shared storage and the lock that guards it.
    def __init__(self, arr, lock):
        self._arr = arr
        self._lock = lock

    def get_lock(self):
        return self._lock

    def get_obj(self):
        return self._arr

    def acquire(self, *args):
        return self._lock.acquire(*args)

    def release(self):
        return self._lock.release()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)


# `.value` of a shared Value, raw or synchronized: element 0 of its one-element array.
_shared_value = property(lambda self: self._arr.get(0), lambda self, v: self._arr.set(0, v))


class Synchronized(_Locked):
    value = _shared_value

    def __repr__(self):
        return "<Synchronized wrapper for %s(%r)>" % (_ctype_names[self._arr.typecode()], self.value)


def Value(typecode_or_type, *args, lock=True):
    tc = typecode_or_type
    if tc not in _ctype_names:
        raise TypeError("gilsim supports the typecodes %s for Value, not %r" % (", ".join(_ctype_names), tc))
    if args:
        init = args[0]
    elif tc == "c":
        init = b"\x00"
    elif tc in "fd":
        init = 0.0
    else:
        init = 0
    arr = _mp.SharedArray(tc, [init])
    if lock is False:
        return _RawValue(arr)
    return Synchronized(arr, _make_lock(lock))


class _RawValue:
    value = _shared_value

    def __init__(self, arr):
        self._arr = arr

    def __repr__(self):
        return "%s(%r)" % (_ctype_names[self._arr.typecode()], self.value)


def RawValue(typecode_or_type, *args):
    return Value(typecode_or_type, *args, lock=False)


class SynchronizedArray(_Locked):
    def __len__(self):
        return self._arr.__len__()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._arr.tolist()[i]
        return self._arr.get(i)

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            indices = range(*i.indices(self._arr.__len__()))
            values = list(value)
            if len(values) != len(indices):
                raise ValueError("Can only assign sequence of same size")
            for j, v in zip(indices, values):
                self._arr.set(j, v)
        else:
            self._arr.set(i, value)

    def __iter__(self):
        return iter(self._arr.tolist())

    @property
    def value(self):
        data = b"".join(self._arr.tolist())
        end = data.find(b"\x00")
        return data if end < 0 else data[:end]

    @property
    def raw(self):
        return b"".join(self._arr.tolist())

    def __repr__(self):
        return "<SynchronizedArray wrapper for %s_Array_%d>" % (
            _ctype_names[self._arr.typecode()], len(self))


def Array(typecode_or_type, size_or_initializer, *, lock=True):
    tc = typecode_or_type
    if tc not in _ctype_names:
        raise TypeError("gilsim supports the typecodes %s for Array, not %r" % (", ".join(_ctype_names), tc))
    if isinstance(size_or_initializer, int):
        zero = b"\x00" if tc == "c" else (0.0 if tc in "fd" else 0)
        items = [zero] * size_or_initializer
    elif tc == "c" and isinstance(size_or_initializer, bytes):
        items = [size_or_initializer[i:i + 1] for i in range(len(size_or_initializer))]
    else:
        items = list(size_or_initializer)
    return SynchronizedArray(_mp.SharedArray(tc, items), _make_lock(lock))


def RawArray(typecode_or_type, size_or_initializer):
    return Array(typecode_or_type, size_or_initializer, lock=None)


# ---- pools -----------------------------------------------------------------------------
