# Unpacking assignments: tuples, lists, starred targets, nested, swaps, loops, and unpacking errors.
a, b = 1, 2
print(a, b)
a, b = b, a
print(a, b)
x, y, z = [10, 20, 30]
print(x, y, z)
(p, q), r = (1, 2), 3
print(p, q, r)
[s, t] = "hi"
print(s, t)
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = (1, 2, 3, 4)
print(init, last)
head, *middle, tail = range(6)
print(head, middle, tail)
a, *b, c = [1, 2]
print(a, b, c)
*only, = [7, 8]
print(only)
(a, *b), c = "xyz", 5
print(a, b, c)
pairs = [(1, "one"), (2, "two"), (3, "three")]
for num, name in pairs:
    print(num, name)
for i, (k, v) in enumerate({"a": 1, "b": 2}.items()):
    print(i, k, v)
a = b = c = 0
print(a, b, c)
lst = [1, 2, 3]
lst[0], lst[2] = lst[2], lst[0]
print(lst)
i = 0
i, lst[i] = 1, 99
print(i, lst)
t = 1, 2, 3
print(t, type(t) is tuple)
single = 5,
print(single)
def pair():
    return "L", "R"
left, right = pair()
print(left, right)
try:
    a, b = [1, 2, 3]
except ValueError as e:
    print("ValueError:", e)
try:
    a, b, c = [1, 2]
except ValueError as e:
    print("ValueError:", e)
try:
    a, *b, c, d = [1, 2]
except ValueError as e:
    print("ValueError:", e)
try:
    a, b = 5
except TypeError as e:
    print("TypeError:", e)
print([*range(3), *"ab", *(9,)])
print((*[1, 2], 3))
print({**{"a": 1}, "b": 2, **{"a": 3}})
