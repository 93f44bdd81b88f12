# type(), isinstance (with tuples), issubclass over builtin and user classes, type reprs, exception hierarchy.
print(type(1), type(1.5), type("s"), type(b"b"), type(None), type(True))
print(type([]), type(()), type({}), type(set()), type(range(1)))
class Foo:
    pass
class Bar(Foo):
    pass
print(type(Foo()), Foo, Bar)
print(type(Foo()) is Foo, type(Bar()) is Foo, type(Bar()) == Bar)
print(type(int), type(Foo))
print(isinstance(1, int), isinstance(1, float), isinstance(1, (float, int)), isinstance("a", (int, list)))
print(isinstance(True, bool), isinstance(True, int), isinstance(1, bool))
print(isinstance(Bar(), Foo), isinstance(Foo(), Bar), isinstance(Bar(), object), isinstance(3, object))
print(isinstance(None, type(None)), isinstance([], list), isinstance((), tuple), isinstance({}, dict))
print(issubclass(Bar, Foo), issubclass(Foo, Bar), issubclass(Foo, Foo), issubclass(Bar, (int, Foo)))
print(issubclass(bool, int), issubclass(int, object), issubclass(float, int))
print(issubclass(ZeroDivisionError, ArithmeticError), issubclass(KeyError, LookupError), issubclass(IndexError, LookupError))
print(issubclass(ValueError, Exception), issubclass(Exception, BaseException), issubclass(KeyboardInterrupt, Exception))
print(issubclass(UnboundLocalError, NameError), issubclass(RecursionError, RuntimeError), issubclass(FileNotFoundError, OSError))
print(issubclass(TypeError, ValueError), issubclass(StopIteration, Exception), issubclass(SystemExit, Exception))
print(isinstance(ValueError("x"), Exception), isinstance(ValueError, type))
print(type(ValueError("x")), type(len) is type(print))
print(int("5") + 1, type(int("5")) is int, str(5) == "5", type(str(5)))
print(type(1)(7.9), type("x")(42), type([])("ab"), type(0.0)("2.5"))
def kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (list, tuple)):
        return "sequence"
    if isinstance(v, dict):
        return "mapping"
    return "other"
print([kind(v) for v in [True, 3, 2.0, "s", [1], (1,), {}, None, Foo()]])
try:
    isinstance(1, 2)
except TypeError as e:
    print("TypeError:", e)
try:
    issubclass(1, int)
except TypeError as e:
    print("TypeError:", e)
