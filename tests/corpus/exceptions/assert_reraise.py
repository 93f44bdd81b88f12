# assert with and without messages (caught), exceptions inside except/else/finally, propagation through frames.
assert True
assert 1 == 1, "not shown"
try:
    assert 1 + 1 == 3
except AssertionError as e:
    print("AssertionError without message:", repr(e), e.args)
try:
    assert [] , "empty list is falsy"
except AssertionError as e:
    print("AssertionError:", e)
x = 5
try:
    assert x < 0, "x must be negative, got " + str(x)
except AssertionError as e:
    print("AssertionError:", e)
def check(v):
    assert isinstance(v, int), v
    return v * 2
print(check(4))
try:
    check("s")
except AssertionError as e:
    print("message is the value:", repr(e.args[0]))
def level3():
    raise LookupError("deep")
def level2():
    level3()
    print("not reached")
def level1():
    try:
        level2()
    finally:
        print("level1 finally")
try:
    level1()
except LookupError as e:
    print("caught at top:", e)
try:
    try:
        raise ValueError("a")
    except ValueError:
        raise TypeError("raised in except")
except TypeError as e:
    print(e, "| context:", repr(e.__context__))
try:
    try:
        pass
    except Exception:
        pass
    else:
        raise RuntimeError("raised in else")
except RuntimeError as e:
    print(e)
try:
    try:
        raise ValueError("original")
    finally:
        print("finally sees exception in flight")
except ValueError as e:
    print("still", e)
try:
    try:
        raise ValueError("replaced")
    finally:
        raise KeyError("from finally")
except KeyError as e:
    print("finally exception wins:", repr(e), "context:", repr(e.__context__))
def handler_reraise(exc):
    try:
        raise exc
    except (ValueError, TypeError) as e:
        print("handling", type(e))
        raise
for exc in [ValueError(1), TypeError(2)]:
    try:
        handler_reraise(exc)
    except Exception as e:
        print("re-raised same object:", e is exc)
