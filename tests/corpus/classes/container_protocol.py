# Container dunders: __len__ (also drives bool()), __getitem__ with ints/slices/keys, __contains__.
class Deck:
    def __init__(self, cards):
        self.cards = list(cards)
    def __len__(self):
        return len(self.cards)
    def __getitem__(self, i):
        return self.cards[i]
    def __contains__(self, item):
        print("  __contains__", repr(item))
        return item in self.cards
d = Deck("ABCDE")
print(len(d), d[0], d[-1], d[1:3], d[::2])
print("C" in d, "Z" in d, "Z" not in d)
print(bool(d), bool(Deck([])))
if not Deck([]):
    print("empty deck is falsy")
class Squares:
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n
    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError("Squares index out of range")
        return i * i
sq = Squares(10)
print(len(sq), sq[3], sq[-1], sq[2:5], sq[::3], sq[8:100])
try:
    sq[10]
except IndexError as e:
    print("IndexError:", e)
class Registry:
    def __init__(self):
        self.data = {}
    def __getitem__(self, key):
        return self.data.get(key, "<" + str(key) + " unset>")
    def __len__(self):
        return len(self.data)
reg = Registry()
reg.data["a"] = 1
print(reg["a"], reg["b"], reg[(1, 2)], len(reg))
class Evens:
    def __contains__(self, x):
        return x % 2 == 0
e = Evens()
print(4 in e, 5 in e, 5 not in e, [n for n in range(7) if n in e])
class Grid:
    def __init__(self, w, h):
        self.w, self.h = w, h
    def __getitem__(self, pos):
        r, c = pos
        return r * self.w + c
    def __len__(self):
        return self.w * self.h
g = Grid(4, 3)
print(g[0, 0], g[2, 3], g[1, 2], len(g))
class Truthy:
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n
print([bool(Truthy(n)) for n in range(3)], "yes" if Truthy(2) else "no")
try:
    len(Truthy(-1))
except ValueError as e:
    print("ValueError:", e)
class NoLen:
    pass
try:
    len(NoLen())
except TypeError as e:
    print("TypeError:", e)
try:
    NoLen()[0]
except TypeError as e:
    print("TypeError:", e)
