# gilsim's pickle: dumps/loads over the serializer process mode uses (src/process/wire.rs).
# The bytes are gilsim's own format, not CPython's pickle protocol: they round-trip within
# gilsim, which is what scripts use them for.
import _multiprocessing

HIGHEST_PROTOCOL = 5
DEFAULT_PROTOCOL = 4


class PickleError(Exception):
    pass


class PicklingError(PickleError):
    pass


class UnpicklingError(PickleError):
    pass


PickleError.__module__ = "_pickle"
PicklingError.__module__ = "_pickle"
UnpicklingError.__module__ = "_pickle"


def dumps(obj, protocol=None):
    return _multiprocessing.dumps(obj)


def loads(data):
    return _multiprocessing.loads(data)
