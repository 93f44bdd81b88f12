# Exception chaining: raise ... from ..., implicit __context__, raise ... from None, bare re-raise.
class StorageError(Exception):
    pass
def load(key):
    try:
        return {"a": 1}[key]
    except KeyError as e:
        raise StorageError("cannot load " + key) from e
try:
    load("zz")
except StorageError as e:
    print("caught:", e)
    print("cause:", repr(e.__cause__))
    print("context is cause:", e.__context__ is e.__cause__)
    print("suppress context:", e.__suppress_context__)
try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise ValueError("during handling")
except ValueError as e:
    print("implicit context:", repr(e.__context__), "cause:", e.__cause__)
try:
    try:
        int("x")
    except ValueError:
        raise RuntimeError("clean") from None
except RuntimeError as e:
    print("from None:", e.__cause__, e.__suppress_context__, type(e.__context__))
try:
    raise TypeError("direct") from ValueError("origin")
except TypeError as e:
    print("explicit cause:", repr(e.__cause__), e.__context__)
def reraise():
    try:
        [][0]
    except IndexError:
        print("logging then re-raising")
        raise
try:
    reraise()
except IndexError as e:
    print("re-raised:", e)
try:
    try:
        raise KeyError("first")
    except KeyError as first:
        try:
            raise ValueError("second")
        except ValueError as second:
            print("second context is first:", second.__context__ is first)
            raise
except ValueError as e:
    print("outer got:", repr(e), repr(e.__context__))
e = ValueError("fresh")
print(e.__cause__, e.__context__, e.__suppress_context__)
try:
    raise e
except ValueError as caught:
    print(caught is e)
