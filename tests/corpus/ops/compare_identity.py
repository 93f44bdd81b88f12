# Comparisons of numbers, strings, lists and tuples (lexicographic), equality across types, `is`/`is not`.
print([1, 2, 3] < [1, 2, 4], [1, 2] < [1, 2, 0], [] < [0], [2] > [1, 100])
print((1, 2) == (1, 2), (1, 2) < (1, 3), (1, "a") < (1, "b"), (0,) > ())
print([1, [2, 3]] < [1, [2, 4]], ((1, 2), 3) == ((1, 2), 3))
print([1, 2] == (1, 2), [1, 2] != (1, 2), list((1, 2)) == [1, 2])
print("abc" < "abd", "abc" < "ab", "Z" < "a", "" < "a", "apple" > "Apple")
print(1 == 1.0, 1 == True, 0 == False, 2 == True, None == False)
print({1: 2} == {1: 2}, {1: 2, 3: 4} == {3: 4, 1: 2}, {1, 2} == {2, 1})
print([1, 2] <= [1, 2], [1, 2] >= [1, 3], (3,) >= (2, 9, 9))
print(max([1, 2], [1, 2, 0]), min((5, "z"), (5, "a")))
print(b"abc" < b"abd", b"a" == b"a", b"a" == "a")
print([1.0, 2] == [1, 2.0], (0.1 + 0.2,) == (0.3,))
nan = float("nan")
lst = [nan]
print(lst == lst, nan in lst, [nan] == [float("nan")])
a = [1, 2]
b = a
c = [1, 2]
print(a is b, a is c, a == c, a is not c, b is not a)
print(None is None, type(None) is type(None), a is a)
x = None
print(x is None, x is not None)
print(type(1) is int, type(1.0) is float, type("s") is str, type([]) is list)
print(type(True) is bool, type(True) is int, isinstance(True, int))
t1 = (1, 2)
print(t1 is t1, id(t1) == id(t1), id(a) == id(b), id(a) == id(c))
def ident(v):
    return v
print(ident(a) is a, ident(c) is a)
for op_pair in [(1, 2), (2, 1), (2, 2)]:
    p, q = op_pair
    print(p, q, p < q, p <= q, p == q, p != q, p > q, p >= q)
try:
    print(1 < "a")
except TypeError as e:
    print("TypeError:", e)
try:
    print([1] < ["a"])
except TypeError as e:
    print("TypeError:", e)
try:
    print(None > 0)
except TypeError as e:
    print("TypeError:", e)
try:
    print({1} < {1: 2})
except TypeError as e:
    print("TypeError:", e)
print(1 == "1", [] == "", None != 0)
