# str() and repr() of exceptions with zero, one and several args; KeyError's quoted str; printing exceptions.
excs = [
    ValueError(),
    ValueError("msg"),
    ValueError("a", 2),
    ValueError(42),
    KeyError("k"),
    KeyError(1),
    KeyError(),
    KeyError("a", "b"),
    IndexError("list index out of range"),
    TypeError("quote's"),
    RuntimeError('say "hi"'),
    Exception(None),
    Exception(""),
    ZeroDivisionError("division by zero"),
    AssertionError(),
    StopIteration(5),
]
for e in excs:
    print(repr(e), "|", str(e), "|", e.args)
print(ValueError("x") == ValueError("x"))
e = RuntimeError("boom")
print(e, [e], (e,), "%s / %r" % (e, e), f"{e} {e!r}")
try:
    {}["missing key"]
except KeyError as err:
    print(err, repr(err), err.args[0])
try:
    raise NameError("custom name message")
except NameError as err:
    print(err)
class Custom(Exception):
    pass
print(repr(Custom("x")), str(Custom("x", "y")), repr(Custom()))
print(str(SystemExit(3)), repr(SystemExit("bye")))
err = OSError("disk full")
print(repr(err), str(err))
