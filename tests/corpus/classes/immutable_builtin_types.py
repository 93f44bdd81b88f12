# Built-in types cannot be changed (a TypeError naming the type), and their constructors
# keep working after a refused attempt; a user class can.

for t in (range, int, ValueError, object, str):
    for action in ("set", "del"):
        try:
            if action == "set":
                t.foo = 5
            else:
                del t.__repr__
        except TypeError as e:
            print(action, e)
print(range(3), int("5"), str(7), list(range(2, 10, 3)), ValueError("x"))
class C:
    pass
C.foo = 1
del C.foo
print(hasattr(C, "foo"))
