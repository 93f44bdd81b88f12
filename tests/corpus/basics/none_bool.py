# None and bool: identity, truthiness of builtin values, bool arithmetic and repr.
x = None
print(x)
print(repr(None), str(None))
print(x is None, x is not None, x == None)
print(True, False, repr(True), str(False))
print(not True, not False, not None, not 0, not 1)
print(True + True, True * 10, False - 1, True / 2)
print(True == 1, False == 0, True is True, True != False)
print(int(True), int(False), float(True))
print(True & False, True | False, True ^ True)
print(type(True & False), type(True + 1))
values = [None, 0, 1, -1, 0.0, 0.5, -0.0, "", "a", " ", [], [0], (), (None,), {}, {1: 2}, set(), {0}, range(0), range(1), b"", b"\x00"]
for v in values:
    print(repr(v), bool(v), "truthy" if v else "falsy")
print(bool(), bool(None))
print(None or "default", 0 or None, "" or 0)
print([] == [], None == 0, None != False)
def f():
    pass
print(f() is None, f())
print(max(True, 2), min(False, -1))
print(sum([True, True, False, True]))
