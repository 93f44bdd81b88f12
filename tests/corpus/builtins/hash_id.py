# hash() and id() facts only (no raw values): numeric hash equality, tuple hashing, unhashable types, identity via id.
print(hash(1) == hash(1.0), hash(True) == hash(1), hash(0) == hash(False) == hash(0.0))
print(hash(2 ** 100) == hash(2 ** 100), hash((1, 2)) == hash((1, 2)), hash((1, 2)) == hash((1.0, 2.0)))
print(hash("abc") == hash("ab" + "c"), hash(b"x") == hash(b"x"), hash(None) == hash(None))
print(hash(42), hash(-7), hash(0), hash(10 ** 6))
print(isinstance(hash("anything"), int), isinstance(hash(3.5), int))
d = {1: "int one", 2: "two"}
d[1.0] = "float one overwrites"
d[True] = "bool one overwrites"
print(d, len(d))
s = {1, 1.0, True, 2}
print(len(s))
print({(1, 2): "a", (1, 2): "b"})
for bad in [[1], {1: 2}, {1}, ([1],)]:
    try:
        hash(bad)
        print("hashable?!")
    except TypeError as e:
        print("TypeError:", e)
try:
    {[1, 2]: "x"}
except TypeError as e:
    print("TypeError:", e)
try:
    {{1}}
except TypeError as e:
    print("TypeError:", e)
a = [1, 2]
b = a
c = [1, 2]
print(id(a) == id(b), id(a) == id(c), id(a) != id(c), isinstance(id(a), int))
class K:
    pass
k1 = K()
k2 = K()
print(id(k1) == id(k1), id(k1) == id(k2), hash(k1) == hash(k1))
objs = {k1: "first", k2: "second"}
print(objs[k1], objs[k2], len(objs))
def f():
    return a
print(id(f()) == id(a), f() is a)
key = ("point", 3, 4)
cache = {key: "cached"}
print(cache[("point", 3, 4)], ("point", 3, 4) in cache)
