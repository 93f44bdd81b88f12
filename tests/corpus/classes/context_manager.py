# Context managers via __enter__/__exit__: as-binding, exception info passed to __exit__, suppression, nesting.
class Tracker:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress
    def __enter__(self):
        print("enter", self.name)
        return self.name.upper()
    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            print("exit", self.name, "cleanly")
        else:
            print("exit", self.name, "with", exc_type, repr(exc), exc_type is type(exc))
        return self.suppress
with Tracker("a") as value:
    print("inside a, value =", value)
with Tracker("b"):
    print("inside b without as")
try:
    with Tracker("c"):
        print("about to raise")
        raise ValueError("boom")
        print("not reached")
except ValueError as e:
    print("propagated:", e)
with Tracker("d", suppress=True):
    raise KeyError("suppressed")
print("after suppressed block")
with Tracker("outer"):
    with Tracker("inner") as v:
        print("nested body", v)
def func_with_return():
    with Tracker("ret"):
        return "returned value"
print(func_with_return())
for i in range(3):
    with Tracker("loop" + str(i)):
        if i == 1:
            continue
        if i == 2:
            break
        print("loop body", i)
class Resource:
    def __init__(self):
        self.open = False
    def __enter__(self):
        self.open = True
        return self
    def __exit__(self, *args):
        self.open = False
        return None
res = Resource()
with res as r:
    print("open inside:", r.open, r is res)
print("open after:", res.open)
class Swallow:
    def __enter__(self):
        return self
    def __exit__(self, t, v, tb):
        print("swallowing", t is ZeroDivisionError)
        return t is ZeroDivisionError
with Swallow():
    1 / 0
try:
    with Swallow():
        [][0]
except IndexError as e:
    print("IndexError escaped:", e)
