# tuples: creation syntax (empty, single, nested), repr, count/index, immutability, tuple containing lists, comparisons.
t = (1, 2, 3)
print(t, (), (1,), tuple(), (1, (2, (3,))), ("a",) * 3)
print(type(()), type((1,)), type((1)), len(t), t[0], t[-1], t[1:], t[::-1])
print(t.count(2), (1, 1, 2, 1).count(1), t.index(3), ("a", "b", "a").index("a", 1))
print(t + (4,), t * 2, 2 in t, 9 not in t)
a, b, c = t
print(a + b + c)
try:
    t[0] = 9
except TypeError as e:
    print("TypeError:", e)
try:
    t.index(99)
except ValueError as e:
    print("ValueError:", e)
try:
    t[5]
except IndexError as e:
    print("IndexError:", e)
holder = ([1], "s")
holder[0].append(2)
print(holder)
print((1, 2) < (1, 2, 3), (2,) > (1, 99), (1, "b") > (1, "a"), () < (0,), (1, 2) == (1, 2))
print(max([(1, "z"), (2, "a"), (1, "zz")]), sorted([(2, 1), (1, 2), (1, 1)]))
points = [(0, 0), (3, 4), (1, 1)]
print(sorted(points, key=lambda p: p[0] ** 2 + p[1] ** 2, reverse=True))
d = {(0, 1): "edge", (1, 0): "other"}
print(d[(0, 1)], (1, 0) in d)
def minmax(xs):
    return min(xs), max(xs)
lo, hi = minmax([5, 2, 8])
print(lo, hi, minmax("hello"))
nested = ((1, 2), (3, 4))
print([x for pair in nested for x in pair], sum(sum(p) for p in nested))
print(tuple(x * 2 for x in range(4)), tuple("ab"), tuple([None]))
print(repr((None,)), repr(("s", 1.0, [2])), str((True, False)))
empty = ()
print(len(empty), bool(empty), bool((0,)), empty == tuple([]))
x = 1,
y = (1)
print(x, y)
print((1, 2, 3)[1:2], (1, 2, 3)[5:], (1,) + ())
