# __str__ and __repr__: print/str/repr/f-strings/containers pick the right one; fallback from str to repr.
class Both:
    def __init__(self, v):
        self.v = v
    def __str__(self):
        return "Both(" + str(self.v) + ")"
    def __repr__(self):
        return "Both<" + repr(self.v) + ">"
class ReprOnly:
    def __repr__(self):
        return "ReprOnly()"
class StrOnly:
    def __str__(self):
        return "I am StrOnly"
b = Both("x")
print(b)
print(str(b), repr(b))
print([b, b], (b,), {"k": b})
print(f"{b} {b!r} {b!s}")
print("%s %r" % (b, b))
print("{} {!r}".format(b, b))
r = ReprOnly()
print(r, str(r), repr(r), [r])
s = StrOnly()
print(s, str(s))
print(str([s]).startswith("[<__main__.StrOnly object at "))
class Temperature:
    def __init__(self, c):
        self.c = c
    def __repr__(self):
        return "Temperature(%r)" % self.c
    def __str__(self):
        return "%.1f°C" % self.c
temps = [Temperature(21.5), Temperature(-3)]
print(temps)
for t in temps:
    print(t, repr(t))
print(", ".join(str(t) for t in temps))
class Node:
    def __init__(self, val, children=None):
        self.val = val
        self.children = children or []
    def __repr__(self):
        if not self.children:
            return "Node(" + repr(self.val) + ")"
        return "Node(" + repr(self.val) + ", " + repr(self.children) + ")"
tree = Node(1, [Node(2), Node(3, [Node("four")])])
print(tree)
print(repr("quote's"), repr('say "hi"'), str("plain"))
print(str(1.0), repr(1.0), str(None), repr([None, True]))
class Inherits(Both):
    pass
print(Inherits(5), repr(Inherits([1])))
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __str__(self):
        return "$" + str(self.cents // 100) + "." + str(self.cents % 100).zfill(2)
print(Money(12345), Money(5), Money(100))
print("total: " + str(Money(999)))
